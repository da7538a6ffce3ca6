// The FastArena demo: the same request workload (parse + evaluate arithmetic requests into an AST)
// run with the AST in an arena and with the AST in ordinary GC objects, then a side-by-side summary.
// Exits 0 when both runs agree on every result, 1 when they do not, 2 on a bad option.
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using FastArena;
using FastArena.Workload;

namespace FastArena.Demo;

internal static class Program
{
    private const string Usage = """
        FastArena demo: request-scoped parsing with an arena vs. ordinary GC objects.

        Generates arithmetic requests such as "max(3, 17 * (2 - 5)) % 7 + -4" from a seed, and for
        each one opens a transaction with a byte budget, parses it into an AST, evaluates it and
        commits; oversized requests hit the budget and are rejected, malformed ones roll back; the
        arena is reset after every request. The same parser then runs over GC classes. Both runs must
        agree on every result.

        Usage: ./build.sh demo [options]      (or: dotnet run -c Release --project samples/FastArena.Demo -- [options])

        Options:
          --requests N      requests per run (default 1000000; 1 to 20000000)
          --seed N          seed of the request generator (default 42)
          --budget BYTES    byte budget of each request (default 16384 = 512 AST nodes of 32 bytes)
          --help            show this text

        Exit code: 0 when the arena and GC runs agree, 1 when they differ, 2 on a bad option.
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

        Console.WriteLine(
            $"FastArena demo: {options.Requests:N0} requests per run, seed {options.Seed}, budget {options.Budget:N0} bytes per request");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        Console.WriteLine();

        // Warm up both paths (JIT, tiered compilation, the arena's block) on requests the runs do not use.
        var generator = new RequestGenerator(options.Seed);
        using var arenaProcessor = new ArenaRequestProcessor(options.Budget);
        var gcProcessor = new GcRequestProcessor(options.Budget);
        long warmup = Math.Min(options.Requests, 20_000);
        WorkloadCounters.Run(arenaProcessor, generator, -warmup - 1, warmup);
        WorkloadCounters.Run(gcProcessor, generator, -warmup - 1, warmup);

        var latencies = new long[options.Requests];
        RunResult arena = Run("arena", arenaProcessor, generator, options.Requests, latencies);
        RunResult gc = Run("GC classes", gcProcessor, generator, options.Requests, latencies);

        Console.WriteLine();
        PrintSummary(options, arena, gc, arenaProcessor);

        if (arena.Counters != gc.Counters)
        {
            Console.Error.WriteLine("error: the arena and GC runs disagree:");
            Console.Error.WriteLine($"  arena: {arena.Counters}");
            Console.Error.WriteLine($"  GC:    {gc.Counters}");
            return 1;
        }

        Console.WriteLine();
        Console.WriteLine($"Both runs agree: {arena.Counters}.");
        return 0;
    }

    private static RunResult Run(string name, IRequestProcessor processor, RequestGenerator generator, long count, long[] latencies)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var progress = new Progress(name, count);
        var counters = default(WorkloadCounters);
        long busy = 0;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        for (long i = 0; i < count; i++)
        {
            ReadOnlySpan<char> request = generator.Next(i);
            long start = Stopwatch.GetTimestamp();
            RequestOutcome outcome = processor.Process(request, out long value);
            long elapsed = Stopwatch.GetTimestamp() - start;
            latencies[i] = elapsed;
            busy += elapsed;
            counters.Record(outcome, value);
            if ((i & 1023) == 0)
            {
                progress.Update(i, busy);
            }
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - progress.AllocatedBytes;
        var result = new RunResult
        {
            Name = name,
            Counters = counters,
            Seconds = (double)busy / Stopwatch.Frequency,
            AllocatedBytes = Math.Max(0, allocated),
            Gen0 = GC.CollectionCount(0) - gen0,
            Gen1 = GC.CollectionCount(1) - gen1,
            Gen2 = GC.CollectionCount(2) - gen2,
        };
        progress.Finish(count, busy);

        Array.Sort(latencies, 0, (int)count);
        result.P50Microseconds = Microseconds(latencies[(int)((count - 1) * 50 / 100)]);
        result.P99Microseconds = Microseconds(latencies[(int)((count - 1) * 99 / 100)]);
        result.MaxMicroseconds = Microseconds(latencies[count - 1]);
        return result;
    }

    private static double Microseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

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
        Console.WriteLine($"Summary: {options.Requests:N0} requests per run, seed {options.Seed}, budget {options.Budget:N0} bytes");
        Console.WriteLine(line);
        Console.WriteLine($"| {"".PadRight(w0)} | {"arena".PadLeft(w1)} | {"GC classes".PadLeft(w2)} |");
        Console.WriteLine(line);
        foreach (var (label, a, g) in rows)
        {
            Console.WriteLine($"| {label.PadRight(w0)} | {a.PadLeft(w1)} | {g.PadLeft(w2)} |");
        }

        Console.WriteLine(line);
        Console.WriteLine("Times cover parsing, evaluating and ending each request, not generating its text.");
        Console.WriteLine("Managed bytes leave out the progress display's own strings.");
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private sealed class RunResult
    {
        public required string Name { get; init; }

        public required WorkloadCounters Counters { get; init; }

        public required double Seconds { get; init; }

        public required long AllocatedBytes { get; init; }

        public required int Gen0 { get; init; }

        public required int Gen1 { get; init; }

        public required int Gen2 { get; init; }

        public double P50Microseconds { get; set; }

        public double P99Microseconds { get; set; }

        public double MaxMicroseconds { get; set; }

        public double RequestsPerSecond => Counters.Requests / Seconds;
    }
}
