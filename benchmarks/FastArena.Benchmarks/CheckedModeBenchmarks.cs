using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>
/// What checked mode costs (issue 4): one <see cref="Arena.Alloc{T}(T)"/> of a long, and one
/// <see cref="Arena.AllocHandle{T}(T)"/> read back through <see cref="ArenaRef{T}.Value"/>, with checked
/// mode off and on. <see cref="Ops"/> per invocation, one reset each (which poisons in checked mode).
/// </summary>
[MemoryDiagnoser]
public class CheckedModeBenchmarks
{
    /// <summary>Operations per invocation.</summary>
    public const int Ops = 1_000;

    private Arena _unchecked = null!;
    private Arena _checked = null!;

    /// <summary>Creates one warm arena of each kind.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _unchecked = new Arena(new ArenaOptions { CheckedMode = false });
        _checked = new Arena(new ArenaOptions { CheckedMode = true });
        Alloc_Unchecked();
        Alloc_Checked();
    }

    /// <summary>Frees native memory.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _unchecked.Dispose();
        _checked.Dispose();
    }

    /// <summary>Alloc, checked mode off.</summary>
    /// <returns>The last value.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public long Alloc_Unchecked() => AllocLoop(_unchecked);

    /// <summary>Alloc, checked mode on: every allocation takes the slow path.</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Alloc_Checked() => AllocLoop(_checked);

    /// <summary>AllocHandle and Value, checked mode off.</summary>
    /// <returns>The sum of the values read.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long AllocHandleValue_Unchecked() => HandleLoop(_unchecked);

    /// <summary>AllocHandle and Value, checked mode on: the handle is validated on every read.</summary>
    /// <returns>The sum of the values read.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long AllocHandleValue_Checked() => HandleLoop(_checked);

    private static long AllocLoop(Arena arena)
    {
        long last = 0;
        for (int i = 0; i < Ops; i++)
        {
            last = arena.Alloc((long)i);
        }

        arena.Reset();
        return last;
    }

    private static long HandleLoop(Arena arena)
    {
        long sum = 0;
        for (int i = 0; i < Ops; i++)
        {
            ArenaRef<long> handle = arena.AllocHandle((long)i);
            sum += handle.Value;
        }

        arena.Reset();
        return sum;
    }
}
