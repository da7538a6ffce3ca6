using System.Diagnostics;

namespace FastArena;

// Transactions without garbage: a Transaction is a struct handle (arena, depth, token). Its state is a
// Frame in _frames, a stack that is reused, so opening and ending transactions allocates nothing.
// A handle is live while the frame at its depth still carries its token; tokens are never reused.
//
// Ordering rules (one behaviour each, pinned by tests):
//  - Commit() of a transaction with an open savepoint throws InvalidOperationException and changes nothing.
//  - Rollback() and Dispose() of a transaction with open savepoints roll those back too.
//  - Rewind() to a checkpoint before the innermost open transaction's start throws.
//  - Reset() with any open transaction throws.
public sealed unsafe partial class Arena
{
    private struct Frame
    {
        public Checkpoint Start;
        public long Limit;
        public long BudgetEnd;
        public long Token;
        public long BlocksCreatedAtStart;
    }

    private struct Outcome
    {
        public long Token;
        public TransactionStatus Status;
    }

    // Both stacks start empty and shared (construction allocates no array for them): the first
    // BeginTransaction gives the arena its own.
    private static readonly Frame[] s_noFrames = [];
    private static readonly Outcome[] s_noOutcomes = [];

    private Frame[] _frames = s_noFrames;
    private Outcome[] _outcomes = s_noOutcomes;
    private int _depth;
    private long _nextToken;

    // The innermost open frame's token when the arena is unchecked and not disposed, else 0 (tokens
    // start at 1). A handle whose token equals it is open and innermost, so its members skip the
    // full validation; every other handle, and every handle of a checked arena, takes the full path.
    private long _fastToken;

    /// <summary>The number of open transactions, savepoints included (0 when none).</summary>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public int TransactionDepth
    {
        get
        {
            ThrowIfUnusable();
            return _depth;
        }
    }

