using System.Text;

namespace FastArena.Workload.Compiler;

/// <summary>
/// Generates a well-formed, well-typed program of the toy language from a seed: functions with int and
/// bool parameters, nested blocks with <c>let</c> (shadowing outer names now and then), assignments,
/// <c>if</c>/<c>else</c>, <c>while</c>, calls to any function (also later ones), and a <c>return</c> at the
/// end of every function. The same seed and size always give the same text.
/// </summary>
/// <example><code>
/// fn f3(p0: int, p1: bool): int {
///   let v0: int = (p0 * 17) + f1(p0, true);
///   if p1 &amp;&amp; v0 &lt; 40 { v0 = v0 - 1; } else { let v0: bool = !p1; }
///   return v0;
/// }
/// </code></example>
public static class ProgramGenerator
{
    /// <summary>About how many AST nodes one function gets.</summary>
    public const int NodesPerFunction = 2_000;

    private readonly record struct Signature(TypeKind[] Parameters, TypeKind Result);

    private readonly record struct Variable(string Name, TypeKind Type);

    /// <summary>Generates a program of at least <paramref name="minNodes"/> AST nodes (as the parsers count them: every function, parameter, block, statement and expression node; parentheses are not nodes).</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="minNodes">The least number of nodes, at least 1.</param>
    /// <returns>The source text.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minNodes"/> is below 1.</exception>
    public static string Generate(ulong seed, long minNodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minNodes, 1);
        int functions = (int)Math.Max(1, (minNodes + NodesPerFunction - 1) / NodesPerFunction);
        var rng = new SplitMix64(SplitMix64.Mix(seed ^ 0xC0DEUL));
        var signatures = new Signature[functions];
        for (int f = 0; f < functions; f++)
        {
            var parameters = new TypeKind[rng.Below(4)];
            for (int p = 0; p < parameters.Length; p++)
            {
                parameters[p] = rng.Below(3) == 0 ? TypeKind.Bool : TypeKind.Int;
            }

            signatures[f] = new Signature(parameters, rng.Below(4) == 0 ? TypeKind.Bool : TypeKind.Int);
        }

        var state = new State(new StringBuilder(checked((int)Math.Min(int.MaxValue / 4, minNodes * 7))), rng, signatures);
        long perFunction = (minNodes + functions - 1) / functions;
        for (int f = 0; f < functions; f++)
        {
            state.Function(f, state.Nodes + perFunction);
        }

