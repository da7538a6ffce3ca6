using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastArena;

// Bump allocation: the inlined fast path, the one out-of-line slow path, moving to the next block,
// and the fast-path limit (I3). Every public allocation member (Arena.Values.cs, Arena.Slices.cs) ends here.
public sealed unsafe partial class Arena
{
    /// <summary>The current position: bytes allocated (I4). Internal callers know the arena is alive.</summary>
    internal long Position => _finishedBytes + (_cursor - _blockStart);

    /// <summary>Whether the fast paths may run: false in checked mode and once disposed (I3). One load.</summary>
    internal bool HasFastPath
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _limit != null;
    }

    /// <summary>Bumps the cursor for <paramref name="size"/> bytes at <paramref name="alignment"/>; throws on failure.</summary>
    /// <remarks>Callers have checked: 0 &lt;= size &lt;= MaxRequestSize, alignment a power of two &lt;= MaxAlignment.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* Bump(nint size, nint alignment)
    {
        Debug.Assert(size >= 0 && size <= MaxRequestSize && BitOperations.IsPow2(alignment) && alignment <= MaxAlignment);

        // SAFETY (I2): see AlignedCursor.
        byte* aligned = AlignedCursor(alignment);

        // SAFETY (I3): when this holds, [aligned, aligned + size) is inside the current block and every
        // budget. The subtraction is signed, so a pad that overshoots _limit (or a null _limit) fails it.
        if (size <= _limit - aligned)
        {
            _cursor = aligned + size;
            return aligned;
        }

        return BumpSlow(size, alignment);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* BumpSlow(nint size, nint alignment)
    {
        AllocFailure failure = TryBumpSlow(size, alignment, out byte* result);
        if (failure != AllocFailure.None)
        {
            ThrowFailure(failure, size, alignment);
        }

        return result;
    }

    /// <summary>Like <see cref="Bump"/>, but reports a budget or capacity failure instead of throwing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* TryBump(nint size, nint alignment)
    {
        // SAFETY (I2, I3): as in Bump.
        byte* aligned = AlignedCursor(alignment);
        if (size <= _limit - aligned)
        {
            _cursor = aligned + size;
            return aligned;
        }

        return TryBumpSlow(size, alignment, out byte* result) == AllocFailure.None ? result : null;
    }

    private enum AllocFailure
    {
        None,
        Budget,
        OutOfMemory,
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private AllocFailure TryBumpSlow(nint size, nint alignment, out byte* result)
    {
        int entered = Enter();
        try
        {
            ThrowIfUnusable();
            result = null;
            long position = Position;
            byte* aligned = AlignedCursor(alignment);
            // I14: with no block yet nothing fits here; the charge is then the size alone (a fresh,
            // page-aligned block), checked against the budget before any block is reserved.
            bool fitsHere = _blockCount != 0 && size <= _blockEnd - aligned;
            long charge = Charge(aligned, size);
            if (charge > _budgetEnd - position)
            {
                ArenaMetrics.BudgetRejected();
                return AllocFailure.Budget;
            }

            if (!fitsHere)
            {
                if (!TryMoveToBlockFor(size))
                {
                    return AllocFailure.OutOfMemory;
                }

                aligned = _cursor;
                Debug.Assert(((nint)aligned & (alignment - 1)) == 0, "blocks are page-aligned");
            }

            // SAFETY (I2): [aligned, aligned + size) was just shown to fit in the current block.
            _cursor = aligned + size;
            UpdateLimit();
            result = aligned;
            return AllocFailure.None;
        }
        finally
        {
            Exit(entered);
        }
    }

    /// <summary>
    /// The bytes a request would consume from here: padding plus size when it fits in the current
    /// block; the size alone when it moves to a fresh, page-aligned block. Budgets count this.
    /// </summary>
    private long Charge(byte* aligned, nint size) => size <= _blockEnd - aligned ? (aligned - _cursor) + size : size;

    /// <summary>The cursor rounded up to <paramref name="alignment"/>, a power of two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* AlignedCursor(nint alignment) =>
        // SAFETY (I2): _cursor points into a live block (or is a stale pointer when _limit is null), so
        // rounding it up cannot overflow: blocks never sit within MaxAlignment of the address space's end.
        (byte*)(((nint)_cursor + (alignment - 1)) & ~(alignment - 1));

    /// <remarks>Called after a failed <see cref="TryBumpSlow"/>, which left the arena unchanged, so the charge is the refused one.</remarks>
    [DoesNotReturn]
    private void ThrowFailure(AllocFailure failure, nint size, nint alignment)
    {
        if (failure == AllocFailure.Budget)
        {
            ThrowHelper.ThrowBudgetExceeded(Charge(AlignedCursor(alignment), size), Math.Max(0, _budgetEnd - Position));
        }

        ThrowHelper.ThrowOutOfMemory(size);
    }

    /// <summary>
    /// Makes the next block current, choosing a retained block that can hold <paramref name="size"/>
    /// bytes, or reserving a new one; with no block yet, reserves the first one first (I14). False, with
    /// nothing changed, when the operating system refuses.
    /// </summary>
    private bool TryMoveToBlockFor(nint size)
    {
        if (_blockCount == 0)
        {
            if (!TryReserveFirstBlock())
            {
                return false;
            }

            // The first block holds the request, or the request moves on from it as from any block (the
            // first block stays, unused, as it would had it been reserved at construction).
            if (size <= _blockEnd - _cursor || TryMoveToBlockFor(size))
            {
                return true;
            }

            // SAFETY (I14): the request failed after all: back to no block, as before the call.
            ReleaseFirstBlock();
            return false;
        }

        int next = _current + 1;
        int found = -1;
        for (int i = next; i < _blockCount; i++)
        {
            if (_blocks[i].Size >= size)
            {
                found = i;
                break;
            }
        }

        if (found >= 0)
        {
            (_blocks[next], _blocks[found]) = (_blocks[found], _blocks[next]);
        }
        else
        {
            bool dedicated = size > _nextBlockSize;
            nint blockSize = dedicated ? size : (nint)_nextBlockSize;
            blockSize = Math.Max(blockSize, 1);
            byte* memory = NativeBlock.TryAllocate(blockSize);
            if (memory == null)
            {
                return false;
            }

            if (!dedicated)
            {
                _nextBlockSize = Math.Min(_nextBlockSize * 2, _maxBlockSize);
            }

            if (_blockCount == _blocks.Length)
            {
                Array.Resize(ref _blocks, _blockCount * 2);
            }

            Array.Copy(_blocks, next, _blocks, next + 1, _blockCount - next);
            _blocks[next] = new Block { Start = memory, Size = blockSize };
            _blockCount++;
            _blocksCreated++;
            _reservedBytes += blockSize; // I5
        }

        // SAFETY (I4): the bytes used in the block being left are finished; its unused tail is not counted.
        _finishedBytes += _cursor - _blockStart;

        // I9: the block starts where the previous one's used part ended.
        _blocks[next].StartPosition = _finishedBytes;
        EnterBlock(next);
        return true;
    }

    private void EnterBlock(int index)
    {
        _current = index;
        _blockStart = _blocks[index].Start;
        _blockEnd = _blockStart + _blocks[index].Size;
        _cursor = _blockStart;
    }

    /// <summary>Re-establishes I3 after the cursor, block or budget changed outside the fast path.</summary>
    private void UpdateLimit()
    {
        if (_checked || _disposed)
        {
            _limit = null;
            return;
        }

        long budgetLeft = _budgetEnd - Position;
        long blockLeft = _blockEnd - _cursor;
        _limit = _cursor + (nint)Math.Max(0, Math.Min(blockLeft, budgetLeft));
        Debug.Assert(_limit >= _cursor && _limit <= _blockEnd);
    }
}
