using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FastArena;

/// <summary>
/// The only place that talks to the operating system: every block of every arena comes from here,
/// and the garbage collector hears about them (<see cref="MemoryPressure"/>).
/// </summary>
internal static unsafe class NativeBlock
{
    /// <summary>Blocks start on a page boundary, so padding depends only on offsets.</summary>
    internal const int Alignment = 4096;

    /// <summary>The native bytes of every arena, reported to the GC in whole chunks.</summary>
    internal static readonly MemoryPressure s_pressure = new(MemoryPressure.DefaultChunk, GC.AddMemoryPressure, GC.RemoveMemoryPressure);

    /// <summary>
    /// Tests only: replaces the operating system (allocate, then free with the size), for example with
    /// memory whose pages are made inaccessible on free, so a write after Dispose faults. Null in production.
    /// </summary>
    internal static Func<nint, nint>? s_testAllocate;

    /// <summary>Tests only: the free that goes with <see cref="s_testAllocate"/> (address, size).</summary>
    internal static Action<nint, nint>? s_testFree;

    /// <summary>Allocates <paramref name="size"/> bytes aligned to <see cref="Alignment"/>; null when refused.</summary>
    internal static byte* TryAllocate(nint size)
    {
        byte* block;
        if (s_testAllocate is { } allocate)
        {
            block = (byte*)allocate(size);
        }
        else
        {
            try
            {
                block = (byte*)NativeMemory.AlignedAlloc((nuint)size, Alignment);
            }
            catch (OutOfMemoryException)
            {
                return null;
            }
        }

        if (block != null)
        {
            s_pressure.Add(size);
            ArenaMetrics.BlockReserved(size);
        }

        return block;
    }

    /// <summary>Returns a block of <paramref name="size"/> bytes to the operating system.</summary>
    internal static void Free(byte* block, nint size)
    {
        Debug.Assert(block != null && size > 0);
        if (s_testFree is { } free)
        {
            free((nint)block, size);
        }
        else
        {
            NativeMemory.AlignedFree(block);
        }

        s_pressure.Remove(size);
        ArenaMetrics.BlockFreed(size);
    }
}
