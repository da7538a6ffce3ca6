using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastArena.Benchmarks;

/// <summary>A heap object holding one long: what GC <c>new</c> allocates in the baselines.</summary>
public sealed class LongBox(long value)
{
    /// <summary>The value.</summary>
    public long Value = value;
}

/// <summary>
/// The floor: a preallocated native buffer and a bare pointer bump with no checks at all (no limit, no
/// budget, no block change). Nothing real can allocate faster; it is the physical limit of the idea.
/// </summary>
public sealed unsafe class FloorBuffer : IDisposable
{
    /// <summary>Allocates the buffer.</summary>
    /// <param name="bytes">Its size.</param>
    public FloorBuffer(nint bytes)
    {
        Start = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        Cursor = Start;
    }

    /// <summary>The buffer's first byte.</summary>
    public byte* Start { get; private set; }

    /// <summary>Where the next allocation goes.</summary>
    public byte* Cursor;

    /// <summary>Aligns the cursor up and bumps it by <paramref name="size"/>, with no check.</summary>
    /// <param name="size">Bytes.</param>
    /// <param name="alignment">A power of two.</param>
    /// <returns>The allocation.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Bump(nint size, nint alignment)
    {
        byte* p = (byte*)(((nint)Cursor + (alignment - 1)) & ~(alignment - 1));
        Cursor = p + size;
        return p;
    }

    /// <summary>Gives everything back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Reset() => Cursor = Start;

    /// <summary>Frees the buffer.</summary>
    public void Dispose()
    {
        NativeMemory.AlignedFree(Start);
        Start = null;
    }
}
