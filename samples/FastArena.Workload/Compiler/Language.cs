using System.Runtime.CompilerServices;

namespace FastArena.Workload.Compiler;

/// <summary>The tokens of the toy language.</summary>
internal enum TokenKind : byte
{
    End,
    Identifier,
    Integer,
    Fn,
    Let,
    If,
    Else,
    While,
    Return,
    True,
    False,
    IntType,
    BoolType,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    Comma,
    Colon,
    Semicolon,
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    EqualEqual,
    NotEqual,
    AndAnd,
    OrOr,
    Bang,
}

/// <summary>
/// The lexer both front ends share: a cursor over the source that yields one token at a time without
/// allocating (a token is a kind, a position and, for integers, a value).
/// </summary>
internal ref struct Lexer
{
    private readonly ReadOnlySpan<char> _source;
    private int _position;

    public Lexer(ReadOnlySpan<char> source)
    {
        _source = source;
        Next();
    }

    public TokenKind Kind { get; private set; }

    public int Start { get; private set; }

    public int Length { get; private set; }

    public long Value { get; private set; }

    public readonly ReadOnlySpan<char> Text => _source.Slice(Start, Length);

    public void Next()
    {
        ReadOnlySpan<char> s = _source;
        int i = _position;
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }

        Start = i;
        if (i >= s.Length)
        {
            Kind = TokenKind.End;
            Length = 0;
            _position = i;
            return;
        }

        char c = s[i];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            int j = i + 1;
            while (j < s.Length && (char.IsAsciiLetterOrDigit(s[j]) || s[j] == '_'))
            {
                j++;
            }

            Length = j - i;
            Kind = Keyword(s.Slice(i, Length));
            _position = j;
            return;
        }

        if (char.IsAsciiDigit(c))
        {
            long v = 0;
            int j = i;
            while (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                v = unchecked((v * 10) + (s[j] - '0'));
                j++;
            }

            Value = v;
            Length = j - i;
            Kind = TokenKind.Integer;
            _position = j;
            return;
        }

        char d = i + 1 < s.Length ? s[i + 1] : '\0';
        (TokenKind kind, int length) = c switch
        {
            '(' => (TokenKind.LeftParen, 1),
            ')' => (TokenKind.RightParen, 1),
            '{' => (TokenKind.LeftBrace, 1),
            '}' => (TokenKind.RightBrace, 1),
            ',' => (TokenKind.Comma, 1),
            ':' => (TokenKind.Colon, 1),
            ';' => (TokenKind.Semicolon, 1),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            '<' => d == '=' ? (TokenKind.LessEqual, 2) : (TokenKind.Less, 1),
            '>' => d == '=' ? (TokenKind.GreaterEqual, 2) : (TokenKind.Greater, 1),
            '=' => d == '=' ? (TokenKind.EqualEqual, 2) : (TokenKind.Assign, 1),
            '!' => d == '=' ? (TokenKind.NotEqual, 2) : (TokenKind.Bang, 1),
            '&' when d == '&' => (TokenKind.AndAnd, 2),
            '|' when d == '|' => (TokenKind.OrOr, 2),
            _ => throw new CompileException($"unexpected character '{c}'", i),
        };
        Kind = kind;
        Length = length;
        _position = i + length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Expect(TokenKind kind)
    {
        if (Kind != kind)
        {
            Fail(kind);
        }

        Next();
    }

    public readonly void Fail(TokenKind expected) =>
        throw new CompileException($"expected {expected} but found {Kind}", Start);

    private static TokenKind Keyword(ReadOnlySpan<char> word) => word switch
    {
        "fn" => TokenKind.Fn,
        "let" => TokenKind.Let,
        "if" => TokenKind.If,
        "else" => TokenKind.Else,
        "while" => TokenKind.While,
        "return" => TokenKind.Return,
        "true" => TokenKind.True,
        "false" => TokenKind.False,
        "int" => TokenKind.IntType,
        "bool" => TokenKind.BoolType,
        _ => TokenKind.Identifier,
    };
}

