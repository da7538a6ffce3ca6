namespace FastArena.Workload;

/// <summary>The proportions and sizes of generated requests.</summary>
public sealed record RequestMix
{
    /// <summary>The default mix: 2% oversized requests, 3% malformed ones, the rest ordinary.</summary>
    public static RequestMix Default { get; } = new();

    /// <summary>Oversized requests per thousand.</summary>
    public int OversizedPerMille { get; init; } = 20;

    /// <summary>Malformed requests per thousand.</summary>
    public int MalformedPerMille { get; init; } = 30;

    /// <summary>Fewest AST nodes in an ordinary request.</summary>
    public int MinNodes { get; init; } = 4;

    /// <summary>Most AST nodes in an ordinary request (sizes are spread log-uniformly between the two).</summary>
    public int MaxNodes { get; init; } = 320;

    /// <summary>Fewest AST nodes in an oversized request.</summary>
    public int MinOversizedNodes { get; init; } = 1_200;

    /// <summary>Most AST nodes in an oversized request.</summary>
    public int MaxOversizedNodes { get; init; } = 4_000;
}

/// <summary>
/// Makes request texts (arithmetic expressions such as <c>max(3, 17 * (2 - 5)) % 7 + -4</c>) from a seed.
/// Request <c>i</c> depends only on the seed, the mix and <c>i</c>, so runs are repeatable and two
/// generators with the same seed agree.
/// </summary>
/// <remarks>
/// Node counts are approximate (the generator may overshoot a target by a few nodes). With the default
/// mix, ordinary requests stay under the default budget (<see cref="WorkloadDefaults.BudgetBytes"/>,
/// 16 KiB of AST) and oversized ones need over 37 KiB, so the budget rejects exactly the oversized
/// requests. Malformed requests always fail to parse.
/// </remarks>
public sealed class RequestGenerator
{
    private static readonly string[] s_functions = ["min", "max", "sum", "abs"];

    private readonly ulong _seed;
    private readonly RequestMix _mix;
    private char[] _buffer;
    private int _length;
    private SplitMix64 _rng;

    /// <summary>Creates a generator.</summary>
    /// <param name="seed">The seed; the same seed gives the same requests.</param>
    /// <param name="mix">Proportions and sizes; <see cref="RequestMix.Default"/> when null.</param>
    public RequestGenerator(ulong seed, RequestMix? mix = null)
    {
        _seed = seed;
        _mix = mix ?? RequestMix.Default;

        // Room for the largest request up front (a node writes at most about 16 characters), so that
        // generating never allocates in the middle of a measured run.
        _buffer = new char[Math.Max(4096, _mix.MaxOversizedNodes * 16)];
    }

    /// <summary>The seed.</summary>
    public ulong Seed => _seed;

    /// <summary>
    /// Writes request <paramref name="index"/> into a buffer the generator reuses, so generating
    /// allocates nothing once the buffer has grown to the largest request.
    /// </summary>
    /// <param name="index">Which request.</param>
    /// <returns>The request text, valid until the next call.</returns>
    public ReadOnlySpan<char> Next(long index)
    {
        _rng = new SplitMix64(_seed ^ SplitMix64.Mix((ulong)index + 0x9E3779B97F4A7C15UL));
        _length = 0;
        int roll = _rng.Below(1000);
        bool oversized = roll < _mix.OversizedPerMille;
        bool malformed = !oversized && roll < _mix.OversizedPerMille + _mix.MalformedPerMille;
        int nodes = oversized
            ? _mix.MinOversizedNodes + _rng.Below(_mix.MaxOversizedNodes - _mix.MinOversizedNodes + 1)
            : LogUniform(_mix.MinNodes, _mix.MaxNodes);
        Expression(nodes, 0);
        if (malformed)
        {
            Corrupt();
        }

        return _buffer.AsSpan(0, _length);
    }

    /// <summary>Request <paramref name="index"/> as a new string.</summary>
    /// <param name="index">Which request.</param>
    /// <returns>The request text.</returns>
    public string Generate(long index) => new(Next(index));

