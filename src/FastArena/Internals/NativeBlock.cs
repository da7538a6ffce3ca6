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
    }
}

/// <summary>
/// Tells the garbage collector about native memory in chunks, so that forgotten arenas get finalized
/// when their blocks matter, without a call into the GC for every block (construction stays near the
/// cost of the operating system's allocation).
/// </summary>
/// <remarks>
/// <see cref="Outstanding"/> is the exact number of native bytes held; <see cref="Reported"/> is what
/// the GC has been told, always a whole number of chunks and <c>Outstanding</c> rounded down to one
/// once every caller has returned. Each thread adds its delta with <see cref="Interlocked"/>, then
/// moves <c>Reported</c> to the rounded value with a compare-exchange and reports exactly the difference
/// it moved, so the sum of what was reported always equals <c>Reported</c> (and returns to zero when
/// every block is freed).
/// </remarks>
internal sealed class MemoryPressure(long chunk, Action<long> add, Action<long> remove)
{
    /// <summary>1 MiB: below it nothing is reported.</summary>
    internal const long DefaultChunk = 1L << 20;

    private long _outstanding;
    private long _reported;

    /// <summary>Native bytes held right now.</summary>
    internal long Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Bytes the GC has been told about, a multiple of the chunk.</summary>
    internal long Reported => Volatile.Read(ref _reported);

    internal void Add(long bytes) => Settle(Interlocked.Add(ref _outstanding, bytes));

    internal void Remove(long bytes) => Settle(Interlocked.Add(ref _outstanding, -bytes));

    private void Settle(long outstanding)
    {
        long target = outstanding / chunk * chunk;
        while (true)
        {
            long reported = Volatile.Read(ref _reported);
            if (reported == target)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _reported, target, reported) == reported)
            {
                if (target > reported)
                {
                    add(target - reported);
                }
                else
                {
                    remove(reported - target);
                }

                // Another thread may have changed the total meanwhile: settle against the latest value.
                target = Volatile.Read(ref _outstanding) / chunk * chunk;
            }
        }
    }
}