/// <summary>A syntax error in a program: what was expected and where.</summary>
public sealed class CompileException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public CompileException()
        : this("syntax error", 0)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public CompileException(string message)
        : this(message, 0)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CompileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a syntax error at <paramref name="position"/>.</summary>
    /// <param name="message">What was expected.</param>
    /// <param name="position">The character offset in the source.</param>
    public CompileException(string message, int position)
        : base($"syntax error at {position}: {message}")
    {
        Position = position;
    }

    /// <summary>The character offset of the error in the source.</summary>
    public int Position { get; }
}

/// <summary>The two value types of the language, plus the markers the checker uses.</summary>
public enum TypeKind : byte
{
    /// <summary>Not yet known.</summary>
    Unknown,

    /// <summary>A 64-bit integer.</summary>
    Int,

    /// <summary>A boolean.</summary>
    Bool,

    /// <summary>An expression whose type could not be determined (an error was reported for it).</summary>
    Error,
}

/// <summary>Binary and unary operators.</summary>
public enum Operator : byte
{
    /// <summary>No operator.</summary>
    None,

    /// <summary>+</summary>
    Add,

    /// <summary>- (binary)</summary>
    Subtract,

    /// <summary>*</summary>
    Multiply,

    /// <summary>/</summary>
    Divide,

    /// <summary>%</summary>
    Remainder,

    /// <summary>&lt;</summary>
    Less,

    /// <summary>&lt;=</summary>
    LessEqual,

    /// <summary>&gt;</summary>
    Greater,

    /// <summary>&gt;=</summary>
    GreaterEqual,

    /// <summary>==</summary>
    Equal,

    /// <summary>!=</summary>
    NotEqual,

    /// <summary>&amp;&amp;</summary>
    And,

    /// <summary>||</summary>
    Or,

    /// <summary>- (unary)</summary>
    Negate,

    /// <summary>!</summary>
    Not,
}

/// <summary>Operator tables both front ends share.</summary>
internal static class Operators
{
    /// <summary>The binary operator of a token and its precedence (higher binds tighter); 0 when the token is none.</summary>
    public static int Binary(TokenKind kind, out Operator op)
    {
        (op, int precedence) = kind switch
        {
            TokenKind.OrOr => (Operator.Or, 1),
            TokenKind.AndAnd => (Operator.And, 2),
            TokenKind.EqualEqual => (Operator.Equal, 3),
            TokenKind.NotEqual => (Operator.NotEqual, 3),
            TokenKind.Less => (Operator.Less, 4),
            TokenKind.LessEqual => (Operator.LessEqual, 4),
            TokenKind.Greater => (Operator.Greater, 4),
            TokenKind.GreaterEqual => (Operator.GreaterEqual, 4),
            TokenKind.Plus => (Operator.Add, 5),
            TokenKind.Minus => (Operator.Subtract, 5),
            TokenKind.Star => (Operator.Multiply, 6),
            TokenKind.Slash => (Operator.Divide, 6),
            TokenKind.Percent => (Operator.Remainder, 6),
            _ => (Operator.None, 0),
        };
        return precedence;
    }

    /// <summary>The type a binary operator produces from well-typed operands, or <see cref="TypeKind.Error"/> (without reporting) when an operand is already an error, or <see cref="TypeKind.Unknown"/> when the operands do not fit.</summary>
    public static TypeKind BinaryResult(Operator op, TypeKind left, TypeKind right)
    {
        if (left == TypeKind.Error || right == TypeKind.Error)
        {
            return TypeKind.Error;
        }

        return op switch
        {
            Operator.Add or Operator.Subtract or Operator.Multiply or Operator.Divide or Operator.Remainder =>
                left == TypeKind.Int && right == TypeKind.Int ? TypeKind.Int : TypeKind.Unknown,
            Operator.Less or Operator.LessEqual or Operator.Greater or Operator.GreaterEqual =>
                left == TypeKind.Int && right == TypeKind.Int ? TypeKind.Bool : TypeKind.Unknown,
            Operator.Equal or Operator.NotEqual => left == right ? TypeKind.Bool : TypeKind.Unknown,
            _ => left == TypeKind.Bool && right == TypeKind.Bool ? TypeKind.Bool : TypeKind.Unknown,
        };
    }

