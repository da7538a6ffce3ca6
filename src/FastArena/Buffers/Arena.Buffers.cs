namespace FastArena;

// What the buffer writer needs from the arena beyond Arena.ListSupport.cs: how many bytes the tightest
// open budget still allows, so that a growth can be cut to fit instead of refused; the room left in the
// current block; and the checked-mode liveness test handles use, for the writer's buffer.
public sealed unsafe partial class Arena
{
    /// <summary>Bytes the tightest open budget still allows (long.MaxValue when no budget is open); 0 when it is spent.</summary>
    internal long BudgetLeft => _budgetEnd == long.MaxValue ? long.MaxValue : Math.Max(0, _budgetEnd - BytesAllocated);

    /// <summary>Bytes between the cursor and the end of the current block: what an in-place extension can add at most.</summary>
    internal long RoomInBlock => _blockEnd - _cursor;

    /// <summary>Checked mode: throws unless a buffer of <paramref name="bytes"/> at <paramref name="start"/>, made at <paramref name="epoch"/> and ending at position <paramref name="end"/>, is still live.</summary>
    internal void ValidateBuffer(long epoch, void* start, long bytes, long end)
    {
        ThrowIfUnusable();
        if (!IsRangeLive(epoch, (byte*)start, bytes, end))
        {
            ThrowHelper.ThrowStaleHandle();
        }
    }
}
