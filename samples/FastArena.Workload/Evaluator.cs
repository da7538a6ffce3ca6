namespace FastArena.Workload;

/// <summary>
/// Evaluates ASTs with wrapping 64-bit arithmetic. The two versions are the same code over the two
/// node representations. Division or remainder by zero fails the request.
/// </summary>
internal static unsafe class Evaluator
{
    /// <summary>Bytes one node takes in the arena; the GC version charges its budget the same.</summary>
    public static readonly int NodeBytes = sizeof(ArenaNode);

    public static bool TryEvaluate(ArenaNode* root, out long value)
    {
        bool failed = false;
        value = Eval(root, ref failed);
        return !failed;
    }

    public static bool TryEvaluate(GcNode root, out long value)
    {
        bool failed = false;
        value = Eval(root, ref failed);
        return !failed;
    }

    private static long Eval(ArenaNode* n, ref bool failed)
    {
        switch (n->Kind)
        {
            case NodeKind.Number:
                return n->Value;
            case NodeKind.Negate:
                return unchecked(-Eval(n->First, ref failed));
            case NodeKind.Abs:
                return Abs(Eval(n->First, ref failed));
            case NodeKind.Min:
            case NodeKind.Max:
            case NodeKind.Sum:
                {
                    long acc = Eval(n->First, ref failed);
                    for (ArenaNode* c = n->First->Next; c != null; c = c->Next)
                    {
                        acc = Fold(n->Kind, acc, Eval(c, ref failed));
                    }

                    return acc;
                }

            default:
                {
                    long left = Eval(n->First, ref failed);
                    long right = Eval(n->First->Next, ref failed);
                    return Apply(n->Kind, left, right, ref failed);
                }
        }
    }

    private static long Eval(GcNode n, ref bool failed)
    {
        switch (n.Kind)
        {
            case NodeKind.Number:
                return n.Value;
            case NodeKind.Negate:
                return unchecked(-Eval(n.First!, ref failed));
            case NodeKind.Abs:
                return Abs(Eval(n.First!, ref failed));
            case NodeKind.Min:
            case NodeKind.Max:
            case NodeKind.Sum:
                {
                    long acc = Eval(n.First!, ref failed);
                    for (GcNode? c = n.First!.Next; c is not null; c = c.Next)
                    {
                        acc = Fold(n.Kind, acc, Eval(c, ref failed));
                    }

                    return acc;
                }

            default:
                {
                    long left = Eval(n.First!, ref failed);
                    long right = Eval(n.First!.Next!, ref failed);
                    return Apply(n.Kind, left, right, ref failed);
                }
        }
    }

    // Math.Abs(long.MinValue) throws; wrap instead, like every other operator here.
    private static long Abs(long x) => x < 0 ? unchecked(-x) : x;

    private static long Fold(NodeKind kind, long acc, long x) => kind switch
    {
        NodeKind.Min => Math.Min(acc, x),
        NodeKind.Max => Math.Max(acc, x),
        _ => unchecked(acc + x),
    };

    private static long Apply(NodeKind kind, long left, long right, ref bool failed)
    {
        unchecked
        {
            switch (kind)
            {
                case NodeKind.Add:
                    return left + right;
                case NodeKind.Subtract:
                    return left - right;
                case NodeKind.Multiply:
                    return left * right;
                case NodeKind.Divide:
                case NodeKind.Remainder:
                    if (right == 0)
                    {
                        failed = true;
                        return 0;
                    }

                    // long.MinValue / -1 overflows (and throws in .NET): wrap it like the other operators.
                    if (right == -1)
                    {
                        return kind == NodeKind.Divide ? -left : 0;
                    }

                    return kind == NodeKind.Divide ? left / right : left % right;
                default:
                    failed = true;
                    return 0;
            }
        }
    }
}
