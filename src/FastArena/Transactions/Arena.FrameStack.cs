using System.Diagnostics;

namespace FastArena;

// The frame stack behind Transaction's members (fields and I6, I11 in Arena/Arena.State.cs). A handle
// names its frame by (depth, token); every member validates it, then works on _frames.
public sealed unsafe partial class Arena
{
    /// <summary>Whether <paramref name="token"/> is the innermost open transaction of an unchecked, undisposed arena.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal bool IsInnermostFast(long token) => _fastToken == token;

    internal bool IsLive(int depth, long token) =>
        !_disposed && depth >= 1 && depth <= _depth && _frames[depth - 1].Token == token;

    /// <summary>Throws unless the handle's frame is open; returns its index.</summary>
    internal int ValidateTransaction(int depth, long token)
    {
        ThrowIfUnusable();
        if (token == 0)
        {
            ThrowHelper.ThrowTransactionDefault();
        }

        if (!IsLive(depth, token))
        {
            ThrowHelper.ThrowTransactionEnded();
        }

        return depth - 1;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void Commit(int depth, long token)
    {
        // The innermost open transaction of a usable, unchecked arena (the fast token, I11; a non-null
        // limit: no scope open and not disposed, I3 and I10): the token is all the validation it needs.
        if (token == _fastToken && token != 0 && _limit != null)
        {
            EndInnermost(TransactionStatus.Committed);
            return;
        }

        CommitSlow(depth, token);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void CommitSlow(int depth, long token)
    {
        int index = ValidateTransaction(depth, token);
        if (depth != _depth)
        {
            ThrowHelper.ThrowCommitWithSavepoint(_depth, depth);
        }

        // The committed allocations now belong to the enclosing transaction (whose budget already counted them).
        EndFrames(index, TransactionStatus.Committed);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void Rollback(int depth, long token)
    {
        // As in Commit.
        if (token == _fastToken && token != 0 && _limit != null)
        {
            Checkpoint start = _frames[_depth - 1].Start;
            EndInnermost(TransactionStatus.RolledBack);
            ArenaMetrics.RolledBack(1); // a flag test when nobody listens; counted before a tracked Dispose() can throw
            if (_depth == 0 && start.BlockIndex == _current && _reservedBytes <= _fastRewindCap)
            {
                // The outermost transaction, started in the current block, on an arena with nothing to
                // poison, dispose or trim: RewindTo's fast path, and with no transaction left the limit is
                // already the block's end (I3).
                Debug.Assert(_limit == _blockEnd && _finishedBytes == start.Position - start.Offset);

                // SAFETY (I1, I2): the start lies in the current block, at or below the cursor (I6).
                _cursor = _blockStart + start.Offset;
                _rewinds.Record(start.Position);
                return;
            }

            RewindTo(start);
            return;
        }

        RollbackSlow(depth, token);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void RollbackSlow(int depth, long token)
    {
        int index = ValidateTransaction(depth, token);
        Checkpoint start = _frames[index].Start;
        ArenaMetrics.RolledBack(_depth - index);
        EndFrames(index, TransactionStatus.RolledBack);
        RewindTo(start);
    }

    /// <summary>Whether a handle at <paramref name="depth"/> may still be open: false once the stack is shallower (one compare).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal bool MayBeOpen(int depth) => depth <= _depth;

    internal void DisposeTransaction(int depth, long token)
    {
        // Dispose is cleanup and runs while exceptions unwind: a race checked mode detects (I13) is not
        // reported from here then, since it would replace the exception the caller must see.
        if (IsLive(depth, token) && !(IsUsedElsewhere && Unwinding.InProgress))
        {
            Rollback(depth, token);
        }
    }

    /// <summary>Closes the innermost frame, whose token is <see cref="_fastToken"/>: EndFrames for one frame, without its loop.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void EndInnermost(TransactionStatus status)
    {
        int index = _depth - 1;
        Debug.Assert(index >= 0 && _frames[index].Token == _fastToken && !_checked);
        _outcomes[index] = new Outcome { Token = _fastToken, Status = status };

        // The frame is left as it is: frames at _depth and above are never read (I6; IsLive checks the depth first).
        _depth = index;
        if (index == 0)
        {
            // SAFETY (I3, I6): no transaction is left, so no budget: the fast-path limit is the block's end.
            _fastToken = 0;
            _budgetEnd = long.MaxValue;
            _limit = _blockEnd;
            return;
        }

        _fastToken = _frames[index - 1].Token;
        _budgetEnd = _frames[index - 1].BudgetEnd;
        UpdateLimit();
    }

    /// <summary>Closes frames [index, _depth), the innermost first, recording each outcome.</summary>
    private void EndFrames(int index, TransactionStatus status)
    {
        int entered = Enter();
        try
        {
            for (int i = _depth - 1; i >= index; i--)
            {
                _outcomes[i] = new Outcome { Token = _frames[i].Token, Status = i == index ? status : TransactionStatus.RolledBack };
                _frames[i] = default;
            }

            _depth = index;
            _fastToken = index == 0 || _checked ? 0 : _frames[index - 1].Token;
            _budgetEnd = index == 0 ? long.MaxValue : _frames[index - 1].BudgetEnd;
            UpdateLimit();
        }
        finally
        {
            Exit(entered);
        }
    }

    internal TransactionStatus StatusOf(int depth, long token)
    {
        if (IsLive(depth, token))
        {
            return TransactionStatus.Active;
        }

        if (token != 0 && depth >= 1 && depth <= _outcomes.Length && _outcomes[depth - 1].Token == token)
        {
            return _outcomes[depth - 1].Status;
        }

        ThrowIfUnusable();
        if (token == 0)
        {
            ThrowHelper.ThrowTransactionDefault();
        }

        ThrowHelper.ThrowOutcomeReplaced();
        return default;
    }

    internal Checkpoint StartOf(int depth, long token) => _frames[ValidateTransaction(depth, token)].Start;

    internal void SetLimit(int depth, long token, long bytes)
    {
        int entered = Enter();
        try
        {
            int index = ValidateTransaction(depth, token);
            if (bytes < 0)
            {
                ThrowHelper.ThrowNegative(nameof(bytes), bytes);
            }

            _frames[index].Limit = bytes;
            for (int i = index; i < _depth; i++)
            {
                ref Frame f = ref _frames[i];
                long outer = i == 0 ? long.MaxValue : _frames[i - 1].BudgetEnd;
                // Saturate: Start.Position + Limit can pass long.MaxValue, and a wrapped end would drop the enclosing budget.
                long own = f.Limit > long.MaxValue - f.Start.Position ? long.MaxValue : f.Start.Position + f.Limit;
                f.BudgetEnd = f.Limit < 0 ? outer : Math.Min(outer, own);
            }

            _budgetEnd = _frames[_depth - 1].BudgetEnd;
            UpdateLimit();
        }
        finally
        {
            Exit(entered);
        }
    }

    internal long? LimitOf(int depth, long token)
    {
        long limit = _frames[ValidateTransaction(depth, token)].Limit;
        return limit < 0 ? null : limit;
    }

    internal long? BudgetRemainingOf(int depth, long token)
    {
        int index = ValidateTransaction(depth, token);

        // A limit whose end saturates at long.MaxValue is still a limit: ask the frames, not the end.
        for (int i = index; i >= 0; i--)
        {
            if (_frames[i].Limit >= 0)
            {
                return Math.Max(0, _frames[index].BudgetEnd - Position);
            }
        }

        return null;
    }

    internal long BytesUsedBy(int depth, long token) =>
        Position - _frames[ValidateTransaction(depth, token)].Start.Position;

    internal TransactionDiff DiffOf(int depth, long token)
    {
        ref Frame f = ref _frames[ValidateTransaction(depth, token)];
        Debug.Assert(_current >= f.Start.BlockIndex);
        return new TransactionDiff(
            Position - f.Start.Position,
            _blockCount == 0 ? 0 : _current - f.Start.BlockIndex + 1, // I14: no block, none touched
            _blocksCreated - f.BlocksCreatedAtStart);
    }

    internal Transaction Savepoint(int depth, long token)
    {
        ValidateTransaction(depth, token);
        if (depth != _depth)
        {
            ThrowHelper.ThrowSavepointNotInnermost(_depth, depth);
        }

        return BeginTransaction();
    }

    /// <summary>The start position of the innermost open transaction; 0 when none.</summary>
    internal long InnermostStart => _depth == 0 ? 0 : _frames[_depth - 1].Start.Position;
}