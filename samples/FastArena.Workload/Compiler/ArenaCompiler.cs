using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastArena.Workload.Compiler;

// The arena front end. Every AST node is one 32-byte CNode in the arena; children are a first-child /
// next-sibling list; an identifier is its offset and length in the source, which stays pinned for the
// whole compilation (nothing is copied per name). The symbol tables are chained
// hash tables in the arena whose scopes are given back with a rewind when a block ends; the lowered
// code is an ArenaList of instructions. Dropping the whole compilation is one Reset.
//
// Invariants (relied on by every pointer dereference below):
//  C1. Every CNode*, Symbol* and bucket array points into the compilation's arena and
//      stays valid until the compilation ends (Compile resets the arena only at the very end, and a
//      scope's rewind gives back only symbols allocated after that scope began, never AST nodes,
//      because resolution allocates nothing but symbols).
//  C2. A named node's (Function, Parameter, Let, Assign, Variable, Call) NameStart and NameLength
//      are a range of the source, and the source is pinned from the parse to the end of the
//      compilation, so source + NameStart points to NameLength chars; a symbol's Name points there
//      too. First/Next are null or nodes.
//  C3. A symbol table's bucket array holds Mask + 1 entries, each null or a Symbol chain.

internal enum NodeKind : byte
{
    Program,
    Function,
    Parameter,
    Block,
    Let,
    Assign,
    If,
    While,
    Return,
    IntLiteral,
    BoolLiteral,
    Variable,
    Binary,
    Unary,
    Call,
}

