using System.Globalization;
using FastArena.Workload;

namespace FastArena.Demo;

/// <summary>The demo's command line: <c>--requests N</c>, <c>--seed N</c>, <c>--budget BYTES</c>, <c>--help</c>.</summary>
internal sealed record Options(long Requests, ulong Seed, long Budget)
{
    public const long DefaultRequests = 1_000_000;
    public const long MaxRequests = 20_000_000;

    /// <summary>Parses the arguments; false when help was asked for. A bad option throws <see cref="FormatException"/>.</summary>
    public static bool TryParse(string[] args, out Options options)
    {
        options = new Options(DefaultRequests, WorkloadDefaults.Seed, WorkloadDefaults.BudgetBytes);
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
                case "--requests":
                    options = options with { Requests = Number(name, value ?? Next(args, ref i, name), 1, MaxRequests) };
                    break;
                case "--seed":
                    string seed = value ?? Next(args, ref i, name);
                    if (!ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s))
                    {
                        throw new FormatException($"--seed needs a whole number from 0 to {ulong.MaxValue}, not '{seed}'");
                    }

                    options = options with { Seed = s };
                    break;
                case "--budget":
                    options = options with { Budget = Number(name, value ?? Next(args, ref i, name), 0, 1L << 40) };
                    break;
                default:
                    throw new FormatException($"unknown option '{arg}'");
            }
        }

        return true;
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
