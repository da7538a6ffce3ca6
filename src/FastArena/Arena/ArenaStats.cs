using System.Diagnostics;

namespace FastArena;

/// <summary>
/// A snapshot of an arena's memory use, taken in O(1) by <see cref="Arena.Stats"/>.
/// </summary>
/// <param name="BytesAllocated">
/// Bytes in use: the sum, over every live allocation, of its size plus the alignment padding placed
/// before it. The tail of a block left unused when an allocation moved on to the next block is not
/// counted. Zero-byte requests count nothing.
/// </param>
/// <param name="BytesReserved">Bytes of every block the arena holds, in use or retained for reuse.</param>
/// <param name="BlockCount">Number of blocks the arena holds, in use or retained for reuse.</param>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public readonly record struct ArenaStats(long BytesAllocated, long BytesReserved, int BlockCount)
{
    /// <summary><see cref="BytesAllocated"/> divided by <see cref="BytesReserved"/>; 0 when nothing is reserved.</summary>
    public double Utilization => BytesReserved == 0 ? 0.0 : (double)BytesAllocated / BytesReserved;

    /// <summary><see cref="BytesReserved"/> minus <see cref="BytesAllocated"/>.</summary>
    public long BytesIdle => BytesReserved - BytesAllocated;

    /// <summary>The debugger's summary: bytes in use of bytes reserved, and blocks.</summary>
    internal string DebuggerDisplay => $"{BytesAllocated} of {BytesReserved} bytes in {BlockCount} blocks";
}
