using BenchmarkDotNet.Attributes;
using FastArena.Workload;

namespace FastArena.Benchmarks;

/// <summary>
/// The real workload (samples/FastArena.Workload): parse and evaluate requests into an AST per request,
/// in an arena (transaction, budget, reset) or in GC objects. Per request: <see cref="Requests"/> requests
/// per invocation, the same seeded set every time (2% oversized, 3% malformed).
/// </summary>
[MemoryDiagnoser]
public class WorkloadBenchmarks
{
    /// <summary>Requests per invocation.</summary>
    public const int Requests = 512;

    private string[] _requests = null!;
    private ArenaRequestProcessor _arena = null!;
    private GcRequestProcessor _gc = null!;

    /// <summary>Generates the requests and checks that both versions agree on every result.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var generator = new RequestGenerator(WorkloadDefaults.Seed);
        _requests = Enumerable.Range(0, Requests).Select(i => generator.Generate(i)).ToArray();
        _arena = new ArenaRequestProcessor(WorkloadDefaults.BudgetBytes);
        _gc = new GcRequestProcessor(WorkloadDefaults.BudgetBytes);
        WorkloadCounters arena = Run(_arena);
        WorkloadCounters gc = Run(_gc);
        if (arena != gc)
        {
            throw new InvalidOperationException($"The arena and GC versions disagree: {arena} vs {gc}.");
        }
    }

    /// <summary>Frees the arena.</summary>
    [GlobalCleanup]
    public void Cleanup() => _arena.Dispose();

    /// <summary>The baseline: the AST in ordinary GC objects.</summary>
    /// <returns>The checksum.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public ulong Gc_Requests() => Run(_gc).Checksum;

    /// <summary>The AST in an arena: a transaction with a budget per request, then a reset.</summary>
    /// <returns>The checksum.</returns>
    [Benchmark(OperationsPerInvoke = Requests)]
    public ulong Arena_Requests() => Run(_arena).Checksum;

    private WorkloadCounters Run(IRequestProcessor processor)
    {
        var counters = default(WorkloadCounters);
        foreach (string request in _requests)
        {
            RequestOutcome outcome = processor.Process(request, out long result);
            counters.Record(outcome, result);
        }

        return counters;
    }
}
