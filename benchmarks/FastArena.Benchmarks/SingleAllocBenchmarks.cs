using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>
/// One allocation of a long, per operation (<see cref="Ops"/> per invocation): alone, followed by a reset
/// (seed row "one alloc + reset"), or between a checkpoint and a rewind.
/// </summary>
[MemoryDiagnoser]
public unsafe class SingleAllocBenchmarks : WarmArenaBenchmark
{
    /// <summary>Operations per invocation.</summary>
    public const int Ops = 1_000;

    private LongBox[] _boxes = null!;

    /// <summary>Creates a warm arena and the baselines' buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateWarm(Ops * sizeof(long) + 4096);
        _boxes = new LongBox[Ops];
        Arena_Alloc();
    }

    /// <summary>The floor: an unchecked bump and a store (one reset per invocation).</summary>
    /// <returns>The last address.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public nint Floor_Bump()
    {
        FloorBuffer floor = _floor;
        long* p = null;
        for (int i = 0; i < Ops; i++)
        {
            p = (long*)floor.Bump(sizeof(long), sizeof(long));
            *p = i;
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary>The floor with the cursor in a local (<see cref="LocalFloor"/>): what a register-held cursor costs.</summary>
    /// <returns>The last address.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public nint Floor_Bump_Local()
    {
        using LocalFloor floor = _floor.Local();
        long* p = null;
        for (int i = 0; i < Ops; i++)
        {
            p = (long*)floor.Bump(sizeof(long), sizeof(long));
            *p = i;
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary>One <see cref="Arena.Alloc{T}(T)"/> (one reset per invocation): the fast path alone.</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Arena_Alloc()
    {
        Arena arena = _arena;
        long last = 0;
        for (int i = 0; i < Ops; i++)
        {
            last = arena.Alloc((long)i);
        }

        arena.Reset();
        return last;
    }

    /// <summary>
    /// One <see cref="ArenaScope.Alloc{T}(T)"/> in a scope opened once per invocation and ended by an explicit
    /// <see cref="ArenaScope.Dispose"/> (no <c>using</c>: a variable a <c>finally</c> reads stays on the stack).
    /// </summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Arena_Alloc_Scope()
    {
        Arena arena = _arena;
        long last = 0;
        ArenaScope scope = arena.OpenScope();
        for (int i = 0; i < Ops; i++)
        {
            last = scope.Alloc((long)i);
        }

        scope.Dispose();
        arena.Reset();
        return last;
    }

    /// <summary>The floor with a reset after every bump.</summary>
    /// <returns>The last address.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public nint Floor_Bump_Reset()
    {
        FloorBuffer floor = _floor;
        long* p = null;
        for (int i = 0; i < Ops; i++)
        {
            p = (long*)floor.Bump(sizeof(long), sizeof(long));
            *p = i;
            floor.Reset();
        }

        return (nint)p;
    }

    /// <summary>One <see cref="Arena.Alloc{T}(T)"/> and one <see cref="Arena.Reset"/>.</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Arena_Alloc_Reset()
    {
        Arena arena = _arena;
        long last = 0;
        for (int i = 0; i < Ops; i++)
        {
            last = arena.Alloc((long)i);
            arena.Reset();
        }

        return last;
    }

    /// <summary>The floor of a checkpoint: save the cursor, bump and store, restore the cursor.</summary>
    /// <returns>The last address.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public nint Floor_Save_Bump_Restore()
    {
        FloorBuffer floor = _floor;
        long* p = null;
        for (int i = 0; i < Ops; i++)
        {
            byte* saved = floor.Cursor;
            p = (long*)floor.Bump(sizeof(long), sizeof(long));
            *p = i;
            floor.Cursor = saved;
        }

        return (nint)p;
    }

    /// <summary><see cref="Arena.GetCheckpoint"/>, one <see cref="Arena.Alloc{T}(T)"/>, <see cref="Arena.Rewind"/>.</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Arena_Checkpoint_Alloc_Rewind()
    {
        Arena arena = _arena;
        long last = 0;
        for (int i = 0; i < Ops; i++)
        {
            Checkpoint checkpoint = arena.GetCheckpoint();
            last = arena.Alloc((long)i);
            arena.Rewind(checkpoint);
        }

        return last;
    }

    /// <summary>GC: one object that escapes (stored in an array).</summary>
    /// <returns>The array.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public LongBox[] GcNew_LongBox()
    {
        LongBox[] boxes = _boxes;
        for (int i = 0; i < Ops; i++)
        {
            boxes[i] = new LongBox(i);
        }

        return boxes;
    }

    /// <summary><see cref="NativeMemory.Alloc(nuint)"/> of 8 bytes, a store, and a free.</summary>
    /// <returns>The last pointer (freed).</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public nint NativeMemory_AllocFree()
    {
        nint last = 0;
        for (int i = 0; i < Ops; i++)
        {
            long* p = (long*)NativeMemory.Alloc(sizeof(long));
            *p = i;
            last = (nint)p;
            NativeMemory.Free(p);
        }

        return last;
    }
}
