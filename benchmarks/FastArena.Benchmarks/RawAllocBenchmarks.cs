using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>
/// Seed row "128 KB alloc": one raw allocation of 128 KiB, larger than the default 64 KiB first block.
/// On a warm arena a retained block takes it; on a fresh arena a new block is reserved from the OS.
/// </summary>
[MemoryDiagnoser]
public unsafe class RawAllocBenchmarks : WarmArenaBenchmark
{
    /// <summary>The request: 128 KiB.</summary>
    public const int Size = 128 * 1024;

    private byte[]? _array;

    /// <summary>Creates a warm arena (one 128 KiB allocation already served, so its block is retained).</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateWarm(Size + 4096);
        Arena_AllocRaw128K_Warm();
    }

    /// <summary><see cref="NativeMemory.Alloc(nuint)"/> of 128 KiB and a free.</summary>
    /// <returns>The pointer (freed).</returns>
    [Benchmark(Baseline = true)]
    public nint NativeMemory_AllocFree_128K()
    {
        byte* p = (byte*)NativeMemory.Alloc(Size);
        *p = 1;
        NativeMemory.Free(p);
        return (nint)p;
    }

    /// <summary>The floor: one unchecked bump of 128 KiB and a reset.</summary>
    /// <returns>The address.</returns>
    [Benchmark]
    public nint Floor_Bump_128K()
    {
        byte* p = _floor.Bump(Size, 16);
        *p = 1;
        _floor.Reset();
        return (nint)p;
    }

    /// <summary><see cref="Arena.AllocRaw"/> of 128 KiB on a warm arena, then <see cref="Arena.Reset"/>.</summary>
    /// <returns>The address.</returns>
    [Benchmark]
    public nint Arena_AllocRaw128K_Warm()
    {
        byte* p = (byte*)_arena.AllocRaw(Size, 16);
        *p = 1;
        _arena.Reset();
        return (nint)p;
    }

    /// <summary>A fresh arena (64 KiB first block), <see cref="Arena.AllocRaw"/> of 128 KiB, Dispose.</summary>
    /// <returns>The address (freed).</returns>
    [Benchmark]
    public nint Arena_AllocRaw128K_FreshArena()
    {
        using var arena = new Arena();
        byte* p = (byte*)arena.AllocRaw(Size, 16);
        *p = 1;
        return (nint)p;
    }

    /// <summary><see cref="ArrayPool{T}.Shared"/>: rent 128 KiB and return it.</summary>
    /// <returns>The array's length.</returns>
    [Benchmark]
    public int ArrayPool_RentReturn_128K()
    {
        byte[] a = ArrayPool<byte>.Shared.Rent(Size);
        a[0] = 1;
        ArrayPool<byte>.Shared.Return(a);
        return a.Length;
    }

    /// <summary>GC: <c>new byte[128 KiB]</c> (the large object heap), stored so it escapes.</summary>
    /// <returns>The array.</returns>
    [Benchmark]
    public byte[] GcNew_ByteArray_128K()
    {
        var a = new byte[Size];
        _array = a;
        return a;
    }
}