        return state.Text.ToString();
    }

    private sealed class State(StringBuilder text, SplitMix64 rng, Signature[] signatures)
    {
        private readonly List<List<Variable>> _scopes = [];
        private SplitMix64 _rng = rng;
        private int _nextVariable;
        private int _indent;

        public StringBuilder Text { get; } = text;

        public long Nodes { get; private set; }

        public void Function(int index, long untilNodes)
        {
            Signature sig = signatures[index];
            _nextVariable = 0;
            _scopes.Clear();
            _scopes.Add([]);
            Text.Append("fn f").Append(index).Append('(');
            Nodes++; // the function
            for (int p = 0; p < sig.Parameters.Length; p++)
            {
                string name = $"p{p}";
                Text.Append(p == 0 ? "" : ", ").Append(name).Append(": ").Append(TypeName(sig.Parameters[p]));
                _scopes[0].Add(new Variable(name, sig.Parameters[p]));
                Nodes++; // the parameter
            }

            Text.Append("): ").Append(TypeName(sig.Result)).Append(" {\n");
            Nodes++; // the body block
            _indent = 1;
            _scopes.Add([]);
            while (Nodes < untilNodes)
            {
                Statement(depth: 0);
            }

            Indent().Append("return ");
            Nodes++;
            Expression(sig.Result, 3);
            Text.Append(";\n}\n");
        }

        private void Statement(int depth)
        {
            int pick = _rng.Below(10);
            if (pick < 4 || depth >= 3)
            {
                // let, sometimes shadowing a visible name with a new type
                Variable? shadow = pick == 0 ? Pick(null) : null;
                TypeKind type = _rng.Below(3) == 0 ? TypeKind.Bool : TypeKind.Int;
                string name = shadow?.Name ?? $"v{_nextVariable++}";
                Indent().Append("let ").Append(name).Append(": ").Append(TypeName(type)).Append(" = ");
                Nodes++;
                Expression(type, 3);
                Text.Append(";\n");
                _scopes[^1].Add(new Variable(name, type));
            }
            else if (pick < 7 && Pick(null) is Variable target)
            {
                Indent().Append(target.Name).Append(" = ");
                Nodes++;
                Expression(target.Type, 3);
                Text.Append(";\n");
            }
            else if (pick < 9)
            {
                Indent().Append("if ");
                Nodes++;
                Expression(TypeKind.Bool, 2);
                Text.Append(' ');
                Block(depth);
                if (_rng.Below(2) == 0)
                {
                    Text.Append(" else ");
                    Block(depth);
                }

                Text.Append('\n');
            }
            else
            {
                Indent().Append("while ");
                Nodes++;
                Expression(TypeKind.Bool, 2);
                Text.Append(' ');
                Block(depth);
                Text.Append('\n');
            }
        }

        private void Block(int depth)
        {
            Text.Append("{\n");
            Nodes++;
            _scopes.Add([]);
            _indent++;
            int statements = 1 + _rng.Below(4);
            for (int i = 0; i < statements; i++)
            {
                Statement(depth + 1);
            }

            _indent--;
            _scopes.RemoveAt(_scopes.Count - 1);
            Indent().Append('}');
        }

        private void Expression(TypeKind type, int depth)
        {
            Nodes++;
            int pick = depth <= 0 ? _rng.Below(2) : _rng.Below(8);
            if (pick == 1 && Pick(type) is Variable v)
            {
                Text.Append(v.Name);
                return;
            }

            if (pick <= 1)
            {
                if (type == TypeKind.Int)
                {
                    Text.Append(_rng.Below(1000));
                }
                else
                {
                    Text.Append(_rng.Below(2) == 0 ? "true" : "false");
                }

                return;
            }

            if (pick == 2)
            {
                int f = _rng.Below(signatures.Length);
                for (int tries = 0; tries < 4 && signatures[f].Result != type; tries++)
                {
                    f = _rng.Below(signatures.Length);
                }

                if (signatures[f].Result == type)
                {
                    Text.Append('f').Append(f).Append('(');
                    TypeKind[] parameters = signatures[f].Parameters;
                    for (int p = 0; p < parameters.Length; p++)
                    {
                        Text.Append(p == 0 ? "" : ", ");
                        Expression(parameters[p], depth - 2);
                    }

                    Text.Append(')');
                    return;
                }
            }

            if (pick == 3)
            {
                Text.Append(type == TypeKind.Int ? "-" : "!");
                Expression(type, depth - 1);
                return;
            }

            string op;
            TypeKind operands;
            if (type == TypeKind.Int)
            {
                op = _rng.Below(5) switch { 0 => "+", 1 => "-", 2 => "*", 3 => "/", _ => "%" };
                operands = TypeKind.Int;
            }
            else
            {
                int k = _rng.Below(8);
                (op, operands) = k switch
                {
                    0 => ("&&", TypeKind.Bool),
                    1 => ("||", TypeKind.Bool),
                    2 => ("==", _rng.Below(2) == 0 ? TypeKind.Int : TypeKind.Bool),
                    3 => ("!=", TypeKind.Int),
                    4 => ("<", TypeKind.Int),
                    5 => ("<=", TypeKind.Int),
                    6 => (">", TypeKind.Int),
                    _ => (">=", TypeKind.Int),
                };
            }

            Text.Append('(');
            Expression(operands, depth - 1);
            Text.Append(' ').Append(op).Append(' ');
            Expression(operands, depth - 1);
            Text.Append(')');
        }

        /// <summary>A visible variable (innermost declaration of its name) of the given type, or of any type when null.</summary>
        private Variable? Pick(TypeKind? type)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                List<Variable> scope = _scopes[_rng.Below(_scopes.Count)];
                if (scope.Count == 0)
                {
                    continue;
                }

                Variable candidate = scope[_rng.Below(scope.Count)];
                if (type is TypeKind t && candidate.Type != t)
                {
                    continue;
                }

                // Only if no inner scope shadows the name.
                if (Visible(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        private bool Visible(Variable candidate)
        {
            for (int s = _scopes.Count - 1; s >= 0; s--)
            {
                List<Variable> scope = _scopes[s];
                for (int i = scope.Count - 1; i >= 0; i--)
                {
                    if (scope[i].Name == candidate.Name)
                    {
                        return scope[i] == candidate;
                    }
                }
            }

            return false;
        }

        private StringBuilder Indent() => Text.Append(' ', _indent * 2);

        private static string TypeName(TypeKind type) => type == TypeKind.Int ? "int" : "bool";
    }
}
