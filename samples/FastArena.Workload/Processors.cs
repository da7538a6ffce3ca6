namespace FastArena.Workload;

/// <summary>How a request ended.</summary>
public enum RequestOutcome
{
    /// <summary>Parsed and evaluated; its transaction committed.</summary>
    Ok,

    /// <summary>Its AST outgrew the byte budget: rejected, its transaction rolled back.</summary>
    RejectedByBudget,

    /// <summary>Malformed (a syntax error or a division by zero): its transaction rolled back.</summary>
    RolledBack,
}

/// <summary>Defaults shared by the demo and the benchmarks.</summary>
public static class WorkloadDefaults
{
    /// <summary>The per-request byte budget: 16 KiB, room for 512 AST nodes.</summary>
    public const long BudgetBytes = 16 * 1024;

    /// <summary>The default seed.</summary>
    public const ulong Seed = 42;
}

/// <summary>Processes one request at a time: parse, evaluate, end.</summary>
public interface IRequestProcessor
{
    /// <summary>Parses and evaluates <paramref name="request"/>.</summary>
    /// <param name="request">The request text.</param>
    /// <param name="result">The value when the outcome is <see cref="RequestOutcome.Ok"/>; otherwise 0.</param>
    /// <returns>How the request ended.</returns>
    RequestOutcome Process(ReadOnlySpan<char> request, out long result);
}

/// <summary>
/// The arena version: one warm <see cref="FastArena.Arena"/> for every request. Per request it opens a
/// transaction with a byte budget, parses into arena nodes (<see cref="Arena.TryAlloc{T}(T, out ArenaRef{T})"/>,
/// so a request that hits the budget costs no exception), evaluates, commits (or rolls back a malformed
/// request, or one that hit the budget), then resets the arena.
/// </summary>
public sealed unsafe class ArenaRequestProcessor : IRequestProcessor, IDisposable
{
    private readonly Arena _arena;
    private readonly long _budget;

    /// <summary>Creates the processor and its arena.</summary>
    /// <param name="budgetBytes">The byte budget of each request, at least 0.</param>
    /// <param name="options">Arena options; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="budgetBytes"/> is negative.</exception>
    public ArenaRequestProcessor(long budgetBytes = WorkloadDefaults.BudgetBytes, ArenaOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        _budget = budgetBytes;
        _arena = new Arena(options ?? ArenaOptions.Default);
    }

    /// <summary>The arena the requests use.</summary>
    public Arena Arena => _arena;

    /// <summary>The most arena bytes any one request used (rejected ones included).</summary>
    public long PeakRequestBytes { get; private set; }

    /// <summary>Arena bytes allocated over all requests (each is given back by the request's reset).</summary>
    public long TotalArenaBytes { get; private set; }

    /// <inheritdoc/>
    public RequestOutcome Process(ReadOnlySpan<char> request, out long result)
    {
        RequestOutcome outcome;
        using (Transaction tx = _arena.BeginTransaction())
        {
            tx.SetLimit(_budget);
            var parser = new Parser<ArenaBuilder, nint>(request, new ArenaBuilder(_arena));
            bool parsed = parser.TryParse(out nint root);
            Account(tx.BytesUsed);
            if (parsed && Evaluator.TryEvaluate((ArenaNode*)root, out result))
            {
                tx.Commit();
                outcome = RequestOutcome.Ok;
            }
            else
            {
                // Leaving the using block without a commit rolls the transaction back.
                result = 0;
                outcome = parser.OverBudget ? RequestOutcome.RejectedByBudget : RequestOutcome.RolledBack;
            }
        }

        _arena.Reset();
        return outcome;
    }

    /// <summary>Frees the arena.</summary>
    public void Dispose() => _arena.Dispose();

    private void Account(long bytes)
    {
        TotalArenaBytes += bytes;
        if (bytes > PeakRequestBytes)
        {
            PeakRequestBytes = bytes;
        }
    }
}

