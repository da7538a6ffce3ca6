using System.Diagnostics;

namespace FastArena.Demo;

/// <summary>
/// Warms code up until the JIT's tiered compilation has settled, so that measured runs see the code a
/// long-running process runs. .NET first compiles a method quickly without optimizations (or runs the
/// framework's precompiled code), then recompiles it optimized once it has been called about 30 times
/// and no new method has needed compiling for 100 ms; with dynamic PGO there is an instrumented tier in
/// between. One or two calls of a workload leave its hot methods unoptimized, and which of the measured
/// runs the optimized code arrives in then decides the result: in a quiet run of 2026-12-03 the
/// compiler's three arena runs took 567, 314 and 127 ms for the same work.
/// </summary>
internal static class Warmup
{
    /// <summary>Calls <paramref name="step"/> until both limits are reached, then waits for the background compilations.</summary>
    /// <param name="step">One unit of the workload (small enough to take milliseconds, not seconds).</param>
    /// <param name="minCalls">At least this many calls (default 100: past both call-count thresholds).</param>
    /// <param name="minMilliseconds">And at least this long (default 1,000 ms: several of the JIT's 100 ms quiet periods).</param>
    public static void Run(Action step, int minCalls = 100, int minMilliseconds = 1000)
    {
        var clock = Stopwatch.StartNew();
        for (int calls = 0; calls < minCalls || clock.ElapsedMilliseconds < minMilliseconds; calls++)
        {
            step();
        }

        // The optimized versions are compiled on a background thread: give it time, then run once more
        // so that every call site has switched to them.
        Thread.Sleep(200);
        step();
    }
}
