using System.Diagnostics;

namespace FastArena.Workload.Compiler;

// The baseline front end, written the way a C# compiler usually is: sealed AST classes with List<T>
// children and string names, a symbol table of Dictionary<string, ...> scopes, pattern-matching passes,
// and a List<Instruction> for the code. The garbage collector reclaims it all when it is dropped.

/// <summary>A node of the GC front end's AST.</summary>
public abstract class SyntaxNode
{
}

/// <summary>An expression; the checker fills in <see cref="Type"/>.</summary>
public abstract class Expr : SyntaxNode
{
    /// <summary>The type the checker found.</summary>
    public TypeKind Type { get; set; }
}

/// <summary>An integer literal.</summary>
public sealed class IntLiteral(long value) : Expr
{
    /// <summary>The value.</summary>
    public long Value { get; } = value;
}

/// <summary>true or false.</summary>
public sealed class BoolLiteral(bool value) : Expr
{
    /// <summary>The value.</summary>
    public bool Value { get; } = value;
}

/// <summary>A use of a variable.</summary>
public sealed class VariableRef(string name) : Expr
{
    /// <summary>The name.</summary>
    public string Name { get; } = name;

    /// <summary>The declaration it resolved to, or null.</summary>
    public LocalSymbol? Symbol { get; set; }
}

/// <summary>A binary operation.</summary>
public sealed class BinaryExpr(Operator op, Expr left, Expr right) : Expr
{
    /// <summary>The operator.</summary>
    public Operator Op { get; } = op;

    /// <summary>The left operand.</summary>
    public Expr Left { get; } = left;

    /// <summary>The right operand.</summary>
    public Expr Right { get; } = right;
}

/// <summary>A unary operation.</summary>
public sealed class UnaryExpr(Operator op, Expr operand) : Expr
{
    /// <summary>The operator.</summary>
    public Operator Op { get; } = op;

    /// <summary>The operand.</summary>
    public Expr Operand { get; } = operand;
}

/// <summary>A function call.</summary>
public sealed class CallExpr(string name, List<Expr> arguments) : Expr
{
    /// <summary>The function's name.</summary>
    public string Name { get; } = name;

    /// <summary>The arguments.</summary>
    public List<Expr> Arguments { get; } = arguments;

    /// <summary>The function it resolved to, or null.</summary>
    public FunctionDecl? Target { get; set; }
}

/// <summary>A statement.</summary>
public abstract class Stmt : SyntaxNode
{
}

/// <summary><c>let name: type = init;</c></summary>
public sealed class LetStmt(string name, TypeKind declaredType, Expr init) : Stmt
{
    /// <summary>The name.</summary>
    public string Name { get; } = name;

    /// <summary>The declared type.</summary>
    public TypeKind DeclaredType { get; } = declaredType;

    /// <summary>The initializer.</summary>
    public Expr Init { get; } = init;

    /// <summary>The symbol it declares.</summary>
    public LocalSymbol? Symbol { get; set; }
}

/// <summary><c>name = value;</c></summary>
public sealed class AssignStmt(string name, Expr value) : Stmt
{
    /// <summary>The name.</summary>
    public string Name { get; } = name;

    /// <summary>The value.</summary>
    public Expr Value { get; } = value;

    /// <summary>The variable it resolved to, or null.</summary>
    public LocalSymbol? Symbol { get; set; }
}

/// <summary><c>if cond { } else { }</c></summary>
public sealed class IfStmt(Expr condition, BlockStmt then, BlockStmt? otherwise) : Stmt
{
    /// <summary>The condition.</summary>
    public Expr Condition { get; } = condition;

    /// <summary>The then branch.</summary>
    public BlockStmt Then { get; } = then;

    /// <summary>The else branch, or null.</summary>
    public BlockStmt? Else { get; } = otherwise;
}

/// <summary><c>while cond { }</c></summary>
public sealed class WhileStmt(Expr condition, BlockStmt body) : Stmt
{
    /// <summary>The condition.</summary>
    public Expr Condition { get; } = condition;

    /// <summary>The body.</summary>
    public BlockStmt Body { get; } = body;
}

/// <summary><c>return value;</c></summary>
public sealed class ReturnStmt(Expr value) : Stmt
{
    /// <summary>The value.</summary>
    public Expr Value { get; } = value;
}

/// <summary><c>{ statements }</c></summary>
public sealed class BlockStmt(List<Stmt> statements) : Stmt
{
    /// <summary>The statements.</summary>
    public List<Stmt> Statements { get; } = statements;
}