    private int LogUniform(int min, int max)
    {
        double t = _rng.NextDouble();
        return (int)Math.Round(min * Math.Pow((double)max / min, t));
    }

    /// <summary>Writes an expression of about <paramref name="nodes"/> AST nodes.</summary>
    private void Expression(int nodes, int depth)
    {
        if (nodes <= 1 || depth > 60)
        {
            Literal();
            return;
        }

        int form = _rng.Below(100);
        if (form < 6)
        {
            Append('-');
            Operand(nodes - 1, depth + 1, forceParentheses: true);
        }
        else if (form < 18 && nodes >= 3)
        {
            string name = s_functions[_rng.Below(s_functions.Length)];
            Append(name);
            Append('(');
            int args = name == "abs" ? 1 : 1 + _rng.Below(Math.Min(nodes - 1, 6));
            int left = nodes - 1;
            for (int i = 0; i < args; i++)
            {
                if (i > 0)
                {
                    Append(_rng.Below(2) == 0 ? ", " : ",");
                }

                int share = i == args - 1 ? left : Math.Max(1, left / (args - i) + _rng.Below(3) - 1);
                share = Math.Min(share, left - (args - 1 - i));
                Expression(share, depth + 1);
                left -= share;
            }

            Append(')');
        }
        else
        {
            int left = 1 + _rng.Below(nodes - 2 + 1);
            left = Math.Min(left, nodes - 2);
            left = Math.Max(left, 1);
            Operand(left, depth + 1, forceParentheses: false);
            int op = _rng.Below(100);
            char symbol = op < 40 ? '+' : op < 70 ? '-' : op < 90 ? '*' : op < 95 ? '/' : '%';
            bool spaced = _rng.Below(2) == 0;
            if (spaced)
            {
                Append(' ');
            }

            Append(symbol);
            if (spaced)
            {
                Append(' ');
            }

            Operand(Math.Max(1, nodes - 1 - left), depth + 1, forceParentheses: false);
        }
    }

    private void Operand(int nodes, int depth, bool forceParentheses)
    {
        if (nodes > 1 && (forceParentheses || _rng.Below(100) < 35))
        {
            Append('(');
            Expression(nodes, depth);
            Append(')');
        }
        else
        {
            Expression(nodes, depth);
        }
    }

    private void Literal()
    {
        int kind = _rng.Below(1000);
        long value = kind < 3 ? 0 : kind < 300 ? 1 + _rng.Below(9) : 1 + _rng.Below(9999);
        Reserve(20);
        value.TryFormat(_buffer.AsSpan(_length), out int written);
        _length += written;
    }

    /// <summary>Breaks the request so that it can never parse.</summary>
    private void Corrupt()
    {
        switch (_rng.Below(4))
        {
            case 0: // an unbalanced closing parenthesis
                Insert(_rng.Below(_length + 1), ')');
                break;
            case 1: // a character outside the language
                Insert(_rng.Below(_length + 1), '#');
                break;
            case 2: // a dangling operator at the end
                Append(" *");
                break;
            default: // an unclosed call
                Insert(0, "sum(");
                break;
        }
    }

    private void Insert(int at, ReadOnlySpan<char> text)
    {
        Reserve(text.Length);
        _buffer.AsSpan(at, _length - at).CopyTo(_buffer.AsSpan(at + text.Length));
        text.CopyTo(_buffer.AsSpan(at));
        _length += text.Length;
    }

    private void Insert(int at, char c) => Insert(at, [c]);

    private void Append(char c)
    {
        Reserve(1);
        _buffer[_length++] = c;
    }

    private void Append(ReadOnlySpan<char> text)
    {
        Reserve(text.Length);
        text.CopyTo(_buffer.AsSpan(_length));
        _length += text.Length;
    }

    private void Reserve(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}

/// <summary>SplitMix64: a tiny, fast, well-mixed generator whose output is the same on every runtime.</summary>
internal struct SplitMix64(ulong state)
{
    private ulong _state = state;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A number in [0, <paramref name="bound"/>); bound must be positive.</summary>
    public int Below(int bound) => (int)((Next() >> 33) % (ulong)bound);

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