/// <summary>
/// The baseline: the same parser and evaluator over ordinary <see cref="GcNode"/> objects, with the same
/// budget counted by hand (32 bytes a node); the garbage collector reclaims each request's nodes.
/// </summary>
public sealed class GcRequestProcessor : IRequestProcessor
{
    private readonly long _budget;

    /// <summary>Creates the processor.</summary>
    /// <param name="budgetBytes">The byte budget of each request, at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="budgetBytes"/> is negative.</exception>
    public GcRequestProcessor(long budgetBytes = WorkloadDefaults.BudgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        _budget = budgetBytes;
    }

    /// <inheritdoc/>
    public RequestOutcome Process(ReadOnlySpan<char> request, out long result)
    {
        var parser = new Parser<GcBuilder, GcNode?>(request, new GcBuilder(_budget));
        if (parser.TryParse(out GcNode? root) && Evaluator.TryEvaluate(root!, out result))
        {
            return RequestOutcome.Ok;
        }

        result = 0;
        return parser.OverBudget ? RequestOutcome.RejectedByBudget : RequestOutcome.RolledBack;
    }
}

/// <summary>
/// What a run did: counts per outcome and a checksum over every request's outcome and result, in
/// order. The arena and GC versions of a run must agree on all of it.
/// </summary>
public struct WorkloadCounters : IEquatable<WorkloadCounters>
{
    /// <summary>Requests processed.</summary>
    public long Requests;

    /// <summary>Requests that completed.</summary>
    public long Completed;

    /// <summary>Requests rejected by the byte budget.</summary>
    public long RejectedByBudget;

    /// <summary>Malformed requests, rolled back.</summary>
    public long RolledBack;

    /// <summary>An order-dependent hash (FNV-1a style) of every outcome and result.</summary>
    public ulong Checksum;

    /// <summary>Adds one request.</summary>
    /// <param name="outcome">How it ended.</param>
    /// <param name="result">Its result (0 unless it completed).</param>
    public void Record(RequestOutcome outcome, long result)
    {
        Requests++;
        switch (outcome)
        {
            case RequestOutcome.Ok:
                Completed++;
                break;
            case RequestOutcome.RejectedByBudget:
                RejectedByBudget++;
                break;
            default:
                RolledBack++;
                break;
        }

        ulong h = Checksum == 0 ? 0xCBF29CE484222325UL : Checksum;
        h = (h ^ (ulong)outcome) * 0x100000001B3UL;
        h = (h ^ (ulong)result) * 0x100000001B3UL;
        Checksum = h;
    }

    /// <summary>Runs requests [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) through a processor.</summary>
    /// <param name="processor">The arena or GC processor.</param>
    /// <param name="generator">Makes the requests.</param>
    /// <param name="first">Index of the first request.</param>
    /// <param name="count">How many.</param>
    /// <returns>The counters of the run.</returns>
    public static WorkloadCounters Run(IRequestProcessor processor, RequestGenerator generator, long first, long count)
    {
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(generator);
        var counters = default(WorkloadCounters);
        for (long i = first; i < first + count; i++)
        {
            RequestOutcome outcome = processor.Process(generator.Next(i), out long result);
            counters.Record(outcome, result);
        }

        return counters;
    }

    /// <inheritdoc/>
    public readonly bool Equals(WorkloadCounters other) =>
        Requests == other.Requests && Completed == other.Completed && RejectedByBudget == other.RejectedByBudget
        && RolledBack == other.RolledBack && Checksum == other.Checksum;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is WorkloadCounters other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(Requests, Completed, RejectedByBudget, RolledBack, Checksum);

    /// <summary>Whether two runs agree.</summary>
    public static bool operator ==(WorkloadCounters left, WorkloadCounters right) => left.Equals(right);

    /// <summary>Whether two runs disagree.</summary>
    public static bool operator !=(WorkloadCounters left, WorkloadCounters right) => !left.Equals(right);

    /// <inheritdoc/>
    public override readonly string ToString() =>
        $"{Requests} requests: {Completed} ok, {RejectedByBudget} rejected by budget, {RolledBack} rolled back, checksum {Checksum:x16}";
}