/// <summary>A parameter.</summary>
public sealed class ParameterDecl(string name, TypeKind type) : SyntaxNode
{
    /// <summary>The name.</summary>
    public string Name { get; } = name;

    /// <summary>The type.</summary>
    public TypeKind Type { get; } = type;
}

/// <summary>A function.</summary>
public sealed class FunctionDecl(int index, string name, List<ParameterDecl> parameters, TypeKind result, BlockStmt body) : SyntaxNode
{
    /// <summary>Its position in the program.</summary>
    public int Index { get; } = index;

    /// <summary>The name.</summary>
    public string Name { get; } = name;

    /// <summary>The parameters.</summary>
    public List<ParameterDecl> Parameters { get; } = parameters;

    /// <summary>The result type.</summary>
    public TypeKind Result { get; } = result;

    /// <summary>The body.</summary>
    public BlockStmt Body { get; } = body;

    /// <summary>Local slots (parameters included), set by the resolver.</summary>
    public int Locals { get; set; }
}

/// <summary>A local variable or parameter.</summary>
public sealed class LocalSymbol(string name, TypeKind type, int slot)
{
    /// <summary>The name.</summary>
    public string Name { get; } = name;

    /// <summary>The type.</summary>
    public TypeKind Type { get; } = type;

    /// <summary>The slot.</summary>
    public int Slot { get; } = slot;
}

/// <summary>The same front end as <see cref="ArenaCompiler"/>, over ordinary GC objects.</summary>
public sealed class GcCompiler
{
    /// <summary>Compiles <paramref name="source"/> through all four passes and drops the result.</summary>
    /// <param name="source">The program text.</param>
    /// <param name="timings">Where to add the time of each pass; may be null.</param>
    /// <returns>What the passes found and produced.</returns>
    /// <exception cref="CompileException">The program has a syntax error.</exception>
    public CompileResult Compile(ReadOnlySpan<char> source, PassTimings? timings = null)
    {
        var result = default(CompileResult);
        long t0 = Stopwatch.GetTimestamp();
        var parser = new Parser(source);
        List<FunctionDecl> program = parser.ParseProgram();
        result.Nodes = parser.Nodes;
        result.Functions = program.Count;
        long t1 = Stopwatch.GetTimestamp();

        var resolver = new Resolver();
        resolver.Run(program);
        result.Resolved = resolver.Resolved;
        result.NameErrors = resolver.Errors;
        long t2 = Stopwatch.GetTimestamp();

        var checker = new Checker();
        checker.Run(program);
        result.TypeErrors = checker.Errors;
        long t3 = Stopwatch.GetTimestamp();

        // Every node emits at most one instruction, plus one per function: reserve that once.
        var code = new List<Instruction>((int)Math.Min(int.MaxValue / 32, result.Nodes + result.Functions));
        Lowering.Run(program, code);
        foreach (Instruction instruction in code)
        {
            result.Hash(instruction);
        }

        long t4 = Stopwatch.GetTimestamp();
        timings?.Add(t1 - t0, t2 - t1, t3 - t2, t4 - t3);
        return result;
    }

