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
[DebuggerDisplay("Transaction depth {Depth}")]
public readonly unsafe struct Transaction : IDisposable, IEquatable<Transaction>
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

    /// <summary>The arena, after checking that this transaction is open (the seed's <c>arena_mut</c>).</summary>
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
            // The innermost open transaction of an unchecked arena: one compare (see Arena._fastToken).
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
            ThrowHelper.ThrowInvalidOperation("The transaction is default: open one with Arena.BeginTransaction().");
        }

        arena.ValidateTransaction(depth, token);
        return arena;
    }

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
                ThrowHelper.ThrowInvalidOperation("The transaction is default: open one with Arena.BeginTransaction().");
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
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the rollback completed.</exception>
    public void Rollback() => Live.Rollback(_depth, _token);

    /// <summary>Rolls the transaction back if it is still open; otherwise does nothing. Never throws for an ended transaction.</summary>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the rollback completed.</exception>
    public void Dispose() => _arena?.DisposeTransaction(_depth, _token);

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

    // Allocation: each member checks that the transaction is open, then does what the arena's member
    // of the same name does (the allocation lands in the innermost open transaction).

    /// <inheritdoc cref="Arena.Alloc{T}(T)"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T Alloc<T>(T value)
        where T : unmanaged => ref Live.Alloc(value);

    /// <inheritdoc cref="Arena.AllocHandle{T}(T)"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public ArenaRef<T> AllocHandle<T>(T value)
        where T : unmanaged => Live.AllocHandle(value);

    /// <inheritdoc cref="Arena.TryAlloc{T}(T, out ArenaRef{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAlloc<T>(T value, out ArenaRef<T> result)
        where T : unmanaged => Live.TryAlloc(value, out result);

    /// <inheritdoc cref="Arena.AllocUninitialized{T}"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public ref T AllocUninitialized<T>()
        where T : unmanaged => ref Live.AllocUninitialized<T>();

    /// <inheritdoc cref="Arena.TryAllocUninitialized{T}(out ArenaRef{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocUninitialized<T>(out ArenaRef<T> result)
        where T : unmanaged => Live.TryAllocUninitialized(out result);

    /// <inheritdoc cref="Arena.AllocSlice{T}(ReadOnlySpan{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public Span<T> AllocSlice<T>(ReadOnlySpan<T> source)
        where T : unmanaged => Live.AllocSlice(source);

    /// <inheritdoc cref="Arena.AllocSlice{T}(int)"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public Span<T> AllocSlice<T>(int length)
        where T : unmanaged => Live.AllocSlice<T>(length);

    /// <inheritdoc cref="Arena.AllocSliceUninitialized{T}(int)"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public Span<T> AllocSliceUninitialized<T>(int length)
        where T : unmanaged => Live.AllocSliceUninitialized<T>(length);

    /// <inheritdoc cref="Arena.AllocSlice{T}(int, Func{int, T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public Span<T> AllocSlice<T>(int length, Func<int, T> generator)
        where T : unmanaged => Live.AllocSlice(length, generator);

    /// <inheritdoc cref="Arena.AllocSlice{T}(IEnumerable{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public Span<T> AllocSlice<T>(IEnumerable<T> items)
        where T : unmanaged => Live.AllocSlice(items);

    /// <inheritdoc cref="Arena.AllocSliceHandle{T}(ReadOnlySpan{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public ArenaSlice<T> AllocSliceHandle<T>(ReadOnlySpan<T> source)
        where T : unmanaged => Live.AllocSliceHandle(source);

    /// <inheritdoc cref="Arena.AllocSliceHandle{T}(int)"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public ArenaSlice<T> AllocSliceHandle<T>(int length)
        where T : unmanaged => Live.AllocSliceHandle<T>(length);

    /// <inheritdoc cref="Arena.TryAllocSlice{T}(ReadOnlySpan{T}, out Span{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocSlice<T>(ReadOnlySpan<T> source, out Span<T> result)
        where T : unmanaged => Live.TryAllocSlice(source, out result);

    /// <inheritdoc cref="Arena.TryAllocSliceHandle{T}(ReadOnlySpan{T}, out ArenaSlice{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocSliceHandle<T>(ReadOnlySpan<T> source, out ArenaSlice<T> result)
        where T : unmanaged => Live.TryAllocSliceHandle(source, out result);

    /// <inheritdoc cref="Arena.TryAllocSlice{T}(int, out Span{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocSlice<T>(int length, out Span<T> result)
        where T : unmanaged => Live.TryAllocSlice(length, out result);

    /// <inheritdoc cref="Arena.TryAllocSliceUninitialized{T}(int, out Span{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocSliceUninitialized<T>(int length, out Span<T> result)
        where T : unmanaged => Live.TryAllocSliceUninitialized(length, out result);

    /// <inheritdoc cref="Arena.TryAllocSlice{T}(int, Func{int, T}, out Span{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocSlice<T>(int length, Func<int, T> generator, out Span<T> result)
        where T : unmanaged => Live.TryAllocSlice(length, generator, out result);

    /// <inheritdoc cref="Arena.TryAllocSlice{T}(IEnumerable{T}, out Span{T})"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocSlice<T>(IEnumerable<T> items, out Span<T> result)
        where T : unmanaged => Live.TryAllocSlice(items, out result);

    /// <inheritdoc cref="Arena.AllocString"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public ReadOnlySpan<char> AllocString(ReadOnlySpan<char> text) => Live.AllocString(text);

    /// <inheritdoc cref="Arena.AllocStringHandle"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public ArenaSlice<char> AllocStringHandle(ReadOnlySpan<char> text) => Live.AllocStringHandle(text);

    /// <inheritdoc cref="Arena.TryAllocString"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocString(ReadOnlySpan<char> text, out ReadOnlySpan<char> result) => Live.TryAllocString(text, out result);

    /// <inheritdoc cref="Arena.AllocUtf8"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public ReadOnlySpan<byte> AllocUtf8(ReadOnlySpan<char> text) => Live.AllocUtf8(text);

    /// <inheritdoc cref="Arena.TryAllocUtf8"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocUtf8(ReadOnlySpan<char> text, out ReadOnlySpan<byte> result) => Live.TryAllocUtf8(text, out result);

    /// <inheritdoc cref="Arena.AllocRaw"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public void* AllocRaw(nint size, nint alignment) => Live.AllocRaw(size, alignment);

    /// <inheritdoc cref="Arena.AllocZeroed"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public void* AllocZeroed(nint size, nint alignment) => Live.AllocZeroed(size, alignment);

    /// <inheritdoc cref="Arena.AllocCacheAligned"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public void* AllocCacheAligned(nint size) => Live.AllocCacheAligned(size);

    /// <inheritdoc cref="Arena.TryAllocRaw"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocRaw(nint size, nint alignment, out void* result) => Live.TryAllocRaw(size, alignment, out result);

    /// <inheritdoc cref="Arena.TryAllocZeroed"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocZeroed(nint size, nint alignment, out void* result) => Live.TryAllocZeroed(size, alignment, out result);

    /// <inheritdoc cref="Arena.TryAllocCacheAligned"/>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    public bool TryAllocCacheAligned(nint size, out void* result) => Live.TryAllocCacheAligned(size, out result);
}
