using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>
/// Seed row "alloc_slice": slices of N ints, copied from a span or made by a generator. Per slice:
/// each invocation makes <see cref="Slices"/> slices and then resets, on a warm arena.
/// </summary>
[MemoryDiagnoser]
public unsafe class AllocSliceBenchmarks : WarmArenaBenchmark
{
    /// <summary>Slices per invocation (all fit in the arena's first 64 KiB block).</summary>
    public const int Slices = 8;

    private static readonly Func<int, int> s_generator = i => i * 3;

    /// <summary>The same generator as a struct.</summary>
    private readonly struct TimesThree : ISliceGenerator<int>
    {
        /// <inheritdoc/>
        public int Generate(int index) => index * 3;
    }

    private int[] _source = null!;
    private int[][] _arrays = null!;
    private nint[] _pointers = null!;

    /// <summary>Elements per slice.</summary>
    [Params(64, 1_024)]
    public int N { get; set; }

    /// <summary>Creates a warm arena, the source and the baselines' buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateWarm(Slices * N * sizeof(int) + 4096);
        _source = Enumerable.Range(0, N).ToArray();
        _arrays = new int[Slices][];
        _pointers = new nint[Slices];
        Arena_AllocSlice_FromSpan();
    }

    /// <summary>The floor: unchecked bump and a block copy.</summary>
    /// <returns>The last address.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Slices)]
    public nint Floor_BumpCopy_FromSpan()
    {
        FloorBuffer floor = _floor;
        ReadOnlySpan<int> source = _source;
        int* p = null;
        for (int s = 0; s < Slices; s++)
        {
            p = (int*)floor.Bump(source.Length * sizeof(int), sizeof(int));
            source.CopyTo(new Span<int>(p, source.Length));
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary><see cref="Arena.AllocSlice{T}(ReadOnlySpan{T})"/>.</summary>
    /// <returns>The last slice's length.</returns>
    [Benchmark(OperationsPerInvoke = Slices)]
    public int Arena_AllocSlice_FromSpan()
    {
        Arena arena = _arena;
        ReadOnlySpan<int> source = _source;
        int length = 0;
        for (int s = 0; s < Slices; s++)
        {
            length = arena.AllocSlice(source).Length;
        }

        arena.Reset();
        return length;
    }

    /// <summary>GC: <c>ToArray()</c>, stored so it escapes.</summary>
    /// <returns>The arrays.</returns>
    [Benchmark(OperationsPerInvoke = Slices)]
    public int[][] GcNew_Array_FromSpan()
    {
        ReadOnlySpan<int> source = _source;
        int[][] arrays = _arrays;
        for (int s = 0; s < Slices; s++)
        {
            arrays[s] = source.ToArray();
        }

        return arrays;
    }

    /// <summary><see cref="ArrayPool{T}.Shared"/>: rent and copy each slice, then return them all.</summary>
    /// <returns>The last array's length.</returns>
    [Benchmark(OperationsPerInvoke = Slices)]
    public int ArrayPool_RentCopyReturn_FromSpan()
    {
        ReadOnlySpan<int> source = _source;
        int[][] arrays = _arrays;
        for (int s = 0; s < Slices; s++)
        {
            int[] a = ArrayPool<int>.Shared.Rent(source.Length);
            source.CopyTo(a);
            arrays[s] = a;
        }

        int length = arrays[Slices - 1].Length;
        for (int s = 0; s < Slices; s++)
        {
            ArrayPool<int>.Shared.Return(arrays[s]);
        }

        return length;
    }

    /// <summary><see cref="NativeMemory.Alloc(nuint)"/> and copy each slice, then free them all.</summary>
    /// <returns>The last pointer (freed).</returns>
    [Benchmark(OperationsPerInvoke = Slices)]
    public nint NativeMemory_AllocCopyFree_FromSpan()
    {
        ReadOnlySpan<int> source = _source;
        nint[] pointers = _pointers;
        for (int s = 0; s < Slices; s++)
        {
            void* p = NativeMemory.Alloc((nuint)(source.Length * sizeof(int)));
            source.CopyTo(new Span<int>(p, source.Length));
            pointers[s] = (nint)p;
        }

        for (int s = 0; s < Slices; s++)
        {
            NativeMemory.Free((void*)pointers[s]);
        }

        return pointers[0];
    }

    /// <summary>The floor with a generator: unchecked bump, element i = generator(i).</summary>
    /// <returns>The last address.</returns>
    [Benchmark(OperationsPerInvoke = Slices)]
    public nint Floor_BumpFill_FromGenerator()
    {
        FloorBuffer floor = _floor;
        Func<int, int> generator = s_generator;
        int* p = null;
        for (int s = 0; s < Slices; s++)
        {
            p = (int*)floor.Bump(N * sizeof(int), sizeof(int));
            for (int i = 0; i < N; i++)
            {
                p[i] = generator(i);
            }
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary><see cref="Arena.AllocSlice{T}(int, Func{int, T})"/>.</summary>
    /// <returns>The last slice's length.</returns>
    [Benchmark(OperationsPerInvoke = Slices)]
    public int Arena_AllocSlice_FromGenerator()
    {
        Arena arena = _arena;
        int length = 0;
        for (int s = 0; s < Slices; s++)
        {
            length = arena.AllocSlice(N, s_generator).Length;
        }

        arena.Reset();
        return length;
    }

    /// <summary><see cref="Arena.AllocSlice{T, TGenerator}(int, TGenerator)"/> with a struct generator the JIT inlines.</summary>
    /// <returns>The last slice's length.</returns>
    [Benchmark(OperationsPerInvoke = Slices)]
    public int Arena_AllocSlice_FromStructGenerator()
    {
        Arena arena = _arena;
        int length = 0;
        for (int s = 0; s < Slices; s++)
        {
            length = arena.AllocSlice<int, TimesThree>(N, default).Length;
        }

        arena.Reset();
        return length;
    }

    /// <summary>GC: <c>new int[N]</c> filled by the generator, stored so it escapes.</summary>
    /// <returns>The arrays.</returns>
    [Benchmark(OperationsPerInvoke = Slices)]
    public int[][] GcNew_Array_FromGenerator()
    {
        Func<int, int> generator = s_generator;
        int[][] arrays = _arrays;
        for (int s = 0; s < Slices; s++)
        {
            var a = new int[N];
            for (int i = 0; i < a.Length; i++)
            {
                a[i] = generator(i);
            }

            arrays[s] = a;
        }

        return arrays;
    }
}