    private ref struct Parser(ReadOnlySpan<char> source)
    {
        private Lexer _lexer = new(source);

        public long Nodes;

        public List<FunctionDecl> ParseProgram()
        {
            var functions = new List<FunctionDecl>();
            while (_lexer.Kind != TokenKind.End)
            {
                functions.Add(ParseFunction(functions.Count));
            }

            return functions;
        }

        private FunctionDecl ParseFunction(int index)
        {
            _lexer.Expect(TokenKind.Fn);
            Nodes++;
            string name = Identifier();
            _lexer.Expect(TokenKind.LeftParen);
            var parameters = new List<ParameterDecl>();
            while (_lexer.Kind != TokenKind.RightParen)
            {
                if (parameters.Count > 0)
                {
                    _lexer.Expect(TokenKind.Comma);
                }

                Nodes++;
                string p = Identifier();
                _lexer.Expect(TokenKind.Colon);
                parameters.Add(new ParameterDecl(p, ParseType()));
            }

            _lexer.Next();
            _lexer.Expect(TokenKind.Colon);
            TypeKind result = ParseType();
            return new FunctionDecl(index, name, parameters, result, ParseBlock());
        }

        private TypeKind ParseType()
        {
            TypeKind t = _lexer.Kind switch
            {
                TokenKind.IntType => TypeKind.Int,
                TokenKind.BoolType => TypeKind.Bool,
                _ => TypeKind.Unknown,
            };
            if (t == TypeKind.Unknown)
            {
                _lexer.Fail(TokenKind.IntType);
            }

            _lexer.Next();
            return t;
        }

        private BlockStmt ParseBlock()
        {
            _lexer.Expect(TokenKind.LeftBrace);
            Nodes++;
            var statements = new List<Stmt>();
            while (_lexer.Kind != TokenKind.RightBrace)
            {
                statements.Add(ParseStatement());
            }

            _lexer.Next();
            return new BlockStmt(statements);
        }

        private Stmt ParseStatement()
        {
            Nodes++;
            switch (_lexer.Kind)
            {
                case TokenKind.Let:
                {
                    _lexer.Next();
                    string name = Identifier();
                    _lexer.Expect(TokenKind.Colon);
                    TypeKind type = ParseType();
                    _lexer.Expect(TokenKind.Assign);
                    Expr init = ParseExpression(1);
                    _lexer.Expect(TokenKind.Semicolon);
                    return new LetStmt(name, type, init);
                }

                case TokenKind.Identifier:
                {
                    string name = Identifier();
                    _lexer.Expect(TokenKind.Assign);
                    Expr value = ParseExpression(1);
                    _lexer.Expect(TokenKind.Semicolon);
                    return new AssignStmt(name, value);
                }

                case TokenKind.If:
                {
                    _lexer.Next();
                    Expr condition = ParseExpression(1);
                    BlockStmt then = ParseBlock();
                    BlockStmt? otherwise = null;
                    if (_lexer.Kind == TokenKind.Else)
                    {
                        _lexer.Next();
                        otherwise = ParseBlock();
                    }

                    return new IfStmt(condition, then, otherwise);
                }

                case TokenKind.While:
                {
                    _lexer.Next();
                    Expr condition = ParseExpression(1);
                    return new WhileStmt(condition, ParseBlock());
                }

                case TokenKind.Return:
                {
                    _lexer.Next();
                    Expr value = ParseExpression(1);
                    _lexer.Expect(TokenKind.Semicolon);
                    return new ReturnStmt(value);
                }

                default:
                    _lexer.Fail(TokenKind.Let);
                    return null!;
            }
        }

        private Expr ParseExpression(int minPrecedence)
        {
            Expr left = ParseUnary();
            while (true)
            {
                int precedence = Operators.Binary(_lexer.Kind, out Operator op);
                if (precedence < minPrecedence)
                {
                    return left;
                }

                _lexer.Next();
                Expr right = ParseExpression(precedence + 1);
                Nodes++;
                left = new BinaryExpr(op, left, right);
            }
        }

        private Expr ParseUnary()
        {
            if (_lexer.Kind is TokenKind.Minus or TokenKind.Bang)
            {
                Operator op = _lexer.Kind == TokenKind.Minus ? Operator.Negate : Operator.Not;
                _lexer.Next();
                Nodes++;
                return new UnaryExpr(op, ParseUnary());
            }

            return ParsePrimary();
        }

        private Expr ParsePrimary()
        {
            switch (_lexer.Kind)
            {
                case TokenKind.Integer:
                {
                    Nodes++;
                    var e = new IntLiteral(_lexer.Value);
                    _lexer.Next();
                    return e;
                }

                case TokenKind.True or TokenKind.False:
                {
                    Nodes++;
                    var e = new BoolLiteral(_lexer.Kind == TokenKind.True);
                    _lexer.Next();
                    return e;
                }

                case TokenKind.LeftParen:
                {
                    _lexer.Next();
                    Expr e = ParseExpression(1);
                    _lexer.Expect(TokenKind.RightParen);
                    return e;
                }

                case TokenKind.Identifier:
                {
                    Nodes++;
                    string name = Identifier();
                    if (_lexer.Kind != TokenKind.LeftParen)
                    {
                        return new VariableRef(name);
                    }

                    _lexer.Next();
                    var arguments = new List<Expr>();
                    while (_lexer.Kind != TokenKind.RightParen)
                    {
                        if (arguments.Count > 0)
                        {
                            _lexer.Expect(TokenKind.Comma);
                        }

                        arguments.Add(ParseExpression(1));
                    }

                    _lexer.Next();
                    return new CallExpr(name, arguments);
                }

                default:
                    _lexer.Fail(TokenKind.Integer);
                    return null!;
            }
        }

        private string Identifier()
        {
            if (_lexer.Kind != TokenKind.Identifier)
            {
                _lexer.Fail(TokenKind.Identifier);
            }

            string name = new(_lexer.Text);
            _lexer.Next();
            return name;
        }
    }