    /// <summary>
    /// Opens a transaction: everything allocated until it ends is kept by <see cref="Transaction.Commit"/>
    /// and given back by <see cref="Transaction.Rollback"/> or by <see cref="Transaction.Dispose"/>
    /// without a commit. Use it with <c>using var tx = arena.BeginTransaction();</c>.
    /// </summary>
    /// <returns>The transaction; it nests inside the innermost open one, if any, as a savepoint.</returns>
    /// <remarks>Allocates no managed memory once the frame stack has grown to the nesting depth used.</remarks>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Transaction BeginTransaction()
    {
        // A non-null limit means unchecked, not disposed and no scope open (I3, I10): nothing to check.
        if (_limit == null)
        {
            ThrowIfUnusable();
        }

        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, Math.Max(4, _depth * 2));
            Array.Resize(ref _outcomes, Math.Max(4, _depth * 2));
        }

        long token = ++_nextToken;
        _frames[_depth] = new Frame
        {
            Start = CurrentCheckpoint(),
            Limit = -1,
            BudgetEnd = _budgetEnd,
            Token = token,
            BlocksCreatedAtStart = _blocksCreated,
        };
        _depth++;
        _fastToken = _checked ? 0 : token;
        return new Transaction(this, _depth, token);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction and commits it, unless the body throws: then the
    /// transaction rolls back and the exception propagates unchanged.
    /// </summary>
    /// <typeparam name="TResult">What the body returns.</typeparam>
    /// <param name="body">The work; it may open savepoints but must end them.</param>
    /// <returns>What the body returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public TResult WithTransaction<TResult>(Func<Transaction, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Transaction tx = BeginTransaction();
        try
        {
            TResult result = body(tx);
            CommitIfActive(tx);
            return result;
        }
        finally
        {
            tx.Dispose();
        }
    }

    /// <summary>
    /// Like <see cref="WithTransaction{TResult}(Func{Transaction, TResult})"/>, passing <paramref name="state"/>
    /// to a body that needs no closure, so the call allocates nothing.
    /// </summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="TResult">What the body returns.</typeparam>
    /// <param name="state">Handed to the body.</param>
    /// <param name="body">The work.</param>
    /// <returns>What the body returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public TResult WithTransaction<TState, TResult>(TState state, Func<Transaction, TState, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Transaction tx = BeginTransaction();
        try
        {
            TResult result = body(tx, state);
            CommitIfActive(tx);
            return result;
        }
        finally
        {
            tx.Dispose();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction that commits when the body returns true and rolls
    /// back when it returns false or throws (the exception propagates). The seed's
    /// <c>with_transaction</c>: <c>true</c> is <c>Ok</c>, <c>false</c> is <c>Err</c>.
    /// </summary>
    /// <param name="body">The work; returns whether to keep it.</param>
    /// <returns>
    /// Whether the transaction committed: false when the body returned false, and also when it returned
    /// true after rolling the transaction back itself.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool CommitIf(Func<Transaction, bool> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Transaction tx = BeginTransaction();
        try
        {
            if (!body(tx))
            {
                return false;
            }

            CommitIfActive(tx);
            return tx.Status == TransactionStatus.Committed;
        }
        finally
        {
            tx.Dispose();
        }
    }

    /// <summary>
    /// The seed's <c>with_transaction_infallible</c>: runs <paramref name="body"/> in a transaction and
    /// commits whatever it did, even when it throws (the exception then propagates after the commit).
    /// </summary>
    /// <typeparam name="TResult">What the body returns.</typeparam>
    /// <param name="body">The work.</param>
    /// <returns>What the body returned.</returns>
    /// <exception cref="InvalidOperationException">The body left a savepoint open: the commit is refused and the transaction rolls back.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public TResult WithTransactionInfallible<TResult>(Func<Transaction, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Transaction tx = BeginTransaction();
        try
        {
            return body(tx);
        }
        finally
        {
            try
            {
                CommitIfActive(tx);
            }
            finally
            {
                // A commit refused (a savepoint left open) must not leave the transaction open.
                tx.Dispose();
            }
        }
    }

    private static void CommitIfActive(Transaction tx)
    {
        // The body may have ended the transaction itself; that is its decision to keep.
        if (tx.IsActive)
        {
            tx.Commit();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The operations behind Transaction's members. (depth, token) identify the handle.
    // ---------------------------------------------------------------------------------------------

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
            ThrowHelper.ThrowInvalidOperation("The transaction is default: open one with Arena.BeginTransaction().");
        }

        if (!IsLive(depth, token))
        {
            ThrowHelper.ThrowInvalidOperation(
                "The transaction has ended (committed, rolled back, or ended with an enclosing transaction).");
        }

        return depth - 1;
    }

    internal void Commit(int depth, long token)
    {
        // The innermost open transaction of a usable, unchecked arena (_fastToken: I6; a non-null limit: no
        // scope open and not disposed, I3 and I10): the token is all the validation it needs.
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
            ThrowHelper.ThrowInvalidOperation(
                $"A savepoint at depth {_depth} is still open inside this transaction (depth {depth}); end it before committing.");
        }

        // The committed allocations now belong to the enclosing transaction (whose budget already counted them).
        EndFrames(index, TransactionStatus.Committed);
    }

    internal void Rollback(int depth, long token)
    {
        // As in Commit.
        if (token == _fastToken && token != 0 && _limit != null)
        {
            Checkpoint start = _frames[_depth - 1].Start;
            EndInnermost(TransactionStatus.RolledBack);
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
        EndFrames(index, TransactionStatus.RolledBack);
        RewindTo(start);
    }

    internal void DisposeTransaction(int depth, long token)
    {
        if (IsLive(depth, token))
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
        _frames[index] = default;
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
        ThrowHelper.ThrowInvalidOperation(
            token == 0
                ? "The transaction is default: open one with Arena.BeginTransaction()."
                : "The transaction ended and a later transaction at the same depth has since replaced its outcome.");
        return default;
    }

    internal Checkpoint StartOf(int depth, long token) => _frames[ValidateTransaction(depth, token)].Start;

    internal void SetLimit(int depth, long token, long bytes)
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
            _current - f.Start.BlockIndex + 1,
            _blocksCreated - f.BlocksCreatedAtStart);
    }

    internal Transaction Savepoint(int depth, long token)
    {
        ValidateTransaction(depth, token);
        if (depth != _depth)
        {
            ThrowHelper.ThrowInvalidOperation(
                $"A savepoint at depth {_depth} is already open inside this transaction (depth {depth}); open the new one from it.");
        }

        return BeginTransaction();
    }

    /// <summary>The start position of the innermost open transaction; 0 when none.</summary>
    internal long InnermostStart => _depth == 0 ? 0 : _frames[_depth - 1].Start.Position;
}
