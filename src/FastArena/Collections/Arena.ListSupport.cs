using System.Diagnostics;

namespace FastArena;

// What ArenaList<T> needs from the arena: growing the newest allocation in place, and giving back
// the tail of a buffer that is still the newest allocation. Both refuse whenever the buffer is not the
// newest allocation of the current block, or lies before the innermost open transaction's start
// (growing or shrinking it would then straddle the transaction's boundary).
public sealed unsafe partial class Arena
{
    /// <summary>Whether [start, end) is the newest allocation of the current block and belongs to the innermost transaction.</summary>
    private bool IsNewestOwned(byte* start, byte* end) =>
        end == _cursor && start >= _blockStart && start <= end
        && _finishedBytes + (start - _blockStart) >= InnermostStart;

    /// <summary>Extends the buffer [start, end) by <paramref name="extra"/> bytes in place when it is the newest allocation and room and budget allow.</summary>
    internal bool TryExtendInPlace(byte* start, byte* end, nint extra)
    {
        int entered = Enter();
        try
        {
            ThrowIfUnusable();
            Debug.Assert(extra >= 0);
            if (!IsNewestOwned(start, end) || extra > _blockEnd - _cursor || extra > _budgetEnd - Position)
            {
                return false;
            }

            // SAFETY (I2): extra fits between the cursor and the block end.
            _cursor += extra;
            UpdateLimit();
            return true;
        }
        finally
        {
            Exit(entered);
        }
    }

    /// <summary>Gives back [keepEnd, end) of the buffer [start, end) when it is the newest allocation.</summary>
    internal void TryGiveBackTail(byte* start, byte* keepEnd, byte* end)
    {
        if (_disposed || keepEnd == end || !IsNewestOwned(start, end))
        {
            return;
        }

        Debug.Assert(keepEnd >= start && keepEnd < end);
        RewindTo(CheckpointAt(keepEnd));
    }

    /// <summary>Gives back a whole buffer [start, end) and its padding, back to <paramref name="before"/>, when it is the newest allocation.</summary>
    internal void TryGiveBackAll(in Checkpoint before, byte* start, byte* end)
    {
        if (!_disposed && IsNewestOwned(start, end))
        {
            GiveBack(before);
        }
    }

    /// <summary>Checked mode: whether a list buffer made at <paramref name="epoch"/>, [start, start + bytes) ending at position <paramref name="end"/>, is still live.</summary>
    internal void ValidateListBuffer(long epoch, byte* start, long bytes, long end)
    {
        ThrowIfUnusable();
        if (!IsRangeLive(epoch, start, bytes, end))
        {
            ThrowHelper.ThrowListStale();
        }
    }

    internal Checkpoint CurrentCheckpointInternal() => CurrentCheckpoint();
}