    private sealed class Resolver
    {
        private readonly Dictionary<string, FunctionDecl> _functions = [];
        private readonly List<Dictionary<string, LocalSymbol>> _scopes = [];
        private int _nextSlot;

        public long Resolved { get; private set; }

        public int Errors { get; private set; }

        public void Run(List<FunctionDecl> program)
        {
            foreach (FunctionDecl f in program)
            {
                _functions[f.Name] = f; // a later duplicate wins, as in the arena's table
            }

            foreach (FunctionDecl f in program)
            {
                _nextSlot = 0;
                var parameters = new Dictionary<string, LocalSymbol>();
                foreach (ParameterDecl p in f.Parameters)
                {
                    parameters[p.Name] = new LocalSymbol(p.Name, p.Type, _nextSlot++);
                }

                _scopes.Add(parameters);
                Block(f.Body);
                _scopes.RemoveAt(_scopes.Count - 1);
                f.Locals = _nextSlot;
            }
        }

        private void Block(BlockStmt block)
        {
            _scopes.Add([]);
            foreach (Stmt s in block.Statements)
            {
                Statement(s);
            }

            _scopes.RemoveAt(_scopes.Count - 1);
        }

        private void Statement(Stmt s)
        {
            switch (s)
            {
                case LetStmt let:
                    Expression(let.Init);
                    let.Symbol = new LocalSymbol(let.Name, let.DeclaredType, _nextSlot++);
                    _scopes[^1][let.Name] = let.Symbol;
                    break;
                case AssignStmt assign:
                    assign.Symbol = Find(assign.Name);
                    Expression(assign.Value);
                    break;
                case IfStmt branch:
                    Expression(branch.Condition);
                    Block(branch.Then);
                    if (branch.Else is not null)
                    {
                        Block(branch.Else);
                    }

                    break;
                case WhileStmt loop:
                    Expression(loop.Condition);
                    Block(loop.Body);
                    break;
                case ReturnStmt ret:
                    Expression(ret.Value);
                    break;
            }
        }

        private void Expression(Expr e)
        {
            switch (e)
            {
                case VariableRef v:
                    v.Symbol = Find(v.Name);
                    break;
                case CallExpr call:
                    if (_functions.TryGetValue(call.Name, out FunctionDecl? target))
                    {
                        call.Target = target;
                        Resolved++;
                    }
                    else
                    {
                        Errors++;
                    }

                    foreach (Expr a in call.Arguments)
                    {
                        Expression(a);
                    }

                    break;
                case BinaryExpr b:
                    Expression(b.Left);
                    Expression(b.Right);
                    break;
                case UnaryExpr u:
                    Expression(u.Operand);
                    break;
            }
        }

        private LocalSymbol? Find(string name)
        {
            for (int i = _scopes.Count - 1; i >= 0; i--)
            {
                if (_scopes[i].TryGetValue(name, out LocalSymbol? symbol))
                {
                    Resolved++;
                    return symbol;
                }
            }

            Errors++;
            return null;
        }
    }

    private sealed class Checker
    {
        public int Errors { get; private set; }

        public void Run(List<FunctionDecl> program)
        {
            foreach (FunctionDecl f in program)
            {
                Block(f.Body, f.Result);
            }
        }

        private void Block(BlockStmt block, TypeKind result)
        {
            foreach (Stmt s in block.Statements)
            {
                switch (s)
                {
                    case LetStmt let:
                        Expect(Expression(let.Init), let.DeclaredType);
                        break;
                    case AssignStmt assign:
                        Expect(Expression(assign.Value), assign.Symbol?.Type ?? TypeKind.Error);
                        break;
                    case IfStmt branch:
                        Expect(Expression(branch.Condition), TypeKind.Bool);
                        Block(branch.Then, result);
                        if (branch.Else is not null)
                        {
                            Block(branch.Else, result);
                        }

                        break;
                    case WhileStmt loop:
                        Expect(Expression(loop.Condition), TypeKind.Bool);
                        Block(loop.Body, result);
                        break;
                    case ReturnStmt ret:
                        Expect(Expression(ret.Value), result);
                        break;
                }
            }
        }

        private void Expect(TypeKind actual, TypeKind expected)
        {
            if (actual != expected && actual != TypeKind.Error && expected != TypeKind.Error)
            {
                Errors++;
            }
        }

        private TypeKind Expression(Expr e)
        {
            TypeKind t = e switch
            {
                IntLiteral => TypeKind.Int,
                BoolLiteral => TypeKind.Bool,
                VariableRef v => v.Symbol?.Type ?? TypeKind.Error,
                UnaryExpr u => Report(Operators.UnaryResult(u.Op, Expression(u.Operand))),
                BinaryExpr b => Binary(b),
                CallExpr c => Call(c),
                _ => throw new UnreachableException(),
            };
            e.Type = t;
            return t;
        }

