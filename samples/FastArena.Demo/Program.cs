// The FastArena demo: three workloads, each with an arena and with the usual .NET way, side by side.
//  1. requests: parse + evaluate arithmetic requests into an AST per request (arena vs GC classes);
//  2. json: a generated API corpus through FastArena.Json, JsonDocument, JsonNode and JsonSerializer;
//  3. compiler: a generated program of a million AST nodes through four passes (arena vs GC classes),
//     each version in its own process.
// Exits 0 when every workload's versions agree on every result, 1 when one does not, 2 on a bad option.
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using FastArena;
using FastArena.Workload;

namespace FastArena.Demo;

internal static class Program
{
    private const string Usage = """
        FastArena demo: three workloads, each with an arena and with the usual .NET way, side by side.

          requests  arithmetic requests such as "max(3, 17 * (2 - 5)) % 7 + -4", each parsed into an AST in
                    a transaction with a byte budget and evaluated, then the arena is reset; against the same
                    parser over GC classes.
          json      a generated corpus of e-commerce API payloads (1-10 KB) and one large document, each
                    parsed, queried (the same query) and released by FastArena.Json, JsonDocument, JsonNode
                    and JsonSerializer into source-generated classes.
          compiler  a generated program (1,000,000 AST nodes by default) parsed, name-resolved with a symbol
                    table, type-checked and lowered to stack code, then dropped; arena vs GC classes, each in
                    its own process so that peak memory is its own.
        Every workload's versions must agree on every result.

        Usage: ./build.sh demo [options]      (or: dotnet run -c Release --project samples/FastArena.Demo -- [options])

        Options:
          --workload NAME   all (default), requests, json or compiler
          --size SIZE       smoke (seconds), default (under a minute on 2 cores) or large (minutes)
          --requests N      requests per run (default 1000000; 1 to 20000000)
          --json-docs N     number of small JSON payloads (default 1000)
          --json-rounds N   rounds over the small JSON payloads (default 5; 0 to 1000; 0 runs the large document only)
          --json-mb N       size of the large JSON document in MB (default 8; 1 to 1000, and refused when the
                            machine lacks about 16 bytes of memory per byte of JSON, which the four libraries need)
          --nodes N         AST nodes of the generated program (default 1000000; 1000 to 50000000)
          --runs N          runs of the large JSON document and of the compiler (default 3)
          --seed N          seed of every generator (default 42)
          --budget BYTES    byte budget of each request (default 16384 = 512 AST nodes of 32 bytes)
          --help            show this text

        Exit code: 0 when every workload's versions agree, 1 when one differs, 2 on a bad option.
        """;

    private static int Main(string[] args)
    {
        Options options;
        try
        {
            if (!Options.TryParse(args, out options))
            {
                Console.WriteLine(Usage);
                return 0;
            }
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message} (try --help)");
            return 2;
        }

        if (options.Child is string child)
        {
            return CompilerDemo.Child(child, options);
        }

        Console.WriteLine($"FastArena demo: {options.Workloads} at size {options.Size}, seed {options.Seed}");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Console.WriteLine();

        bool agree = true;
        if (options.Workloads.HasFlag(Workloads.Requests))
        {
            agree &= RunRequests(options);
            Console.WriteLine();
        }

        if (options.Workloads.HasFlag(Workloads.Json))
        {
            agree &= JsonDemo.Run(options);
            Console.WriteLine();
        }

        if (options.Workloads.HasFlag(Workloads.Compiler))
        {
            agree &= CompilerDemo.Run(options);
            Console.WriteLine();
        }

