using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

// Rewinding: the public Rewind, Reset and Trim; the validation of checkpoints (I7, I8); RewindTo, which
// every rewind, reset, rollback and give-back goes through; poison (checked mode); trimming retained
// blocks; and the one give-back of a failed request.
public sealed unsafe partial class Arena
{
    /// <summary>
    /// Gives back everything allocated since <paramref name="checkpoint"/> was taken: the cursor returns
    /// there in O(1) and blocks stay for reuse (up to <see cref="ArenaOptions.MaxRetainedBytes"/>).
    /// </summary>
    /// <param name="checkpoint">A checkpoint of this arena that no rewind has gone below since.</param>
    /// <remarks>
    /// Stale checkpoints are always detected when a rewind, reset or rollback went below them within the
    /// last 1024 rewinds; the arena keeps no more history than that, so its memory stays bounded. An older
    /// stale checkpoint is either rejected or names a position the arena still holds (its block is in use
    /// and the position lies in the block's used part): the rewind then goes there, and never into
    /// memory the arena gave back. A valid checkpoint is never rejected, however old.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The checkpoint is <c>default</c>, belongs to another arena, or is stale (a rewind, reset or rollback
    /// already went below it). The arena is unchanged.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The checkpoint lies before the start of an open transaction: end the transaction first. The
    /// arena is unchanged.
    /// </exception>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the rewind completed. Never thrown while another exception is unwinding or being handled on this thread (a <c>using</c> scope left by an exception, a <c>catch</c> block): cleanup never replaces that exception.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public void Rewind(Checkpoint checkpoint)
    {
        // The common case, a checkpoint of this arena taken since the last rewind (so, by I7, nothing went
        // below it: it is live and at or below the cursor), in the current block, with no transaction open
        // (so no budget: I6), on an arena that is usable (a non-null limit: I3, I10), unchecked, tracks no
        // disposal and has nothing to trim (_fastRewindCap): move the cursor and record the rewind.
        if (checkpoint.Epoch == _rewinds.Epoch && checkpoint.ArenaId == _id && _limit != null && _depth == 0
            && checkpoint.BlockIndex == _current && _reservedBytes <= _fastRewindCap)
        {
            Debug.Assert(checkpoint.Position <= Position && _finishedBytes == checkpoint.Position - checkpoint.Offset);
            Debug.Assert(_limit == _blockEnd, "I3: no transaction open");

            // SAFETY (I1, I2, I3): the target lies in the current block at or below the cursor; with no
            // transaction open the fast-path limit is already the block's end, and stays right.
            _cursor = _blockStart + checkpoint.Offset;
            _rewinds.Record(checkpoint.Position);
            return;
        }

        RewindSlow(checkpoint);
    }

    // By value, not `in`: taking the checkpoint's address would keep the caller's copy on the stack.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RewindSlow(Checkpoint checkpoint)
    {
        ThrowIfUnusable();
        ValidateCheckpoint(checkpoint, nameof(checkpoint));
        // I6: a rewind below the innermost open transaction's start would end it behind its owner's back.
        if (checkpoint.Position < InnermostStart)
        {
            ThrowHelper.ThrowRewindBeforeTransaction();
        }

        RewindTo(checkpoint);
    }