        private TypeKind Binary(BinaryExpr b)
        {
            TypeKind left = Expression(b.Left);
            TypeKind right = Expression(b.Right);
            return Report(Operators.BinaryResult(b.Op, left, right));
        }

        private TypeKind Call(CallExpr call)
        {
            FunctionDecl? f = call.Target;
            for (int i = 0; i < call.Arguments.Count; i++)
            {
                TypeKind t = Expression(call.Arguments[i]);
                if (f is not null && i < f.Parameters.Count)
                {
                    Expect(t, f.Parameters[i].Type);
                }
            }

            if (f is null)
            {
                return TypeKind.Error;
            }

            if (call.Arguments.Count != f.Parameters.Count)
            {
                Errors++;
                return TypeKind.Error;
            }

            return f.Result;
        }

        private TypeKind Report(TypeKind t)
        {
            if (t == TypeKind.Unknown)
            {
                Errors++;
                return TypeKind.Error;
            }

            return t;
        }
    }

    private static class Lowering
    {
        public static void Run(List<FunctionDecl> program, List<Instruction> code)
        {
            foreach (FunctionDecl f in program)
            {
                code.Add(new Instruction(OpCode.Function, f.Index, f.Locals));
                Block(f.Body, code);
            }
        }

        private static void Block(BlockStmt block, List<Instruction> code)
        {
            foreach (Stmt s in block.Statements)
            {
                switch (s)
                {
                    case LetStmt let:
                        Expression(let.Init, code);
                        code.Add(new Instruction(OpCode.Store, let.Symbol!.Slot, 0));
                        break;
                    case AssignStmt assign:
                        Expression(assign.Value, code);
                        code.Add(new Instruction(OpCode.Store, assign.Symbol?.Slot ?? -1, 0));
                        break;
                    case IfStmt branch:
                    {
                        Expression(branch.Condition, code);
                        int jumpElse = code.Count;
                        code.Add(new Instruction(OpCode.JumpIfFalse, 0, 0));
                        Block(branch.Then, code);
                        if (branch.Else is null)
                        {
                            code[jumpElse] = new Instruction(OpCode.JumpIfFalse, code.Count, 0);
                        }
                        else
                        {
                            int jumpEnd = code.Count;
                            code.Add(new Instruction(OpCode.Jump, 0, 0));
                            code[jumpElse] = new Instruction(OpCode.JumpIfFalse, code.Count, 0);
                            Block(branch.Else, code);
                            code[jumpEnd] = new Instruction(OpCode.Jump, code.Count, 0);
                        }

                        break;
                    }

                    case WhileStmt loop:
                    {
                        int start = code.Count;
                        Expression(loop.Condition, code);
                        int exit = code.Count;
                        code.Add(new Instruction(OpCode.JumpIfFalse, 0, 0));
                        Block(loop.Body, code);
                        code.Add(new Instruction(OpCode.Jump, start, 0));
                        code[exit] = new Instruction(OpCode.JumpIfFalse, code.Count, 0);
                        break;
                    }

                    case ReturnStmt ret:
                        Expression(ret.Value, code);
                        code.Add(new Instruction(OpCode.Return, 0, 0));
                        break;
                }
            }
        }

        private static void Expression(Expr e, List<Instruction> code)
        {
            switch (e)
            {
                case IntLiteral i:
                    code.Add(new Instruction(OpCode.Const, 0, i.Value));
                    break;
                case BoolLiteral b:
                    code.Add(new Instruction(OpCode.Const, 0, b.Value ? 1 : 0));
                    break;
                case VariableRef v:
                    code.Add(new Instruction(OpCode.Load, v.Symbol?.Slot ?? -1, 0));
                    break;
                case UnaryExpr u:
                    Expression(u.Operand, code);
                    code.Add(new Instruction(OpCode.Unary, (int)u.Op, 0));
                    break;
                case BinaryExpr b:
                    Expression(b.Left, code);
                    Expression(b.Right, code);
                    code.Add(new Instruction(OpCode.Binary, (int)b.Op, 0));
                    break;
                case CallExpr c:
                    foreach (Expr a in c.Arguments)
                    {
                        Expression(a, code);
                    }

                    code.Add(new Instruction(OpCode.Call, c.Target?.Index ?? -1, c.Arguments.Count));
                    break;
            }
        }
    }
}
