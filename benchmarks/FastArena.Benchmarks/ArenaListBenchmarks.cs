using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>
/// Seed row "ArenaVec": N longs added to an <see cref="ArenaList{T}"/> made with capacity or grown from
/// empty, then <see cref="ArenaList{T}.Finish"/> and a reset. Per whole iteration.
/// </summary>
[MemoryDiagnoser]
public unsafe class ArenaListBenchmarks : WarmArenaBenchmark
{
    private List<long> _list = null!;

    /// <summary>Elements per list.</summary>
    [Params(16, 256, 4_096)]
    public int N { get; set; }

    /// <summary>Creates a warm arena and the floor's buffer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateWarm(N * sizeof(long) + 4096);
        Arena_List_Grown_Finish();
    }

    /// <summary>The floor: one unchecked bump for N longs and a store loop.</summary>
    /// <returns>The address.</returns>
    [Benchmark(Baseline = true)]
    public nint Floor_BumpFill()
    {
        FloorBuffer floor = _floor;
        long* p = (long*)floor.Bump(N * sizeof(long), sizeof(long));
        for (int i = 0; i < N; i++)
        {
            p[i] = i;
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary><c>new ArenaList&lt;long&gt;(arena, N)</c>, N adds, Finish, Reset.</summary>
    /// <returns>The finished length.</returns>
    [Benchmark]
    public int Arena_List_WithCapacity_Finish()
    {
        Arena arena = _arena;
        var list = new ArenaList<long>(arena, N);
        for (int i = 0; i < N; i++)
        {
            list.Add(i);
        }

        int length = list.Finish().Length;
        arena.Reset();
        return length;
    }

    /// <summary><c>new ArenaList&lt;long&gt;(arena)</c> grown by N adds (in place: it is the newest allocation), Finish, Reset.</summary>
    /// <returns>The finished length.</returns>
    [Benchmark]
    public int Arena_List_Grown_Finish()
    {
        Arena arena = _arena;
        var list = new ArenaList<long>(arena);
        for (int i = 0; i < N; i++)
        {
            list.Add(i);
        }

        int length = list.Finish().Length;
        arena.Reset();
        return length;
    }

    /// <summary>GC: <c>new List&lt;long&gt;(N)</c> and N adds, stored so it escapes.</summary>
    /// <returns>The list.</returns>
    [Benchmark]
    public List<long> List_WithCapacity()
    {
        var list = new List<long>(N);
        for (int i = 0; i < N; i++)
        {
            list.Add(i);
        }

        _list = list;
        return list;
    }

    /// <summary>GC: <c>new List&lt;long&gt;()</c> grown by N adds, stored so it escapes.</summary>
    /// <returns>The list.</returns>
    [Benchmark]
    public List<long> List_Grown()
    {
        var list = new List<long>();
        for (int i = 0; i < N; i++)
        {
            list.Add(i);
        }

        _list = list;
        return list;
    }
}
