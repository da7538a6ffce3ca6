using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>Seed row "alloc 1k items" and "10k allocs + reset": N longs one by one, then a reset. Per whole iteration.</summary>
[MemoryDiagnoser]
public unsafe class AllocLongBenchmarks : WarmArenaBenchmark
{
    private LongBox[] _boxes = null!;
    private nint[] _pointers = null!;
    private List<long> _list = null!;

    /// <summary>How many longs per iteration.</summary>
    [Params(1_000, 10_000)]
    public int N { get; set; }

    /// <summary>Creates a warm arena (its blocks already reserved) and the baselines' buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateWarm(N * sizeof(long) + 4096);
        _boxes = new LongBox[N];
        _pointers = new nint[N];
        _list = new List<long>(N);
        Arena_AllocLong_Reset();
    }

    /// <summary>The floor: N unchecked pointer bumps and stores, then a reset.</summary>
    /// <returns>The last address.</returns>
    [Benchmark(Baseline = true)]
    public nint Floor_BumpLong()
    {
        FloorBuffer floor = _floor;
        long* p = null;
        for (int i = 0; i < N; i++)
        {
            p = (long*)floor.Bump(sizeof(long), sizeof(long));
            *p = i;
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary>The floor with the cursor in a local (<see cref="LocalFloor"/>).</summary>
    /// <returns>The last address.</returns>
    [Benchmark]
    public nint Floor_BumpLong_Local()
    {
        using LocalFloor floor = _floor.Local();
        long* p = null;
        for (int i = 0; i < N; i++)
        {
            p = (long*)floor.Bump(sizeof(long), sizeof(long));
            *p = i;
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary>N <see cref="Arena.Alloc{T}(T)"/> of a long, then <see cref="Arena.Reset"/>.</summary>
    /// <returns>The last value.</returns>
    [Benchmark]
    public long Arena_AllocLong_Reset()
    {
        Arena arena = _arena;
        long last = 0;
        for (int i = 0; i < N; i++)
        {
            last = arena.Alloc((long)i);
        }

        arena.Reset();
        return last;
    }

    /// <summary>N <see cref="ArenaScope.Alloc{T}(T)"/> of a long in one scope ended by an explicit Dispose, then <see cref="Arena.Reset"/>.</summary>
    /// <returns>The last value.</returns>
    [Benchmark]
    public long Arena_AllocLong_Scope_Reset()
    {
        Arena arena = _arena;
        long last = 0;
        ArenaScope scope = arena.OpenScope();
        for (int i = 0; i < N; i++)
        {
            last = scope.Alloc((long)i);
        }

        scope.Dispose();
        arena.Reset();
        return last;
    }

    /// <summary>The same with <c>using</c>: the JIT keeps the scope's cursor on the stack, because the <c>finally</c> reads it.</summary>
    /// <returns>The last value.</returns>
    [Benchmark]
    public long Arena_AllocLong_ScopeUsing_Reset()
    {
        Arena arena = _arena;
        long last = 0;
        using (ArenaScope scope = arena.OpenScope())
        {
            for (int i = 0; i < N; i++)
            {
                last = scope.Alloc((long)i);
            }
        }

        arena.Reset();
        return last;
    }

    /// <summary>N GC objects that escape (stored in an array), left to the collector.</summary>
    /// <returns>The array.</returns>
    [Benchmark]
    public LongBox[] GcNew_LongBox()
    {
        LongBox[] boxes = _boxes;
        for (int i = 0; i < boxes.Length; i++)
        {
            boxes[i] = new LongBox(i);
        }

        return boxes;
    }

    /// <summary>N <see cref="NativeMemory.Alloc(nuint)"/> of 8 bytes, then N frees.</summary>
    /// <returns>The first pointer (freed).</returns>
    [Benchmark]
    public nint NativeMemory_AllocFree_Long()
    {
        nint[] pointers = _pointers;
        for (int i = 0; i < pointers.Length; i++)
        {
            long* p = (long*)NativeMemory.Alloc(sizeof(long));
            *p = i;
            pointers[i] = (nint)p;
        }

        for (int i = 0; i < pointers.Length; i++)
        {
            NativeMemory.Free((void*)pointers[i]);
        }

        return pointers[0];
    }

    /// <summary>N <see cref="List{T}.Add"/> into a reused list with capacity, then <see cref="List{T}.Clear"/>.</summary>
    /// <returns>The list's capacity.</returns>
    [Benchmark]
    public int List_AddLong_Clear()
    {
        List<long> list = _list;
        for (int i = 0; i < N; i++)
        {
            list.Add(i);
        }

        list.Clear();
        return list.Capacity;
    }
}
