using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastArena.Benchmarks.Workloads;

/// <summary>
/// Runs the workload benchmarks with BenchmarkDotNet's command line (<c>--filter '*'</c>, <c>--job Dry</c>, ...), adds the
/// full JSON exporter (the default config already writes GitHub markdown, HTML and CSV), and exits 1 when any benchmark failed, so scripts can trust the exit code.
/// </summary>
public static class Program
{
    /// <summary>The entry point.</summary>
    /// <param name="args">BenchmarkDotNet's command-line arguments.</param>
    /// <returns>0 when every selected benchmark ran, 1 when one failed, 3 when the filter selected nothing.</returns>
    public static int Main(string[] args)
    {
        IConfig config = DefaultConfig.Instance
            .AddExporter(JsonExporter.Full);
        Summary[] summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToArray();

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
            Console.Error.WriteLine("benchmarks: nothing ran (check --filter)");
            return 3;
        }

        Console.WriteLine($"benchmarks (workloads): {cases - failed} of {cases} cases ran, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