        Console.WriteLine(agree ? "Every workload: the versions agree." : "error: a workload's versions disagree (see above).");
        return agree ? 0 : 1;
    }

    private static bool RunRequests(Options options)
    {
        Console.WriteLine(
            $"Requests: {options.Requests:N0} requests per run, seed {options.Seed}, budget {options.Budget:N0} bytes per request");

        // Warm up both paths (JIT, tiered compilation, the arena's block) on requests the runs do not use.
        var generator = new RequestGenerator(options.Seed);
        using var arenaProcessor = new ArenaRequestProcessor(options.Budget);
        var gcProcessor = new GcRequestProcessor(options.Budget);
        long warmup = Math.Min(options.Requests, 20_000);
        WorkloadCounters.Run(arenaProcessor, generator, -warmup - 1, warmup);
        WorkloadCounters.Run(gcProcessor, generator, -warmup - 1, warmup);

        (RunResult arena, RunResult gc) = Run(arenaProcessor, gcProcessor, generator, options.Requests);

        Console.WriteLine();
        PrintSummary(options, arena, gc, arenaProcessor);

        if (arena.Counters != gc.Counters)
        {
            Console.Error.WriteLine("error: the arena and GC runs disagree:");
            Console.Error.WriteLine($"  arena: {arena.Counters}");
            Console.Error.WriteLine($"  GC:    {gc.Counters}");
            return false;
        }

        Console.WriteLine($"Both runs agree: {arena.Counters}.");
        return true;
    }

    /// <summary>
    /// Runs the requests through both processors in alternating chunks, so that whatever else the
    /// machine does at the time weighs on both versions alike. Each version sees every request, in order.
    /// </summary>
    private static (RunResult Arena, RunResult Gc) Run(
        IRequestProcessor arenaProcessor, IRequestProcessor gcProcessor, RequestGenerator generator, long count)
    {
        const int Chunk = 8192;
        var arena = new Meter("arena", count);
        var gc = new Meter("GC classes", count);
        var progress = new Progress(count);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        for (long first = 0; first < count; first += Chunk)
        {
            long n = Math.Min(Chunk, count - first);
            arena.RunChunk(arenaProcessor, generator, first, n);
            gc.RunChunk(gcProcessor, generator, first, n);
            progress.Update(first + n, arena, gc); // outside both meters' windows: its strings are not counted
        }

        progress.Finish(arena, gc);
        return (arena.Result(), gc.Result());
    }

    internal static double Microseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static void PrintSummary(Options options, RunResult arena, RunResult gc, ArenaRequestProcessor processor)
    {
        ArenaStats stats = processor.Arena.Stats;
        var rows = new List<(string Label, string Arena, string Gc)>
        {
            ("requests/s", N(arena.RequestsPerSecond), N(gc.RequestsPerSecond)),
            ("speed vs GC classes", $"{arena.RequestsPerSecond / gc.RequestsPerSecond:0.00}x", "1.00x"),
            ("time in requests", $"{arena.Seconds:0.000} s", $"{gc.Seconds:0.000} s"),
            ("latency p50", $"{arena.P50Microseconds:0.0} µs", $"{gc.P50Microseconds:0.0} µs"),
            ("latency p99", $"{arena.P99Microseconds:0.0} µs", $"{gc.P99Microseconds:0.0} µs"),
            ("latency max", $"{arena.MaxMicroseconds:0.0} µs", $"{gc.MaxMicroseconds:0.0} µs"),
            ("managed bytes allocated", N(arena.AllocatedBytes), N(gc.AllocatedBytes)),
            ("GC collections gen0/1/2", $"{arena.Gen0}/{arena.Gen1}/{arena.Gen2}", $"{gc.Gen0}/{gc.Gen1}/{gc.Gen2}"),
            ("requests completed", N(arena.Counters.Completed), N(gc.Counters.Completed)),
            ("rejected by budget", N(arena.Counters.RejectedByBudget), N(gc.Counters.RejectedByBudget)),
            ("rolled back (malformed)", N(arena.Counters.RolledBack), N(gc.Counters.RolledBack)),
            ("results checksum", $"{arena.Counters.Checksum:x16}", $"{gc.Counters.Checksum:x16}"),
            ("arena bytes, all requests", N(processor.TotalArenaBytes), "-"),
            ("arena bytes, largest request", N(processor.PeakRequestBytes), "-"),
            ("arena reserved / blocks", $"{N(stats.BytesReserved)} / {stats.BlockCount}", "-"),
        };

        int w0 = Math.Max("".Length, rows.Max(r => r.Label.Length));
        int w1 = Math.Max("arena".Length, rows.Max(r => r.Arena.Length));
        int w2 = Math.Max("GC classes".Length, rows.Max(r => r.Gc.Length));
        string line = $"+-{new string('-', w0)}-+-{new string('-', w1)}-+-{new string('-', w2)}-+";
        Console.WriteLine($"Summary: requests, {options.Requests:N0} requests per run, seed {options.Seed}, budget {options.Budget:N0} bytes");
        Console.WriteLine(line);
        Console.WriteLine($"| {"".PadRight(w0)} | {"arena".PadLeft(w1)} | {"GC classes".PadLeft(w2)} |");
        Console.WriteLine(line);
        foreach (var (label, a, g) in rows)
        {
            Console.WriteLine($"| {label.PadRight(w0)} | {a.PadLeft(w1)} | {g.PadLeft(w2)} |");
        }

        Console.WriteLine(line);
        Console.WriteLine("Both versions ran the same requests in alternating chunks of 8,192, so machine noise weighs on both.");
        Console.WriteLine("Times cover parsing, evaluating and ending each request, not generating its text;");
        Console.WriteLine("managed bytes and GC counts cover the same windows (not the progress display).");
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Measures one version over the chunks it is given: time, latencies, managed bytes and GC counts.</summary>
    internal sealed class Meter(string name, long capacity)
    {
        private readonly long[] _latencies = new long[capacity];
        private WorkloadCounters _counters;
        private long _busy;
        private long _allocated;
        private int _gen0, _gen1, _gen2;

        public string Name => name;

        public long Done => _counters.Requests;

        public double RequestsPerSecond => _busy == 0 ? 0 : _counters.Requests * (double)Stopwatch.Frequency / _busy;

        public void RunChunk(IRequestProcessor processor, RequestGenerator generator, long first, long count)
        {
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            for (long i = first; i < first + count; i++)
            {
                ReadOnlySpan<char> request = generator.Next(i);
                long start = Stopwatch.GetTimestamp();
                RequestOutcome outcome = processor.Process(request, out long value);
                long elapsed = Stopwatch.GetTimestamp() - start;
                _latencies[i] = elapsed;
                _busy += elapsed;
                _counters.Record(outcome, value);
            }

            _allocated += GC.GetTotalAllocatedBytes(precise: true) - allocated;
            _gen0 += GC.CollectionCount(0) - gen0;
            _gen1 += GC.CollectionCount(1) - gen1;
            _gen2 += GC.CollectionCount(2) - gen2;
        }

        public RunResult Result()
        {
            int n = (int)_counters.Requests;
            Array.Sort(_latencies, 0, n);
            return new RunResult
            {
                Name = name,
                Counters = _counters,
                Seconds = (double)_busy / Stopwatch.Frequency,
                AllocatedBytes = _allocated,
                Gen0 = _gen0,
                Gen1 = _gen1,
                Gen2 = _gen2,
                P50Microseconds = Microseconds(_latencies[(n - 1) * 50 / 100]),
                P99Microseconds = Microseconds(_latencies[(int)((n - 1) * 99L / 100)]),
                MaxMicroseconds = Microseconds(_latencies[n - 1]),
            };
        }
    }

    internal sealed class RunResult
    {
        public required string Name { get; init; }

        public required WorkloadCounters Counters { get; init; }

        public required double Seconds { get; init; }

        public required long AllocatedBytes { get; init; }

        public required int Gen0 { get; init; }

        public required int Gen1 { get; init; }

        public required int Gen2 { get; init; }

        public required double P50Microseconds { get; init; }

        public required double P99Microseconds { get; init; }

        public required double MaxMicroseconds { get; init; }

        public double RequestsPerSecond => Counters.Requests / Seconds;
    }
}
