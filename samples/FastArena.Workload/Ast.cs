using System.Runtime.CompilerServices;

namespace FastArena.Workload;

/// <summary>What an AST node is: a literal, an operator, or a function call.</summary>
public enum NodeKind
{
    /// <summary>An integer literal; the value is in the node.</summary>
    Number,

    /// <summary>Unary minus of the first child.</summary>
    Negate,

    /// <summary>First child plus second child.</summary>
    Add,

    /// <summary>First child minus second child.</summary>
    Subtract,

    /// <summary>First child times second child.</summary>
    Multiply,

    /// <summary>First child divided by second child (truncating); division by zero fails the request.</summary>
    Divide,

    /// <summary>Remainder of first child by second child; by zero fails the request.</summary>
    Remainder,

    /// <summary><c>min(a, ...)</c>: the smallest argument.</summary>
    Min,

    /// <summary><c>max(a, ...)</c>: the largest argument.</summary>
    Max,

    /// <summary><c>sum(a, ...)</c>: the sum of the arguments.</summary>
    Sum,

    /// <summary><c>abs(a)</c>: the absolute value of its one argument.</summary>
    Abs,
}

/// <summary>
/// An AST node that lives in an arena: an unmanaged struct of 32 bytes. Children form a
/// first-child / next-sibling list, so every node has the same size whatever its arity.
/// </summary>
public unsafe struct ArenaNode
{
    /// <summary>The node's kind.</summary>
    public NodeKind Kind;

    /// <summary>The literal's value (for <see cref="NodeKind.Number"/>).</summary>
    public long Value;

    /// <summary>The first child, or null.</summary>
    public ArenaNode* First;

    /// <summary>The next sibling, or null.</summary>
    public ArenaNode* Next;
}

/// <summary>The same AST node as an ordinary garbage-collected class: the baseline.</summary>
public sealed class GcNode
{
    /// <summary>The node's kind.</summary>
    public NodeKind Kind;

    /// <summary>The literal's value (for <see cref="NodeKind.Number"/>).</summary>
    public long Value;

    /// <summary>The first child, or null.</summary>
    public GcNode? First;

    /// <summary>The next sibling, or null.</summary>
    public GcNode? Next;
}

/// <summary>
/// Builds AST nodes; the parser is written once against this interface. A node that would break the
/// byte budget is refused (false), never thrown: a refused request costs no exception, in either version.
/// </summary>
/// <typeparam name="TNode">How a node is referred to.</typeparam>
internal interface IAstBuilder<TNode>
{
    bool TryLeaf(long value, out TNode node);

    /// <summary>A node of <paramref name="kind"/> whose children are <paramref name="first"/> and its siblings.</summary>
    bool TryNode(NodeKind kind, TNode first, out TNode node);

    /// <summary>Makes <paramref name="next"/> the next sibling of <paramref name="node"/>.</summary>
    void Link(TNode node, TNode next);
}

/// <summary>Arena nodes: each node is one <see cref="Arena.TryAlloc{T}(T, out ArenaRef{T})"/>, which refuses past the budget.</summary>
internal readonly unsafe struct ArenaBuilder(Arena arena) : IAstBuilder<nint>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLeaf(long value, out nint node) =>
        TryAdd(new ArenaNode { Kind = NodeKind.Number, Value = value }, out node);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryNode(NodeKind kind, nint first, out nint node) =>
        TryAdd(new ArenaNode { Kind = kind, First = (ArenaNode*)first }, out node);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Link(nint node, nint next) => ((ArenaNode*)node)->Next = (ArenaNode*)next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryAdd(in ArenaNode value, out nint node)
    {
        bool ok = arena.TryAlloc(value, out ArenaRef<ArenaNode> handle);
        node = (nint)handle.DangerousGetPointer();
        return ok;
    }
}

/// <summary>GC nodes, with the same budget as the arena's counted by hand (32 bytes a node, like <see cref="ArenaNode"/>).</summary>
internal struct GcBuilder(long budgetBytes) : IAstBuilder<GcNode?>
{
    private long _bytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLeaf(long value, out GcNode? node)
    {
        node = Charge() ? new GcNode { Kind = NodeKind.Number, Value = value } : null;
        return node is not null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryNode(NodeKind kind, GcNode? first, out GcNode? node)
    {
        node = Charge() ? new GcNode { Kind = kind, First = first } : null;
        return node is not null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Link(GcNode? node, GcNode? next) => node!.Next = next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Charge()
    {
        _bytes += Evaluator.NodeBytes;
        return _bytes <= budgetBytes;
    }
}
