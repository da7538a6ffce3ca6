using System.Runtime.InteropServices;

namespace FastArena;

/// <summary>
/// The only place that talks to the operating system: every block of every arena comes from here.
/// </summary>
internal static unsafe class NativeBlock
{
    /// <summary>Blocks start on a page boundary, so padding depends only on offsets.</summary>
    internal const int Alignment = 4096;

    /// <summary>Allocates <paramref name="size"/> bytes aligned to <see cref="Alignment"/>; null when refused.</summary>
    internal static byte* TryAllocate(nint size)
    {
        try
        {
            return (byte*)NativeMemory.AlignedAlloc((nuint)size, Alignment);
        }
        catch (OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Returns a block to the operating system.</summary>
    internal static void Free(byte* block) => NativeMemory.AlignedFree(block);
}
