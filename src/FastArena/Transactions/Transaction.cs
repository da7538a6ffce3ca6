using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// A scope over an <see cref="FastArena.Arena"/> whose allocations are kept by <see cref="Commit"/> and
/// given back by <see cref="Rollback"/>, or by <see cref="Dispose"/> when it was not committed:
/// <c>using var tx = arena.BeginTransaction();</c>. Transactions nest: <see cref="Savepoint"/> opens one
/// inside this one.
/// </summary>
/// <remarks>
/// <para>
/// A small struct handle: opening and ending a transaction allocates no managed memory. Copies of the
/// handle are the same transaction. Once it has ended (or an enclosing transaction ended it, or the arena
/// was disposed) every member throws, except <see cref="Dispose"/>, which does nothing, and
/// <see cref="Status"/>, <see cref="IsActive"/> and <see cref="IsCommitted"/>.
/// </para>
/// <para>
/// <see cref="Commit"/> with a savepoint still open throws <see cref="InvalidOperationException"/>;
/// <see cref="Rollback"/> and <see cref="Dispose"/> roll open savepoints back too.
/// </para>
/// <para>
/// Budgets: <see cref="SetLimit"/> caps the bytes (padding included) allocated while this transaction is
/// open, however they are allocated: through it, its savepoints, the arena directly or an
/// <see cref="ArenaList{T}"/>. A savepoint never spends more than any enclosing budget has left.
/// </para>
/// <para>Every allocation method of <see cref="FastArena.Arena"/> is here too, with the same contract.</para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public readonly unsafe partial struct Transaction : IDisposable, IEquatable<Transaction>
{
    private readonly Arena? _arena;
    private readonly int _depth;
    private readonly long _token;

    internal Transaction(Arena arena, int depth, long token)
    {
        _arena = arena;
        _depth = depth;
        _token = token;
    }

    /// <summary>The arena, after checking that this transaction is open.</summary>
    /// <remarks>Allocating on the arena directly is allocating in the innermost open transaction.</remarks>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Arena Arena
    {
        get
        {
            Arena arena = Live;
            return arena;
        }
    }

    private Arena Live
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            // SAFETY (I11): the fast token equals this handle's only while it is the innermost open
            // transaction of an unchecked, undisposed arena: one compare.
            Arena? arena = _arena;
            return arena is not null && arena.IsInnermostFast(_token) ? arena : LiveSlow(arena, _depth, _token);
        }
    }

    // Static, with the fields by value: an instance call would take the handle's address and keep the
    // caller's copy on the stack.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Arena LiveSlow(Arena? arena, int depth, long token)
    {
        if (arena is null)
        {
            ThrowHelper.ThrowTransactionDefault();
        }

        arena.ValidateTransaction(depth, token);
        return arena;
    }

    /// <summary>The debugger's summary: the depth, and whether open (bytes used, limit), committed, rolled back or ended. Never throws.</summary>
    internal string DebuggerDisplay => _arena is null ? "Transaction (default)" : _arena.DescribeTransaction(_depth, _token);

    /// <summary>Whether the transaction is open.</summary>
    public bool IsActive => _arena is not null && _arena.IsLive(_depth, _token);

    /// <summary>Whether the transaction ended with a commit.</summary>
    /// <exception cref="InvalidOperationException">The outcome is no longer known (see <see cref="Status"/>).</exception>
    public bool IsCommitted => Status == TransactionStatus.Committed;

    /// <summary>Open, committed or rolled back.</summary>
    /// <remarks>
    /// The outcome of an ended transaction is remembered until another transaction at the same depth
    /// ends; after that this throws <see cref="InvalidOperationException"/> rather than guess.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The transaction is default, or its outcome was replaced.</exception>
    public TransactionStatus Status
    {
        get
        {
            if (_arena is null)
            {
                ThrowHelper.ThrowTransactionDefault();
            }

            return _arena.StatusOf(_depth, _token);
        }
    }

    /// <summary>This transaction's nesting depth: 1 for a top-level transaction, 2 for its savepoint, and so on.</summary>
    public int Depth => _depth;

    /// <summary>The arena's current nesting depth (<see cref="Arena.TransactionDepth"/>).</summary>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public int ArenaDepth => Live.TransactionDepth;

    /// <summary>The checkpoint taken when the transaction opened: where a rollback returns.</summary>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public Checkpoint Checkpoint => Live.StartOf(_depth, _token);

    /// <summary>Bytes allocated since the transaction opened, padding included.</summary>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public long BytesUsed => Live.BytesUsedBy(_depth, _token);

    /// <summary>Bytes and blocks used since the transaction opened.</summary>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public TransactionDiff Diff => Live.DiffOf(_depth, _token);

    /// <summary>This transaction's own byte limit; null when it has none.</summary>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public long? Limit => Live.LimitOf(_depth, _token);

    /// <summary>
    /// Bytes that may still be allocated before the tightest budget of this transaction or any
    /// enclosing one is exhausted; null when none of them has a limit.
    /// </summary>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public long? BudgetRemaining => Live.BudgetRemainingOf(_depth, _token);

    /// <summary>
    /// Caps the bytes (padding included) allocated while this transaction is open at
    /// <paramref name="bytes"/>, counted from its start. Replaces an earlier limit of this transaction.
    /// A limit below <see cref="BytesUsed"/> is allowed and refuses every further allocation.
    /// </summary>
    /// <param name="bytes">The cap, not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public void SetLimit(long bytes) => Live.SetLimit(_depth, _token, bytes);

    /// <summary>Keeps every allocation made in the transaction and ends it.</summary>
    /// <exception cref="InvalidOperationException">
    /// The transaction has ended, is default, or has a savepoint still open (end that first); nothing changes.
    /// </exception>
    public void Commit() => Live.Commit(_depth, _token);

    /// <summary>Gives back every allocation made in the transaction (open savepoints included) and ends it.</summary>
    /// <remarks>The arena returns exactly to <see cref="Checkpoint"/>: same stats, same cursor.</remarks>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the rollback completed. Never thrown while another exception is unwinding or being handled on this thread (a <c>using</c> scope left by an exception, a <c>catch</c> block): cleanup never replaces that exception.</exception>
    public void Rollback() => Live.Rollback(_depth, _token);

    /// <summary>Rolls the transaction back if it is still open; otherwise does nothing. Never throws for an ended transaction, a disposed arena, or a thread other than the one that opened it.</summary>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the rollback completed. Never thrown while another exception is unwinding or being handled on this thread (a <c>using</c> scope left by an exception, a <c>catch</c> block): cleanup never replaces that exception.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        // After a Commit or Rollback the arena's stack is shallower than this handle's depth: nothing to do,
        // one compare. (A default handle has depth 0 and no arena.)
        Arena? arena = _arena;
        if (arena is not null && arena.MayBeOpen(_depth))
        {
            arena.DisposeTransaction(_depth, _token);
        }
    }

    /// <summary>Opens a nested transaction inside this one; this one must be the innermost open transaction.</summary>
    /// <returns>The savepoint, at <see cref="Depth"/> + 1.</returns>
    /// <exception cref="InvalidOperationException">The transaction has ended, is default, or already has an open savepoint.</exception>
    public Transaction Savepoint() => Live.Savepoint(_depth, _token);

    /// <inheritdoc/>
    public bool Equals(Transaction other) => ReferenceEquals(_arena, other._arena) && _depth == other._depth && _token == other._token;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Transaction other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_arena, _depth, _token);

    /// <summary>Whether two handles are the same transaction.</summary>
    public static bool operator ==(Transaction left, Transaction right) => left.Equals(right);

    /// <summary>Whether two handles are different transactions.</summary>
    public static bool operator !=(Transaction left, Transaction right) => !left.Equals(right);
}
