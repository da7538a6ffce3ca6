using FastArena.Benchmarks.Shared;

namespace FastArena.Benchmarks;

/// <summary>Runs the suite through <see cref="BenchmarkEntry"/> (BenchmarkDotNet's command line; exit code 1 when any benchmark failed).</summary>
public static class Program
{
    /// <summary>The entry point.</summary>
    /// <param name="args">BenchmarkDotNet's command-line arguments.</param>
    /// <returns>0 when every selected benchmark ran, 1 when one failed, 3 when the filter selected nothing.</returns>
    public static int Main(string[] args) => BenchmarkEntry.Run(typeof(Program).Assembly, args, "benchmarks");
}
