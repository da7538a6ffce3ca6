using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using FastArena.Workload.Compiler;

namespace FastArena.Demo;

/// <summary>
/// The compiler workload: each version (arena, GC classes) runs in its own child process, so that its
/// peak working set is its own. The child generates the program, warms up on a small one, resets the
/// kernel's peak-RSS counter, compiles the program <c>runs</c> times and prints one RESULT line.
/// </summary>
internal static class CompilerDemo
{
    public const string ArenaChild = "compiler-arena";
    public const string GcChild = "compiler-gc";

    /// <summary>Runs both children and prints the table; false when they disagree or a child failed.</summary>
    public static bool Run(Options options)
    {
        Console.WriteLine($"Compiler front end: a generated program of at least {options.Nodes:N0} AST nodes, {options.CompilerRuns} compilations per version, each version in its own process");
        var progress = new StageProgress("compiler", 2);
        progress.Update(0, "arena version (child process)");
        Dictionary<string, string>? arena = RunChild(ArenaChild, options);
        progress.Update(1, "GC version (child process)");
        Dictionary<string, string>? gc = RunChild(GcChild, options);
        progress.Finish();
        if (arena is null || gc is null)
        {
            return false;
        }

        double ta = D(arena, "median_ms"), tg = D(gc, "median_ms");
        double pa = D(arena, "peak_ws"), pg = D(gc, "peak_ws");
        double ba = D(arena, "peak_above_start"), bg = D(gc, "peak_above_start");
        var rows = new List<string[]>
        {
            Row("end to end, median of runs", $"{ta:N0} ms", $"{tg:N0} ms"),
            Row("speed vs GC classes", Table.Ratio(tg / ta), "1.00x"),
            Row("  parse", $"{D(arena, "parse_ms"):N0} ms", $"{D(gc, "parse_ms"):N0} ms"),
            Row("  resolve names", $"{D(arena, "resolve_ms"):N0} ms", $"{D(gc, "resolve_ms"):N0} ms"),
            Row("  check types", $"{D(arena, "check_ms"):N0} ms", $"{D(gc, "check_ms"):N0} ms"),
            Row("  lower", $"{D(arena, "lower_ms"):N0} ms", $"{D(gc, "lower_ms"):N0} ms"),
            Row("first run (fresh memory)", $"{D(arena, "first_ms"):N0} ms", $"{D(gc, "first_ms"):N0} ms"),
            Row("fastest / slowest run", $"{D(arena, "min_ms"):N0} / {D(arena, "max_ms"):N0} ms", $"{D(gc, "min_ms"):N0} / {D(gc, "max_ms"):N0} ms"),
            Row("peak working set", Table.Bytes(pa), Table.Bytes(pg)),
            Row("  above the process at start", Table.Bytes(ba), Table.Bytes(bg)),
            Row("  arena vs GC (above start)", Table.Ratio(ba / bg), "1.00x"),
            Row("GC pause time, all runs", $"{D(arena, "pause_ms"):N1} ms", $"{D(gc, "pause_ms"):N1} ms"),
            Row("GC collections gen0/1/2", $"{arena["gen0"]}/{arena["gen1"]}/{arena["gen2"]}", $"{gc["gen0"]}/{gc["gen1"]}/{gc["gen2"]}"),
            Row("bytes promoted by GCs", Table.Bytes(D(arena, "promoted")), Table.Bytes(D(gc, "promoted"))),
            Row("managed bytes allocated", Table.Bytes(D(arena, "allocated")), Table.Bytes(D(gc, "allocated"))),
            Row("arena bytes at peak", Table.Bytes(D(arena, "arena_peak")), "-"),
            Row("AST nodes / instructions", $"{D(arena, "nodes"):N0} / {D(arena, "instructions"):N0}", $"{D(gc, "nodes"):N0} / {D(gc, "instructions"):N0}"),
            Row("result checksum", arena["checksum"], gc["checksum"]),
        };
        Console.WriteLine();
        Table.Print($"Summary: compiler front end, {D(arena, "nodes"):N0} nodes, {options.CompilerRuns} runs, seed {options.Seed}", ["", "arena", "GC classes"], rows);
        Console.WriteLine("Parse, name resolution (symbol table), type checking and lowering to stack code, then drop; the source");
        Console.WriteLine("text is generated before the clock starts. Each child first warms up on a small program until the JIT has");
        Console.WriteLine("optimized its code; its first full run then reserves the arena's blocks or grows the GC heap (fresh pages).");
        Console.WriteLine("Peak working set is the child's VmHWM after a reset at the start.");
        bool agree = arena["result"] == gc["result"];
        Console.WriteLine(agree
            ? $"Both versions agree: {arena["result"]}."
            : $"error: the versions disagree:\n  arena: {arena["result"]}\n  GC:    {gc["result"]}");
        return agree;

        static string[] Row(string label, string a, string g) => [label, a, g];
    }

    private static double D(Dictionary<string, string> values, string key) => double.Parse(values[key], CultureInfo.InvariantCulture);