/// <summary>
/// One AST node (32 bytes). <see cref="Value"/> and the name share 8 bytes: literals hold their value,
/// the program its function count, a function body's block its number of locals; named nodes hold
/// the name's range in the source (C2). A call's argument count is the number of its children.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal unsafe struct CNode
{
    [FieldOffset(0)]
    public NodeKind Kind;
    [FieldOffset(1)]
    public Operator Op;
    [FieldOffset(2)]
    public TypeKind Type;
    [FieldOffset(3)]
    public TypeKind DeclaredType;
    [FieldOffset(4)]
    public int Slot;
    [FieldOffset(8)]
    public long Value;
    [FieldOffset(8)]
    public int NameStart;
    [FieldOffset(12)]
    public int NameLength;
    [FieldOffset(16)]
    public CNode* First;
    [FieldOffset(24)]
    public CNode* Next;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Symbol
{
    public char* Name;
    public int NameLength;
    public int Hash;
    public Symbol* NextInBucket;
    public Symbol* PreviousDeclared;
    public CNode* Declaration;
    public int Slot;
    public TypeKind Type;
}

/// <summary>A chained hash table of symbols in the arena, with scopes: a new declaration goes to the head of its chain, so the innermost one is found first and a scope's symbols are the first ones popped.</summary>
internal unsafe struct ArenaSymbolTable
{
    private Symbol** _buckets;
    private int _mask;
    private Symbol* _last;

    public ArenaSymbolTable(Arena arena, int capacity)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        // SAFETY (C3): size zeroed pointer slots.
        _buckets = (Symbol**)arena.AllocZeroed(size * sizeof(Symbol*), sizeof(Symbol*));
        _mask = size - 1;
        _last = null;
    }

    public readonly Symbol* Mark => _last;

    public void Declare(Arena arena, char* source, CNode* declaration, int slot, TypeKind type)
    {
        // SAFETY (C2): the declaration's name is a range of the pinned source.
        char* name = source + declaration->NameStart;
        int hash = string.GetHashCode(new ReadOnlySpan<char>(name, declaration->NameLength));
        ref Symbol symbol = ref arena.Alloc(new Symbol
        {
            Name = name,
            NameLength = declaration->NameLength,
            Hash = hash,
            Declaration = declaration,
            Slot = slot,
            Type = type,
        });
        Symbol* s = (Symbol*)Unsafe.AsPointer(ref symbol);
        Symbol** bucket = _buckets + (hash & _mask);
        s->NextInBucket = *bucket;
        s->PreviousDeclared = _last;
        *bucket = s;
        _last = s;
    }

    public readonly Symbol* Find(char* name, int length)
    {
        var key = new ReadOnlySpan<char>(name, length);
        int hash = string.GetHashCode(key);
        for (Symbol* s = _buckets[hash & _mask]; s != null; s = s->NextInBucket)
        {
            if (s->Hash == hash && s->NameLength == length && new ReadOnlySpan<char>(s->Name, length).SequenceEqual(key))
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>Forgets every symbol declared after <paramref name="mark"/>; they head their chains (C3, LIFO).</summary>
    public void PopTo(Symbol* mark)
    {
        while (_last != mark)
        {
            Symbol* s = _last;
            Symbol** bucket = _buckets + (s->Hash & _mask);
            Debug.Assert(*bucket == s, "the newest symbol heads its chain");
            *bucket = s->NextInBucket;
            _last = s->PreviousDeclared;
        }
    }
}

/// <summary>
/// The compiler front end over an arena: parse into arena nodes, resolve names with an arena symbol
/// table, check types, lower to stack-machine code in an <see cref="ArenaList{T}"/>, then drop it all
/// with one <see cref="Arena.Reset"/>.
/// </summary>
public sealed unsafe class ArenaCompiler : IDisposable
{
    private readonly Arena _arena;

    /// <summary>
    /// Creates the compiler and its arena: unchecked mode, a 1 MiB first block, and up to 1 GiB of blocks
    /// kept between compilations (a compiler that runs again and again keeps its memory warm instead of
    /// giving blocks back to the operating system and asking for them again).
    /// </summary>
    public ArenaCompiler() => _arena = new Arena(new ArenaOptions { CheckedMode = false, InitialBlockSize = 1 << 20, MaxRetainedBytes = 1L << 30 });

    /// <summary>The arena the compilations use.</summary>
    public Arena Arena => _arena;

    /// <summary>The arena bytes the last compilation used at its peak.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Compiles <paramref name="source"/> through all four passes and drops the result.</summary>
    /// <param name="source">The program text.</param>
    /// <param name="timings">Where to add the time spent in each pass (Stopwatch ticks); may be null.</param>
    /// <returns>What the passes found and produced.</returns>
    /// <exception cref="CompileException">The program has a syntax error; the arena is reset.</exception>
    public CompileResult Compile(ReadOnlySpan<char> source, PassTimings? timings = null)
    {
        var result = default(CompileResult);
        // SAFETY (C2): the source stays pinned until every pass is done with the names pointing into it.
        fixed (char* text = source)
        {
            result = Compile(source, text, timings);
        }

        return result;
    }

    private CompileResult Compile(ReadOnlySpan<char> source, char* text, PassTimings? timings)
    {
        var result = default(CompileResult);
        try
        {
            long t0 = Stopwatch.GetTimestamp();
            var parser = new Parser(_arena, source);
            CNode* program = parser.ParseProgram();
            result.Nodes = parser.Nodes;
            result.Functions = (int)program->Value;
            long t1 = Stopwatch.GetTimestamp();

            var resolver = new Resolver(_arena, text, result.Functions);
            resolver.Run(program);
            result.Resolved = resolver.Resolved;
            result.NameErrors = resolver.Errors;
            long t2 = Stopwatch.GetTimestamp();

            var checker = new Checker(resolver.FunctionTable);
            checker.Run(program);
            result.TypeErrors = checker.Errors;
            long t3 = Stopwatch.GetTimestamp();

            // Every node emits at most one instruction, plus one per function: reserve that once.
            var code = new ArenaList<Instruction>(_arena, (int)Math.Min(int.MaxValue / 32, result.Nodes + result.Functions));
            Lowering.Run(program, ref code);
            foreach (ref readonly Instruction instruction in code.AsSpan())
            {
                result.Hash(instruction);
            }

            long t4 = Stopwatch.GetTimestamp();
            PeakBytes = _arena.BytesAllocated;
            timings?.Add(t1 - t0, t2 - t1, t3 - t2, t4 - t3);
        }
        finally
        {
            _arena.Reset();
        }

        return result;
    }

    /// <summary>Frees the arena.</summary>
    public void Dispose() => _arena.Dispose();

    private ref struct Parser
    {
        private readonly Arena _arena;
        private Lexer _lexer;

        public Parser(Arena arena, ReadOnlySpan<char> source)
        {
            _arena = arena;
            _lexer = new Lexer(source);
        }

        public long Nodes;

        public CNode* ParseProgram()
        {
            CNode* program = New(NodeKind.Program);
            Nodes--; // the root is not a node of the program
            CNode* last = null;
            int count = 0;
            while (_lexer.Kind != TokenKind.End)
            {
                CNode* f = ParseFunction(count++);
                Append(program, ref last, f);
            }

            program->Value = count;
            return program;
        }

        private CNode* ParseFunction(int index)
        {
            _lexer.Expect(TokenKind.Fn);
            CNode* f = Named(NodeKind.Function);
            f->Slot = index;
            _lexer.Expect(TokenKind.LeftParen);
            CNode* last = null;
            int parameters = 0;
            while (_lexer.Kind != TokenKind.RightParen)
            {
                if (parameters > 0)
                {
                    _lexer.Expect(TokenKind.Comma);
                }

                CNode* p = Named(NodeKind.Parameter);
                _lexer.Expect(TokenKind.Colon);
                p->DeclaredType = ParseType();
                Append(f, ref last, p);
                parameters++;
            }

            _lexer.Next();
            _lexer.Expect(TokenKind.Colon);
            f->DeclaredType = ParseType();
            Append(f, ref last, ParseBlock());
            return f;
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

        private CNode* ParseBlock()
        {
            _lexer.Expect(TokenKind.LeftBrace);
            CNode* block = New(NodeKind.Block);
            CNode* last = null;
            while (_lexer.Kind != TokenKind.RightBrace)
            {
                Append(block, ref last, ParseStatement());
            }

            _lexer.Next();
            return block;
        }

        private CNode* ParseStatement()
        {
            CNode* s;
            switch (_lexer.Kind)
            {
                case TokenKind.Let:
                    _lexer.Next();
                    s = Named(NodeKind.Let);
                    _lexer.Expect(TokenKind.Colon);
                    s->DeclaredType = ParseType();
                    _lexer.Expect(TokenKind.Assign);
                    s->First = ParseExpression(1);
                    _lexer.Expect(TokenKind.Semicolon);
                    return s;
                case TokenKind.Identifier:
                    s = Named(NodeKind.Assign);
                    _lexer.Expect(TokenKind.Assign);
                    s->First = ParseExpression(1);
                    _lexer.Expect(TokenKind.Semicolon);
                    return s;
                case TokenKind.If:
                {
                    _lexer.Next();
                    s = New(NodeKind.If);
                    CNode* cond = ParseExpression(1);
                    s->First = cond;
                    CNode* then = ParseBlock();
                    cond->Next = then;
                    if (_lexer.Kind == TokenKind.Else)
                    {
                        _lexer.Next();
                        then->Next = ParseBlock();
                    }

                    return s;
                }

                case TokenKind.While:
                {
                    _lexer.Next();
                    s = New(NodeKind.While);
                    CNode* cond = ParseExpression(1);
                    s->First = cond;
                    cond->Next = ParseBlock();
                    return s;
                }

                case TokenKind.Return:
                    _lexer.Next();
                    s = New(NodeKind.Return);
                    s->First = ParseExpression(1);
                    _lexer.Expect(TokenKind.Semicolon);
                    return s;
                default:
                    _lexer.Fail(TokenKind.Let);
                    return null;
            }
        }

        /// <summary>Precedence climbing: operators of at least <paramref name="minPrecedence"/>, left-associative.</summary>
        private CNode* ParseExpression(int minPrecedence)
        {
            CNode* left = ParseUnary();
            while (true)
            {
                int precedence = Operators.Binary(_lexer.Kind, out Operator op);
                if (precedence < minPrecedence)
                {
                    return left;
                }

                _lexer.Next();
                CNode* right = ParseExpression(precedence + 1);
                CNode* binary = New(NodeKind.Binary);
                binary->Op = op;
                binary->First = left;
                left->Next = right;
                left = binary;
            }
        }

        private CNode* ParseUnary()
        {
            if (_lexer.Kind is TokenKind.Minus or TokenKind.Bang)
            {
                Operator op = _lexer.Kind == TokenKind.Minus ? Operator.Negate : Operator.Not;
                _lexer.Next();
                CNode* u = New(NodeKind.Unary);
                u->Op = op;
                u->First = ParseUnary();
                return u;
            }

            return ParsePrimary();
        }

        private CNode* ParsePrimary()
        {
            CNode* e;
            switch (_lexer.Kind)
            {
                case TokenKind.Integer:
                    e = New(NodeKind.IntLiteral);
                    e->Value = _lexer.Value;
                    _lexer.Next();
                    return e;
                case TokenKind.True or TokenKind.False:
                    e = New(NodeKind.BoolLiteral);
                    e->Value = _lexer.Kind == TokenKind.True ? 1 : 0;
                    _lexer.Next();
                    return e;
                case TokenKind.LeftParen:
                    _lexer.Next();
                    e = ParseExpression(1);
                    _lexer.Expect(TokenKind.RightParen);
                    return e;
                case TokenKind.Identifier:
                    e = Named(NodeKind.Variable);
                    if (_lexer.Kind != TokenKind.LeftParen)
                    {
                        return e;
                    }

                    e->Kind = NodeKind.Call;
                    _lexer.Next();
                    CNode* last = null;
                    int args = 0;
                    while (_lexer.Kind != TokenKind.RightParen)
                    {
                        if (args > 0)
                        {
                            _lexer.Expect(TokenKind.Comma);
                        }

                        Append(e, ref last, ParseExpression(1));
                        args++;
                    }

                    _lexer.Next();
                    return e;
                default:
                    _lexer.Fail(TokenKind.Integer);
                    return null;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private CNode* New(NodeKind kind)
        {
            Nodes++;
            ref CNode node = ref _arena.AllocUninitialized<CNode>();
            node = default;
            node.Kind = kind;
            node.Slot = -1;
            return (CNode*)Unsafe.AsPointer(ref node);
        }

        /// <summary>A node named by the current identifier token (copied into the arena), which it consumes.</summary>
        private CNode* Named(NodeKind kind)
        {
            if (_lexer.Kind != TokenKind.Identifier)
            {
                _lexer.Fail(TokenKind.Identifier);
            }

            CNode* node = New(kind);
            node->NameStart = _lexer.Start; // C2: a range of the source, no copy
            node->NameLength = _lexer.Length;
            _lexer.Next();
            return node;
        }

        private static void Append(CNode* parent, ref CNode* last, CNode* child)
        {
            if (last == null)
            {
                parent->First = child;
            }
            else
            {
                last->Next = child;
            }

            last = child;
        }
    }

    private struct Resolver
    {
        private readonly Arena _arena;
        private readonly char* _source;
        private ArenaSymbolTable _functions;
        private ArenaSymbolTable _locals;
        private int _nextSlot;

        public Resolver(Arena arena, char* source, int functions)
        {
            _arena = arena;
            _source = source;
            _functions = new ArenaSymbolTable(arena, functions);
            _locals = new ArenaSymbolTable(arena, 128);
            FunctionTable = (CNode**)arena.AllocZeroed(Math.Max(1, functions) * sizeof(CNode*), sizeof(CNode*));
        }

        public CNode** FunctionTable;

        public long Resolved;

        public int Errors;

        public void Run(CNode* program)
        {
            // Functions are visible everywhere: declare them all first.
            for (CNode* f = program->First; f != null; f = f->Next)
            {
                _functions.Declare(_arena, _source, f, f->Slot, f->DeclaredType);
                FunctionTable[f->Slot] = f;
            }

            for (CNode* f = program->First; f != null; f = f->Next)
            {
                Checkpoint scope = _arena.GetCheckpoint();
                Symbol* mark = _locals.Mark;
                _nextSlot = 0;
                CNode* child = f->First;
                for (; child->Kind == NodeKind.Parameter; child = child->Next)
                {
                    _locals.Declare(_arena, _source, child, child->Slot = _nextSlot++, child->DeclaredType);
                }

                Block(child);
                child->Value = _nextSlot; // the body block holds the function's locals (parameters included)
                _locals.PopTo(mark);
                _arena.Rewind(scope); // the function's symbols are gone; its AST stays (C1)
            }
        }

        private void Block(CNode* block)
        {
            Checkpoint scope = _arena.GetCheckpoint();
            Symbol* mark = _locals.Mark;
            for (CNode* s = block->First; s != null; s = s->Next)
            {
                Statement(s);
            }

            _locals.PopTo(mark);
            _arena.Rewind(scope);
        }

        private void Statement(CNode* s)
        {
            switch (s->Kind)
            {
                case NodeKind.Let:
                    Expression(s->First); // before the declaration: the initializer sees the outer name
                    s->Slot = _nextSlot++;
                    _locals.Declare(_arena, _source, s, s->Slot, s->DeclaredType);
                    break;
                case NodeKind.Assign:
                    Bind(s);
                    Expression(s->First);
                    break;
                case NodeKind.If:
                    Expression(s->First);
                    Block(s->First->Next);
                    if (s->First->Next->Next != null)
                    {
                        Block(s->First->Next->Next);
                    }

                    break;
                case NodeKind.While:
                    Expression(s->First);
                    Block(s->First->Next);
                    break;
                default:
                    Expression(s->First);
                    break;
            }
        }

        private void Expression(CNode* e)
        {
            switch (e->Kind)
            {
                case NodeKind.Variable:
                    Bind(e);
                    break;
                case NodeKind.Call:
                    Symbol* f = _functions.Find(_source + e->NameStart, e->NameLength);
                    if (f == null)
                    {
                        Errors++;
                    }
                    else
                    {
                        e->Slot = f->Slot;
                        Resolved++;
                    }

                    for (CNode* a = e->First; a != null; a = a->Next)
                    {
                        Expression(a);
                    }

                    break;
                case NodeKind.Binary:
                    Expression(e->First);
                    Expression(e->First->Next);
                    break;
                case NodeKind.Unary:
                    Expression(e->First);
                    break;
            }
        }

        private void Bind(CNode* use)
        {
            Symbol* s = _locals.Find(_source + use->NameStart, use->NameLength);
            if (s == null)
            {
                Errors++;
                return;
            }

            use->Slot = s->Slot;
            use->DeclaredType = s->Type;
            Resolved++;
        }
    }

    private struct Checker(CNode** functions)
    {
        public int Errors;

        public void Run(CNode* program)
        {
            for (CNode* f = program->First; f != null; f = f->Next)
            {
                CNode* body = f->First;
                while (body->Kind == NodeKind.Parameter)
                {
                    body = body->Next;
                }

                Block(body, f->DeclaredType);
            }
        }

        private void Block(CNode* block, TypeKind result)
        {
            for (CNode* s = block->First; s != null; s = s->Next)
            {
                switch (s->Kind)
                {
                    case NodeKind.Let:
                        Expect(Expression(s->First), s->DeclaredType);
                        break;
                    case NodeKind.Assign:
                        Expect(Expression(s->First), s->Slot < 0 ? TypeKind.Error : s->DeclaredType);
                        break;
                    case NodeKind.If:
                        Expect(Expression(s->First), TypeKind.Bool);
                        Block(s->First->Next, result);
                        if (s->First->Next->Next != null)
                        {
                            Block(s->First->Next->Next, result);
                        }

                        break;
                    case NodeKind.While:
                        Expect(Expression(s->First), TypeKind.Bool);
                        Block(s->First->Next, result);
                        break;
                    default:
                        Expect(Expression(s->First), result);
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

        private TypeKind Expression(CNode* e)
        {
            TypeKind t;
            switch (e->Kind)
            {
                case NodeKind.IntLiteral:
                    t = TypeKind.Int;
                    break;
                case NodeKind.BoolLiteral:
                    t = TypeKind.Bool;
                    break;
                case NodeKind.Variable:
                    t = e->Slot < 0 ? TypeKind.Error : e->DeclaredType;
                    break;
                case NodeKind.Unary:
                    t = Report(Operators.UnaryResult(e->Op, Expression(e->First)));
                    break;
                case NodeKind.Binary:
                {
                    TypeKind left = Expression(e->First);
                    TypeKind right = Expression(e->First->Next);
                    t = Report(Operators.BinaryResult(e->Op, left, right));
                    break;
                }

                default:
                    t = Call(e);
                    break;
            }

            e->Type = t;
            return t;
        }

        private TypeKind Call(CNode* call)
        {
            CNode* f = call->Slot < 0 ? null : functions[call->Slot];
            CNode* parameter = f == null ? null : f->First;
            bool ok = f != null;
            for (CNode* a = call->First; a != null; a = a->Next)
            {
                TypeKind t = Expression(a);
                if (parameter != null && parameter->Kind == NodeKind.Parameter)
                {
                    Expect(t, parameter->DeclaredType);
                    parameter = parameter->Next;
                }
                else if (f != null)
                {
                    ok = false; // too many arguments
                }
            }

            if (parameter != null && parameter->Kind == NodeKind.Parameter)
            {
                ok = false; // too few
            }

            if (f == null)
            {
                return TypeKind.Error;
            }

            if (!ok)
            {
                Errors++;
                return TypeKind.Error;
            }

            return f->DeclaredType;
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
        public static void Run(CNode* program, ref ArenaList<Instruction> code)
        {
            for (CNode* f = program->First; f != null; f = f->Next)
            {
                CNode* body = f->First;
                while (body->Kind == NodeKind.Parameter)
                {
                    body = body->Next;
                }

                code.Add(new Instruction(OpCode.Function, f->Slot, body->Value));
                Block(body, ref code);
            }
        }

        private static void Block(CNode* block, ref ArenaList<Instruction> code)
        {
            for (CNode* s = block->First; s != null; s = s->Next)
            {
                switch (s->Kind)
                {
                    case NodeKind.Let:
                    case NodeKind.Assign:
                        Expression(s->First, ref code);
                        code.Add(new Instruction(OpCode.Store, s->Slot, 0));
                        break;
                    case NodeKind.If:
                    {
                        Expression(s->First, ref code);
                        int jumpElse = code.Count;
                        code.Add(new Instruction(OpCode.JumpIfFalse, 0, 0));
                        Block(s->First->Next, ref code);
                        CNode* otherwise = s->First->Next->Next;
                        if (otherwise == null)
                        {
                            code[jumpElse] = new Instruction(OpCode.JumpIfFalse, code.Count, 0);
                        }
                        else
                        {
                            int jumpEnd = code.Count;
                            code.Add(new Instruction(OpCode.Jump, 0, 0));
                            code[jumpElse] = new Instruction(OpCode.JumpIfFalse, code.Count, 0);
                            Block(otherwise, ref code);
                            code[jumpEnd] = new Instruction(OpCode.Jump, code.Count, 0);
                        }

                        break;
                    }

                    case NodeKind.While:
                    {
                        int start = code.Count;
                        Expression(s->First, ref code);
                        int exit = code.Count;
                        code.Add(new Instruction(OpCode.JumpIfFalse, 0, 0));
                        Block(s->First->Next, ref code);
                        code.Add(new Instruction(OpCode.Jump, start, 0));
                        code[exit] = new Instruction(OpCode.JumpIfFalse, code.Count, 0);
                        break;
                    }

                    default:
                        Expression(s->First, ref code);
                        code.Add(new Instruction(OpCode.Return, 0, 0));
                        break;
                }
            }
        }

        private static void Expression(CNode* e, ref ArenaList<Instruction> code)
        {
            switch (e->Kind)
            {
                case NodeKind.IntLiteral:
                case NodeKind.BoolLiteral:
                    code.Add(new Instruction(OpCode.Const, 0, e->Value));
                    break;
                case NodeKind.Variable:
                    code.Add(new Instruction(OpCode.Load, e->Slot, 0));
                    break;
                case NodeKind.Unary:
                    Expression(e->First, ref code);
                    code.Add(new Instruction(OpCode.Unary, (int)e->Op, 0));
                    break;
                case NodeKind.Binary:
                    Expression(e->First, ref code);
                    Expression(e->First->Next, ref code);
                    code.Add(new Instruction(OpCode.Binary, (int)e->Op, 0));
                    break;
                default:
                    int args = 0;
                    for (CNode* a = e->First; a != null; a = a->Next)
                    {
                        Expression(a, ref code);
                        args++;
                    }

                    code.Add(new Instruction(OpCode.Call, e->Slot, args));
                    break;
            }
        }
    }
}

/// <summary>Time spent in each pass over one or more compilations, in <see cref="Stopwatch"/> ticks.</summary>
public sealed class PassTimings
{
    /// <summary>Parsing.</summary>
    public long Parse { get; private set; }

    /// <summary>Name resolution.</summary>
    public long Resolve { get; private set; }

    /// <summary>Type checking.</summary>
    public long Check { get; private set; }

    /// <summary>Lowering (and hashing the code).</summary>
    public long Lower { get; private set; }

    /// <summary>Adds one compilation's times.</summary>
    /// <param name="parse">Parsing.</param>
    /// <param name="resolve">Name resolution.</param>
    /// <param name="check">Type checking.</param>
    /// <param name="lower">Lowering.</param>
    public void Add(long parse, long resolve, long check, long lower)
    {
        Parse += parse;
        Resolve += resolve;
        Check += check;
        Lower += lower;
    }
}
