using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastArena.Benchmarks.Shared;

/// <summary>
/// The entry point shared by the benchmark executables (linked into each project): runs an assembly's
/// benchmarks with BenchmarkDotNet's command line (<c>--filter '*'</c>, <c>--job Dry</c>, ...), adds the
/// full JSON exporter (the default config already writes GitHub markdown, HTML and CSV), prints one line
/// "LABEL: N of M cases ran, F failed" for benchmarks/smoke.sh, and returns an exit code scripts can trust.
/// </summary>
internal static class BenchmarkEntry
{
    /// <summary>Runs the benchmarks of <paramref name="assembly"/>.</summary>
    /// <param name="assembly">The assembly whose benchmark classes run.</param>
    /// <param name="args">BenchmarkDotNet's command-line arguments.</param>
    /// <param name="label">What the summary line starts with, such as <c>benchmarks</c>.</param>
    /// <returns>0 when every selected benchmark ran, 1 when one failed, 3 when the filter selected nothing.</returns>
    public static int Run(Assembly assembly, string[] args, string label)
    {
        IConfig config = DefaultConfig.Instance
            .AddExporter(JsonExporter.Full);
        Summary[] summaries = BenchmarkSwitcher.FromAssembly(assembly).Run(args, config).ToArray();

        bool listOrHelp = args.Any(a => a is "--list" or "--help" or "-h" or "--info" or "--version");
        if (listOrHelp)
        {
            return 0;
        }

        int cases = 0, failed = 0;
        foreach (Summary summary in summaries)
        {
            cases += summary.BenchmarksCases.Length;
            failed += summary.Reports.Count(r => !r.Success);
            failed += summary.BenchmarksCases.Length - summary.Reports.Length;
            if (summary.HasCriticalValidationErrors)
            {
                failed++;
            }
        }

        if (cases == 0)
        {
            Console.Error.WriteLine($"{label}: nothing ran (check --filter)");
            return 3;
        }

        Console.WriteLine($"{label}: {cases - failed} of {cases} cases ran, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