    /// <summary>Like <see cref="BinaryResult"/>, for the unary operators.</summary>
    public static TypeKind UnaryResult(Operator op, TypeKind operand) =>
        operand == TypeKind.Error ? TypeKind.Error
        : op == Operator.Negate ? (operand == TypeKind.Int ? TypeKind.Int : TypeKind.Unknown)
        : operand == TypeKind.Bool ? TypeKind.Bool : TypeKind.Unknown;
}

/// <summary>An instruction of the stack machine the lowering pass emits (16 bytes).</summary>
public readonly record struct Instruction(OpCode Op, int Operand, long Value);

/// <summary>The stack machine's operations.</summary>
public enum OpCode : byte
{
    /// <summary>Starts function <c>Operand</c> with <c>Value</c> locals.</summary>
    Function,

    /// <summary>Pushes <c>Value</c>.</summary>
    Const,

    /// <summary>Pushes local <c>Operand</c>.</summary>
    Load,

    /// <summary>Pops into local <c>Operand</c>.</summary>
    Store,

    /// <summary>Pops two, pushes the result of operator <c>Operand</c>.</summary>
    Binary,

    /// <summary>Pops one, pushes the result of operator <c>Operand</c>.</summary>
    Unary,

    /// <summary>Calls function <c>Operand</c> with <c>Value</c> arguments.</summary>
    Call,

    /// <summary>Jumps to instruction <c>Operand</c>.</summary>
    Jump,

    /// <summary>Pops; jumps to instruction <c>Operand</c> when false.</summary>
    JumpIfFalse,

    /// <summary>Pops the result and returns.</summary>
    Return,
}

/// <summary>What one compilation found and produced; the arena and GC front ends must agree on all of it.</summary>
public record struct CompileResult
{
    /// <summary>AST nodes built by the parser.</summary>
    public long Nodes { get; set; }

    /// <summary>Functions declared.</summary>
    public int Functions { get; set; }

    /// <summary>Names resolved to a declaration (variables, assignments, calls).</summary>
    public long Resolved { get; set; }

    /// <summary>Names that resolved to nothing.</summary>
    public int NameErrors { get; set; }

    /// <summary>Type errors found by the checker.</summary>
    public int TypeErrors { get; set; }

    /// <summary>Instructions emitted by the lowering pass.</summary>
    public long Instructions { get; set; }

    /// <summary>FNV-1a over every emitted instruction, in order.</summary>
    public ulong Checksum { get; set; }

    /// <summary>Adds one instruction to <see cref="Instructions"/> and <see cref="Checksum"/>.</summary>
    /// <param name="instruction">The instruction.</param>
    public void Hash(in Instruction instruction)
    {
        ulong h = Instructions == 0 ? 0xCBF29CE484222325UL : Checksum;
        h = (h ^ (byte)instruction.Op) * 0x100000001B3UL;
        h = (h ^ (uint)instruction.Operand) * 0x100000001B3UL;
        h = (h ^ (ulong)instruction.Value) * 0x100000001B3UL;
        Checksum = h;
        Instructions++;
    }

    /// <inheritdoc/>
    public override readonly string ToString() =>
        $"{Nodes:N0} nodes, {Functions:N0} functions, {Resolved:N0} names resolved, {NameErrors} name errors, {TypeErrors} type errors, {Instructions:N0} instructions, checksum {Checksum:x16}";
}
