using System.Globalization;
using FastArena.Workload;

namespace FastArena.Demo;

/// <summary>Which workloads the demo runs.</summary>
[Flags]
internal enum Workloads
{
    Requests = 1,
    Json = 2,
    Compiler = 4,
    All = Requests | Json | Compiler,
}

/// <summary>
/// The demo's command line: <c>--workload</c>, <c>--size</c>, per-workload sizes (<c>--requests</c>,
/// <c>--json-docs</c>, <c>--json-mb</c>, <c>--nodes</c>), <c>--seed</c>, <c>--budget</c>, <c>--help</c>.
/// <c>--size</c> sets every workload's size; an explicit size option overrides it, in any order.
/// </summary>
internal sealed record Options
{
    public const long MaxRequests = 20_000_000;

    public Workloads Workloads { get; init; } = Workloads.All;

    public string Size { get; init; } = "default";

    public long Requests { get; init; }

    public ulong Seed { get; init; } = WorkloadDefaults.Seed;

    public long Budget { get; init; } = WorkloadDefaults.BudgetBytes;

    public int JsonDocuments { get; init; }

    public int JsonRounds { get; init; }

    public long JsonLargeBytes { get; init; }

    public int JsonLargeRuns { get; init; }

    public long Nodes { get; init; }

    public int CompilerRuns { get; init; }

    /// <summary>Set in a child process of the compiler workload (internal).</summary>
    public string? Child { get; init; }

    /// <summary>The sizes of <c>--size</c>: smoke (CI, seconds), default (under a minute on 2 cores), large.</summary>
    private static Options Sized(string size) => size switch
    {
        "smoke" => new Options { Size = size, Requests = 20_000, JsonDocuments = 100, JsonRounds = 2, JsonLargeBytes = 1 << 20, JsonLargeRuns = 2, Nodes = 100_000, CompilerRuns = 2 },
        "default" => new Options { Size = size, Requests = 1_000_000, JsonDocuments = 1_000, JsonRounds = 5, JsonLargeBytes = 8 << 20, JsonLargeRuns = 3, Nodes = 1_000_000, CompilerRuns = 3 },
        "large" => new Options { Size = size, Requests = 5_000_000, JsonDocuments = 2_000, JsonRounds = 10, JsonLargeBytes = 100 << 20, JsonLargeRuns = 3, Nodes = 5_000_000, CompilerRuns = 3 },
        _ => throw new FormatException($"--size needs smoke, default or large, not '{size}'"),
    };

    /// <summary>Parses the arguments; false when help was asked for. A bad option throws <see cref="FormatException"/>.</summary>
    public static bool TryParse(string[] args, out Options options)
    {
        string size = "default";
        var overrides = new List<Func<Options, Options>>();
        Workloads workloads = Workloads.All;
        options = Sized(size);
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }

            switch (name)
            {
                case "--help" or "-h" or "-?":
                    return false;
                case "--workload":
                    string w = value ?? Next(args, ref i, name);
                    workloads = w switch
                    {
                        "all" => Workloads.All,
                        "requests" => Workloads.Requests,
                        "json" => Workloads.Json,
                        "compiler" => Workloads.Compiler,
                        _ => throw new FormatException($"--workload needs all, requests, json or compiler, not '{w}'"),
                    };
                    break;
                case "--size":
                    size = value ?? Next(args, ref i, name);
                    Sized(size); // validates
                    break;
                case "--requests":
                    long requests = Number(name, value ?? Next(args, ref i, name), 1, MaxRequests);
                    overrides.Add(o => o with { Requests = requests });
                    break;
                case "--json-docs":
                    int docs = (int)Number(name, value ?? Next(args, ref i, name), 1, 1_000_000);
                    overrides.Add(o => o with { JsonDocuments = docs });
                    break;
                case "--json-rounds":
                    int rounds = (int)Number(name, value ?? Next(args, ref i, name), 0, 1_000);
                    overrides.Add(o => o with { JsonRounds = rounds });
                    break;
                case "--json-mb":
                    long mb = Number(name, value ?? Next(args, ref i, name), 1, 1_000);
                    overrides.Add(o => o with { JsonLargeBytes = mb << 20 });
                    break;
                case "--nodes":
                    long nodes = Number(name, value ?? Next(args, ref i, name), 1_000, 50_000_000);
                    overrides.Add(o => o with { Nodes = nodes });
                    break;
                case "--runs":
                    int runs = (int)Number(name, value ?? Next(args, ref i, name), 1, 100);
                    overrides.Add(o => o with { CompilerRuns = runs, JsonLargeRuns = runs });
                    break;
                case "--seed":
                    string seed = value ?? Next(args, ref i, name);
                    if (!ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s))
                    {
                        throw new FormatException($"--seed needs a whole number from 0 to {ulong.MaxValue}, not '{seed}'");
                    }

                    overrides.Add(o => o with { Seed = s });
                    break;
                case "--budget":
                    long budget = Number(name, value ?? Next(args, ref i, name), 0, 1L << 40);
                    overrides.Add(o => o with { Budget = budget });
                    break;
                case "--child":
                    string child = value ?? Next(args, ref i, name);
                    if (child is not (CompilerDemo.ArenaChild or CompilerDemo.GcChild))
                    {
                        throw new FormatException($"--child needs {CompilerDemo.ArenaChild} or {CompilerDemo.GcChild}, not '{child}'");
                    }

                    overrides.Add(o => o with { Child = child });
                    break;
                default:
                    throw new FormatException($"unknown option '{arg}'");
            }
        }

        options = Sized(size) with { Workloads = workloads };
        foreach (Func<Options, Options> apply in overrides)
        {
            options = apply(options);
        }

        if (options.Child is null && options.Workloads.HasFlag(Workloads.Json))
        {
            CheckJsonMemory(options.JsonLargeBytes);
        }

        return true;
    }

    /// <summary>
    /// Memory the JSON workload needs per byte of the large document, measured on the corpus: JsonNode
    /// holds about 11 bytes per input byte and allocates more while it parses, the arena document about
    /// 2.7, the source-generated classes about 2.5, plus the input itself; 16 leaves headroom for the GC.
    /// </summary>
    public const int JsonBytesPerInputByte = 16;

    /// <summary>Refuses a large document the machine cannot hold, before generating anything (a bad option: exit 2).</summary>
    private static void CheckJsonMemory(long documentBytes)
    {
        long available = AvailableMemory();
        long need = documentBytes * JsonBytesPerInputByte;
        if (need > available)
        {
            long most = Math.Max(0, available / JsonBytesPerInputByte >> 20);
            throw new FormatException(
                $"--json-mb {documentBytes >> 20} needs about {need / 1e9:N1} GB of memory (JsonNode holds about 11 bytes per byte of JSON), and {available / 1e9:N1} GB are available: use --json-mb {most} or less");
        }
    }

    /// <summary>The memory available to this process: the kernel's MemAvailable (Linux), else what the GC may use.</summary>
    private static long AvailableMemory()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    long kb = long.Parse(line["MemAvailable:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return Math.Min(kb * 1024, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Not Linux: fall back to the GC's view.
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string Next(string[] args, ref int i, string name)
    {
        if (i + 1 >= args.Length)
        {
            throw new FormatException($"{name} needs a value");
        }

        return args[++i];
    }

    private static long Number(string name, string text, long min, long max)
    {
        if (!long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out long n)
            || n < min || n > max)
        {
            throw new FormatException($"{name} needs a whole number from {min:N0} to {max:N0}, not '{text}'");
        }

        return n;
    }
}