    /// <summary>
    /// Gives back every allocation. Blocks stay for reuse (up to <see cref="ArenaOptions.MaxRetainedBytes"/>),
    /// so a warm arena makes no operating system calls. O(number of blocks).
    /// </summary>
    /// <exception cref="InvalidOperationException">A transaction is open; the arena is unchanged.</exception>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the reset completed. Never thrown while another exception is unwinding or being handled on this thread (a <c>using</c> scope left by an exception, a <c>catch</c> block): cleanup never replaces that exception.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Reset()
    {
        // The common case of a request loop: block 0 in use, no transaction open, nothing to dispose,
        // poison or trim (_fastRewindCap). A non-null limit means usable: not disposed, no scope open, a
        // block reserved (I3, I10, I14).
        if ((_current | _depth) == 0 && _limit != null && _reservedBytes <= _fastRewindCap)
        {
            Debug.Assert(_finishedBytes == 0 && _budgetEnd == long.MaxValue && _blockCount > 0);
            Debug.Assert(_limit == _blockEnd, "I3: no transaction open");

            // SAFETY (I1, I2, I3): block 0 is live; its start is a valid cursor, and with no transaction
            // open the fast-path limit is already the block's end.
            _cursor = _blockStart;
            _rewinds.RecordReset();
            return;
        }

        ResetSlow();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ResetSlow()
    {
        ThrowIfUnusable();
        if (_depth > 0)
        {
            ThrowHelper.ThrowResetInTransaction();
        }

        RewindTo(new Checkpoint(_id, 0, 0, 0, _rewinds.Epoch));
    }

    /// <summary>
    /// Frees every retained block after the one in use, whatever <see cref="ArenaOptions.MaxRetainedBytes"/> says.
    /// Call it after <see cref="Reset"/> to return an arena to its first block.
    /// </summary>
    /// <returns>The number of bytes returned to the operating system.</returns>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public long Trim()
    {
        int entered = Enter();
        try
        {
            ThrowIfUnusable();
            return TrimTo(0);
        }
        finally
        {
            Exit(entered);
        }
    }

    private Checkpoint CurrentCheckpoint() =>
        new(_id, _current, (nint)(_cursor - _blockStart), Position, _rewinds.Epoch);

    /// <summary>A checkpoint at <paramref name="p"/>, which lies in the current block at or below the cursor.</summary>
    internal Checkpoint CheckpointAt(byte* p)
    {
        Debug.Assert(p >= _blockStart && p <= _cursor);
        nint offset = (nint)(p - _blockStart);
        return new Checkpoint(_id, _current, offset, _finishedBytes + offset, _rewinds.Epoch);
    }

    private void ValidateCheckpoint(in Checkpoint checkpoint, string paramName)
    {
        if (checkpoint.ArenaId != _id)
        {
            if (checkpoint.ArenaId == 0)
            {
                ThrowHelper.ThrowCheckpointDefault(paramName);
            }

            ThrowHelper.ThrowCheckpointForeign(paramName);
        }

        if (!IsRewindable(checkpoint))
        {
            ThrowHelper.ThrowCheckpointStale(paramName);
        }

        Debug.Assert(checkpoint.Position <= Position && checkpoint.BlockIndex <= _current);
    }

    /// <summary>
    /// Whether the arena may rewind to <paramref name="checkpoint"/> (of this arena): the rewind log says it
    /// is live, or (older than the log's window) says nothing against it and its structure checks out (I8).
    /// </summary>
    private bool IsRewindable(in Checkpoint checkpoint)
    {
        switch (_rewinds.Check(checkpoint.Epoch, checkpoint.Position))
        {
            case RewindLog.Liveness.Live:
                Debug.Assert(IsConsistent(checkpoint), "I8: an exactly live checkpoint names a held position");
                return true;
            case RewindLog.Liveness.Unproven:
                return IsConsistent(checkpoint);
            default:
                return false;
        }
    }

    /// <summary>
    /// I8's structural check, O(1): the checkpoint's block is at or below the current one, that block
    /// starts at Position - Offset (I9), and the offset lies inside the block's used part.
    /// </summary>
    private bool IsConsistent(in Checkpoint checkpoint)
    {
        int index = checkpoint.BlockIndex;
        if ((uint)index > (uint)_current || checkpoint.Offset < 0)
        {
            return false;
        }

        if (_blockCount == 0)
        {
            // I14: no block yet: position 0 at offset 0 of block 0 is the only one held.
            return checkpoint.Offset == 0 && checkpoint.Position == 0;
        }

        long start = _blocks[index].StartPosition;
        long used = index == _current ? _cursor - _blockStart : _blocks[index + 1].StartPosition - start;
        return checkpoint.Offset <= used && start + checkpoint.Offset == checkpoint.Position;
    }

    /// <summary>
    /// I8's structural check for a handle or list buffer, O(blocks): the <paramref name="bytes"/> bytes at
    /// <paramref name="start"/> end at position <paramref name="end"/> inside the used part of a block at or below the current one.
    /// </summary>
    private bool IsConsistent(byte* start, long bytes, long end)
    {
        if (_blockCount == 0)
        {
            // I14: no block yet: only an empty range at position 0 is held.
            return bytes == 0 && end == 0;
        }

        for (int i = _current; i >= 0; i--)
        {
            long first = _blocks[i].StartPosition;
            if (end - bytes < first)
            {
                continue;
            }

            long used = i == _current ? _cursor - _blockStart : _blocks[i + 1].StartPosition - first;
            return end - first <= used && _blocks[i].Start + (end - first - bytes) == start;
        }

        return false;
    }

    /// <summary>Whether memory made at <paramref name="epoch"/>, [start, start + bytes) ending at position <paramref name="end"/>, is still the arena's (I7, I8).</summary>
    private bool IsRangeLive(long epoch, byte* start, long bytes, long end) =>
        _rewinds.Check(epoch, end) switch
        {
            RewindLog.Liveness.Live => true,
            RewindLog.Liveness.Unproven => IsConsistent(start, bytes, end),
            _ => false,
        };

    /// <summary>
    /// Moves the cursor back to a validated checkpoint at or below the current position: runs tracked
    /// disposals, poisons in checked mode, records the rewind (I7), trims retention, restores I3.
    /// </summary>
    internal void RewindTo(in Checkpoint target)
    {
        Debug.Assert(target.Position <= Position && target.BlockIndex <= _current);
        Debug.Assert(target.Position >= InnermostStart, "I6");

        // The common case (a rollback or rewind within the current block of an unchecked, untracked
        // arena with nothing to trim): move the cursor, record the rewind (I7), restore I3. With no block
        // yet (I14) the target is position 0 and there is nothing to dispose, poison or trim either.
        if ((target.BlockIndex == _current && _reservedBytes <= _fastRewindCap) || _blockCount == 0)
        {
            Debug.Assert(_finishedBytes == target.Position - target.Offset);

            // SAFETY (I1, I2, I14): the target lies in the current block, at or below the cursor (with no
            // block, offset 0 of the null block start: the cursor stays null).
            _cursor = _blockStart + target.Offset;
            _rewinds.Record(target.Position);
            UpdateLimit();
            return;
        }

        // Checked mode: the rest runs with the arena held by this thread (I13); tracked Dispose() calls
        // made here may use the arena again on the same thread.
        int entered = Enter();
        try
        {
            List<Exception>? errors = null;
            _disposals?.DisposeAbove(target.Position, ref errors);

            if (_checked)
            {
                Poison(target);
            }

            // SAFETY (I4, I9, I12): the validated target names a position inside the used part of block
            // target.BlockIndex <= _current, which starts at Position - Offset; by I12 that (block, offset) is
            // the only one for the position, so every block after it holds only given-back bytes.
            _finishedBytes = target.Position - target.Offset;
            Debug.Assert(_blocks[target.BlockIndex].StartPosition == _finishedBytes, "I9");
            EnterBlock(target.BlockIndex);
            _cursor = _blockStart + target.Offset;
            _rewinds.Record(target.Position);
            TrimTo(_maxRetainedBytes);
            UpdateLimit();
            Debug.Assert(Position == target.Position);

            if (errors is not null)
            {
                ThrowHelper.ReportDisposeFailures(ThrowHelper.Messages.RewindDisposeFailed, errors);
            }
        }
        finally
        {
            Exit(entered);
        }
    }

    private void Poison(in Checkpoint target)
    {
        for (int i = target.BlockIndex; i <= _current; i++)
        {
            byte* start = _blocks[i].Start + (i == target.BlockIndex ? target.Offset : 0);
            byte* end = i == _current ? _cursor : _blocks[i].Start + _blocks[i].Size;
            for (byte* chunk = start; chunk < end; chunk += int.MaxValue)
            {
                // SAFETY (I1, I2): [chunk, end) lies inside block i, which is live.
                new Span<byte>(chunk, (int)Math.Min(end - chunk, int.MaxValue)).Fill(PoisonByte);
            }
        }
    }

    /// <summary>
    /// Frees retained blocks, last first, while more than <paramref name="cap"/> bytes are reserved.
    /// When it frees any, the doubling restarts from the largest block kept, so the next growth block
    /// is one the cap can keep (a spike does not leave a growth size behind that every round must
    /// reserve and free again).
    /// </summary>
    private long TrimTo(long cap)
    {
        long freed = 0;
        while (_reservedBytes > cap && _blockCount - 1 > _current)
        {
            Block last = _blocks[--_blockCount];
            _blocks[_blockCount] = default;
            NativeBlock.Free(last.Start, last.Size);
            _reservedBytes -= last.Size; // I5
            freed += last.Size;
        }

        if (freed > 0)
        {
            nint largest = 0;
            for (int i = 0; i < _blockCount; i++)
            {
                largest = Math.Max(largest, _blocks[i].Size);
            }

            _nextBlockSize = Math.Min(_maxBlockSize, 2L * largest);
        }

        return freed;
    }

    /// <summary>
    /// The one give-back: undoes a failed request or an abandoned buffer by rewinding to
    /// <paramref name="before"/>, when anything was taken since, the checkpoint is still rewindable (I7, I8)
    /// and it does not lie before the innermost open transaction's start. Otherwise does nothing.
    /// </summary>
    internal void GiveBack(in Checkpoint before)
    {
        if (!_disposed && before.Position < Position && before.Position >= InnermostStart && IsRewindable(before))
        {
            RewindTo(before);
        }
    }
}