    private static Dictionary<string, string>? RunChild(string which, Options options)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(CompilerDemo).Assembly.Location);
        }

        foreach (string arg in (string[])["--child", which, "--nodes", options.Nodes.ToString(CultureInfo.InvariantCulture),
                     "--seed", options.Seed.ToString(CultureInfo.InvariantCulture), "--runs", options.CompilerRuns.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        // The child's GC settings are the parent's (workstation, non-concurrent: see the project file).
        using Process child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"error: the {which} child failed (exit {child.ExitCode}):\n{output}");
            return null;
        }

        var values = new Dictionary<string, string>();
        foreach (string pair in line["RESULT ".Length..].Split('\t'))
        {
            int eq = pair.IndexOf('=');
            values[pair[..eq]] = pair[(eq + 1)..];
        }

        return values;
    }

    /// <summary>The child: one version, measured; prints one RESULT line of tab-separated key=value pairs.</summary>
    public static int Child(string which, Options options)
    {
        bool useArena = which == ArenaChild;
        string source = ProgramGenerator.Generate(options.Seed, options.Nodes);
        string warmup = ProgramGenerator.Generate(options.Seed + 1, 20_000);
        using var arena = new ArenaCompiler();
        var gc = new GcCompiler();
        Func<string, PassTimings?, CompileResult> compile = useArena ? (s, t) => arena.Compile(s, t) : (s, t) => gc.Compile(s, t);
        Warmup.Run(() => compile(warmup, null));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long startRss = ResetPeak();
        using var promoted = new PromotedBytesListener();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        TimeSpan pause = GC.GetTotalPauseDuration();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var timings = new PassTimings();
        var times = new List<double>();
        CompileResult result = default;
        for (int i = 0; i < options.CompilerRuns; i++)
        {
            long t = Stopwatch.GetTimestamp();
            result = compile(source, timings);
            times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }

        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        pause = GC.GetTotalPauseDuration() - pause;
        gen0 = GC.CollectionCount(0) - gen0;
        gen1 = GC.CollectionCount(1) - gen1;
        gen2 = GC.CollectionCount(2) - gen2;
        long peak = PeakWorkingSet();
        long promotedBytes = promoted.Finish(gen0 + gen1 + gen2);
        double first = times[0];
        string runTimes = string.Join(';', times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)));
        times.Sort();
        double runs = options.CompilerRuns;
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / runs;
        var pairs = new (string, object)[]
        {
            ("median_ms", times[times.Count / 2]), ("runs_ms", runTimes), ("first_ms", first), ("min_ms", times[0]), ("max_ms", times[^1]),
            ("parse_ms", Ms(timings.Parse)), ("resolve_ms", Ms(timings.Resolve)), ("check_ms", Ms(timings.Check)), ("lower_ms", Ms(timings.Lower)),
            ("peak_ws", peak), ("peak_above_start", Math.Max(0, peak - startRss)), ("pause_ms", pause.TotalMilliseconds),
            ("gen0", gen0), ("gen1", gen1), ("gen2", gen2), ("promoted", promotedBytes), ("allocated", allocated),
            ("arena_peak", useArena ? arena.PeakBytes : 0), ("nodes", result.Nodes), ("instructions", result.Instructions),
            ("checksum", result.Checksum.ToString("x16", CultureInfo.InvariantCulture)), ("result", result.ToString()),
        };
        Console.WriteLine("RESULT " + string.Join('\t', pairs.Select(p => $"{p.Item1}={Convert.ToString(p.Item2, CultureInfo.InvariantCulture)}")));
        return 0;
    }

    /// <summary>Resets the kernel's peak-RSS counter (Linux: "5" into /proc/self/clear_refs) and returns the current RSS.</summary>
    private static long ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak then covers the whole process life.
        }

        return StatusKb("VmRSS:") ?? Environment.WorkingSet;
    }

    private static long PeakWorkingSet() => StatusKb("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

    private static long? StatusKb(string field)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return null;
        }

        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>Sums the bytes every GC promoted (the runtime's GCHeapStats events: TotalPromotedSize0..2).</summary>
    private sealed class PromotedBytesListener : EventListener
    {
        private long _promoted;
        private int _events;

        public long Finish(int collections)
        {
            // Events arrive on another thread shortly after each collection.
            var wait = Stopwatch.StartNew();
            while (Volatile.Read(ref _events) < collections && wait.ElapsedMilliseconds < 3000)
            {
                Thread.Sleep(20);
            }

            return Interlocked.Read(ref _promoted);
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)0x1); // GC keyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is not null && e.EventName.StartsWith("GCHeapStats", StringComparison.Ordinal) && e.PayloadNames is not null)
            {
                long sum = 0;
                for (int i = 0; i < e.PayloadNames.Count; i++)
                {
                    if (e.PayloadNames[i] is "TotalPromotedSize0" or "TotalPromotedSize1" or "TotalPromotedSize2")
                    {
                        sum += Convert.ToInt64(e.Payload![i], CultureInfo.InvariantCulture);
                    }
                }

                Interlocked.Add(ref _promoted, sum);
                Interlocked.Increment(ref _events);
            }
        }
    }
}
