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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public Transaction BeginTransaction()
    {
        // The common case: a usable arena (a non-null limit: unchecked, so no I13 bookkeeping, not
        // disposed, no scope open: I3, I10) whose frame stack has room.
        int depth = _depth;
        Frame[] frames = _frames;
        if (_limit != null && (uint)depth < (uint)frames.Length)
        {
            long token = ++_nextToken;
            ref Frame frame = ref frames[depth];
            frame.Start = CurrentCheckpoint();
            frame.Limit = -1;
            frame.BudgetEnd = _budgetEnd;
            frame.Token = token;
            frame.BlocksCreatedAtStart = _blocksCreated;
            _depth = depth + 1;

            // I11: the new frame is the innermost one of an unchecked, undisposed arena.
            _fastToken = token;
            return new Transaction(this, depth + 1, token);
        }

        return BeginTransactionSlow();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private Transaction BeginTransactionSlow()
    {
        int entered = Enter();
        try
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
        finally
        {
            Exit(entered);
        }
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
    /// back when it returns false or throws (the exception propagates).
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
    /// Runs <paramref name="body"/> in a transaction and
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
}
