using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>Seed row "alloc_str (100x)": 100 copies of a 33-character string, then a reset. Per whole iteration.</summary>
[MemoryDiagnoser]
public unsafe class AllocStringBenchmarks : WarmArenaBenchmark
{
    /// <summary>Strings per iteration.</summary>
    public const int Count = 100;

    /// <summary>The string copied: 33 characters.</summary>
    public const string Text = "the quick brown fox jumps over it";

    private string[] _strings = null!;
    private char[][] _arrays = null!;
    private nint[] _pointers = null!;

    /// <summary>Creates a warm arena and the baselines' buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (Text.Length != 33)
        {
            throw new InvalidOperationException("The benchmark string must have 33 characters.");
        }

        CreateWarm(Count * Text.Length * sizeof(char) + 4096);
        _strings = new string[Count];
        _arrays = new char[Count][];
        _pointers = new nint[Count];
        Arena_AllocString_x100_Reset();
    }

    /// <summary>The floor: 100 unchecked bumps and copies, then a reset.</summary>
    /// <returns>The last address.</returns>
    [Benchmark(Baseline = true)]
    public nint Floor_BumpCopyString_x100()
    {
        FloorBuffer floor = _floor;
        ReadOnlySpan<char> text = Text;
        char* p = null;
        for (int i = 0; i < Count; i++)
        {
            p = (char*)floor.Bump(text.Length * sizeof(char), sizeof(char));
            text.CopyTo(new Span<char>(p, text.Length));
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary>100 <see cref="Arena.AllocString"/>, then <see cref="Arena.Reset"/>.</summary>
    /// <returns>The last copy's length.</returns>
    [Benchmark]
    public int Arena_AllocString_x100_Reset()
    {
        Arena arena = _arena;
        int length = 0;
        for (int i = 0; i < Count; i++)
        {
            length = arena.AllocString(Text).Length;
        }

        arena.Reset();
        return length;
    }

    /// <summary>GC: 100 <c>new string(span)</c>, stored so they escape.</summary>
    /// <returns>The strings.</returns>
    [Benchmark]
    public string[] GcNew_String_x100()
    {
        ReadOnlySpan<char> text = Text;
        string[] strings = _strings;
        for (int i = 0; i < Count; i++)
        {
            strings[i] = new string(text);
        }

        return strings;
    }

    /// <summary><see cref="ArrayPool{T}.Shared"/>: rent and copy 100 char buffers, then return them all.</summary>
    /// <returns>The last buffer's length.</returns>
    [Benchmark]
    public int ArrayPool_RentCopyReturn_x100()
    {
        ReadOnlySpan<char> text = Text;
        char[][] arrays = _arrays;
        for (int i = 0; i < Count; i++)
        {
            char[] a = ArrayPool<char>.Shared.Rent(text.Length);
            text.CopyTo(a);
            arrays[i] = a;
        }

        int length = arrays[Count - 1].Length;
        for (int i = 0; i < Count; i++)
        {
            ArrayPool<char>.Shared.Return(arrays[i]);
        }

        return length;
    }

    /// <summary>100 <see cref="NativeMemory.Alloc(nuint)"/> and copies, then 100 frees.</summary>
    /// <returns>The first pointer (freed).</returns>
    [Benchmark]
    public nint NativeMemory_AllocCopyFree_x100()
    {
        ReadOnlySpan<char> text = Text;
        nint[] pointers = _pointers;
        for (int i = 0; i < Count; i++)
        {
            void* p = NativeMemory.Alloc((nuint)(text.Length * sizeof(char)));
            text.CopyTo(new Span<char>(p, text.Length));
            pointers[i] = (nint)p;
        }

        for (int i = 0; i < Count; i++)
        {
            NativeMemory.Free((void*)pointers[i]);
        }

        return pointers[0];
    }
}
