using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>
/// Seed row "Arena::new": creating an arena and disposing it; with one allocation in between, which
/// reserves the 64 KiB first block (construction alone reserves none).
/// </summary>
[MemoryDiagnoser]
public unsafe class ConstructionBenchmarks
{
    /// <summary>The first block's size: 64 KiB, the default.</summary>
    public const int Size = 64 * 1024;

    private byte[]? _array;

    /// <summary>What the arena asks of the OS: one page-aligned 64 KiB block, and its free.</summary>
    /// <returns>The pointer (freed).</returns>
    [Benchmark(Baseline = true)]
    public nint NativeMemory_AlignedAllocFree_64K()
    {
        void* p = NativeMemory.AlignedAlloc(Size, 4096);
        NativeMemory.AlignedFree(p);
        return (nint)p;
    }

    /// <summary><c>new Arena()</c> and <see cref="Arena.Dispose"/>: construction reserves no block (the first allocation does).</summary>
    /// <returns>The arena's block count before disposal (0).</returns>
    [Benchmark]
    public int Arena_New_Dispose()
    {
        var arena = new Arena();
        int blocks = arena.BlockCount;
        arena.Dispose();
        return blocks;
    }

    /// <summary><c>new Arena()</c>, one <see cref="Arena.Alloc{T}(T)"/> (which needs the first block), <see cref="Arena.Dispose"/>.</summary>
    /// <returns>The value read back.</returns>
    [Benchmark]
    public long Arena_New_Alloc_Dispose()
    {
        var arena = new Arena();
        long value = arena.Alloc(42L);
        arena.Dispose();
        return value;
    }

    /// <summary><see cref="ArrayPool{T}.Shared"/>: rent 64 KiB and return it.</summary>
    /// <returns>The array's length.</returns>
    [Benchmark]
    public int ArrayPool_RentReturn_64K()
    {
        byte[] a = ArrayPool<byte>.Shared.Rent(Size);
        ArrayPool<byte>.Shared.Return(a);
        return a.Length;
    }

    /// <summary>GC: <c>new byte[64 KiB]</c>, stored so it escapes.</summary>
    /// <returns>The array.</returns>
    [Benchmark]
    public byte[] GcNew_ByteArray_64K()
    {
        var a = new byte[Size];
        _array = a;
        return a;
    }
}
