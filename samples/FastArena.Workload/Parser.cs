namespace FastArena.Workload;

/// <summary>
/// A recursive-descent parser for the request language, written once for both node kinds:
/// <code>
/// expr    := term (('+' | '-') term)*
/// term    := unary (('*' | '/' | '%') unary)*
/// unary   := '-' unary | primary
/// primary := number | name '(' expr (',' expr)* ')' | '(' expr ')'
/// name    := 'min' | 'max' | 'sum' | 'abs'      (abs takes exactly one argument)
/// </code>
/// Whitespace may appear between tokens. Any other input is a syntax error, and a node the builder
/// refuses (the budget) ends the parse too: TryParse is then false, with <see cref="OverBudget"/> telling which.
/// </summary>
internal ref struct Parser<TBuilder, TNode>
    where TBuilder : struct, IAstBuilder<TNode>
{
    /// <summary>Nesting deeper than this is a syntax error, so no input can overflow the stack.</summary>
    public const int MaxDepth = 200;

    private readonly ReadOnlySpan<char> _text;
    private TBuilder _builder;
    private int _pos;
    private int _depth;
    private bool _failed;
    private bool _overBudget;

    public Parser(ReadOnlySpan<char> text, TBuilder builder)
    {
        _text = text;
        _builder = builder;
    }

    /// <summary>Whether the parse ended because the builder refused a node.</summary>
    public readonly bool OverBudget => _overBudget;

    public bool TryParse(out TNode root)
    {
        root = Expr();
        SkipSpaces();
        return !_failed && _pos == _text.Length;
    }

    private TNode Expr()
    {
        if (++_depth > MaxDepth)
        {
            return Fail();
        }

        TNode left = Term();
        while (!_failed)
        {
            SkipSpaces();
            NodeKind kind;
            if (Peek() == '+')
            {
                kind = NodeKind.Add;
            }
            else if (Peek() == '-')
            {
                kind = NodeKind.Subtract;
            }
            else
            {
                break;
            }

            _pos++;
            TNode right = Term();
            if (_failed)
            {
                break;
            }

            left = Binary(kind, left, right);
        }

        _depth--;
        return left;
    }

    private TNode Term()
    {
        TNode left = Unary();
        while (!_failed)
        {
            SkipSpaces();
            NodeKind kind;
            switch (Peek())
            {
                case '*':
                    kind = NodeKind.Multiply;
                    break;
                case '/':
                    kind = NodeKind.Divide;
                    break;
                case '%':
                    kind = NodeKind.Remainder;
                    break;
                default:
                    return left;
            }

            _pos++;
            TNode right = Unary();
            if (_failed)
            {
                break;
            }

            left = Binary(kind, left, right);
        }

        return left;
    }

    private TNode Unary()
    {
        SkipSpaces();
        if (Peek() != '-')
        {
            return Primary();
        }

        _pos++;
        if (++_depth > MaxDepth)
        {
            return Fail();
        }

        TNode operand = Unary();
        _depth--;
        return _failed ? default! : Node(NodeKind.Negate, operand);
    }

    private TNode Primary()
    {
        char c = Peek();
        if (char.IsAsciiDigit(c))
        {
            return Number();
        }

        if (c == '(')
        {
            _pos++;
            TNode inner = Expr();
            return _failed || !Expect(')') ? Fail() : inner;
        }

        if (char.IsAsciiLetterLower(c))
        {
            return Call();
        }

        return Fail();
    }

    private TNode Number()
    {
        long value = 0;
        int start = _pos;
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            if (_pos - start == 18)
            {
                return Fail();
            }

            value = (value * 10) + (_text[_pos++] - '0');
        }

        return _builder.TryLeaf(value, out TNode leaf) ? leaf : OutOfBudget();
    }

    private TNode Call()
    {
        int start = _pos;
        while (_pos < _text.Length && char.IsAsciiLetterLower(_text[_pos]))
        {
            _pos++;
        }

        NodeKind kind;
        switch (_text[start.._pos])
        {
            case "min":
                kind = NodeKind.Min;
                break;
            case "max":
                kind = NodeKind.Max;
                break;
            case "sum":
                kind = NodeKind.Sum;
                break;
            case "abs":
                kind = NodeKind.Abs;
                break;
            default:
                return Fail();
        }

        SkipSpaces();
        if (!Expect('('))
        {
            return Fail();
        }

        TNode first = Expr();
        TNode last = first;
        int count = 1;
        while (!_failed)
        {
            SkipSpaces();
            if (Peek() != ',')
            {
                break;
            }

            _pos++;
            TNode next = Expr();
            if (_failed)
            {
                break;
            }

            _builder.Link(last, next);
            last = next;
            count++;
        }

        if (_failed || !Expect(')') || (kind == NodeKind.Abs && count != 1))
        {
            return Fail();
        }

        return Node(kind, first);
    }

    private TNode Binary(NodeKind kind, TNode left, TNode right)
    {
        _builder.Link(left, right);
        return Node(kind, left);
    }

    private TNode Node(NodeKind kind, TNode first) => _builder.TryNode(kind, first, out TNode node) ? node : OutOfBudget();

    private TNode OutOfBudget()
    {
        _overBudget = true;
        return Fail();
    }

    private bool Expect(char c)
    {
        SkipSpaces();
        if (Peek() != c)
        {
            return false;
        }

        _pos++;
        return true;
    }

    private readonly char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipSpaces()
    {
        while (_pos < _text.Length && _text[_pos] == ' ')
        {
            _pos++;
        }
    }

    private TNode Fail()
    {
        _failed = true;
        return default!;
    }
}
