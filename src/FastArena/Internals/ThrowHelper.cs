using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// Every exception the core throws is built here, one named method per failure.
/// </summary>
/// <remarks>
/// Why, as in the runtime's own ThrowHelper: a <c>throw</c> statement makes the JIT lay out the
/// exception's construction inside the method and often refuse to inline it, so the fast paths
/// (<c>Bump</c>, <c>ArenaList.Add</c>, <c>Transaction</c>'s one-compare check) call these
/// <see cref="DoesNotReturnAttribute"/> methods instead and stay a handful of instructions.
/// <see cref="StackTraceHiddenAttribute"/> keeps these frames out of stack traces, so a trace ends at
/// the member that failed. The messages stand together at the bottom, so they stay consistent.
/// </remarks>
[StackTraceHidden]
internal static class ThrowHelper
{
    // ---- Arguments ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowNegative(string paramName, long value) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' must not be negative.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowBadAlignment(string paramName, long value) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"'{paramName}' must be a power of two between 1 and {Arena.MaxAlignment}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowTooLarge(string paramName, long value) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"The request of {value} bytes is larger than Arena.MaxRequestSize ({Arena.MaxRequestSize} bytes).");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowIndex() => throw new ArgumentOutOfRangeException("index");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowTruncateOutOfRange(int count, int listCount) =>
        throw new ArgumentOutOfRangeException(nameof(count), count, $"'count' must be between 0 and Count ({listCount}).");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowListTooLong(int additional) =>
        throw new ArgumentOutOfRangeException(nameof(additional), additional, Messages.ListTooLong);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowBlockSizeOutOfRange(string paramName, long value, string message) =>
        throw new ArgumentOutOfRangeException(paramName, value, message);

    // ---- Checkpoints, rewinds, resets ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowCheckpointDefault(string paramName) => throw new ArgumentException(Messages.CheckpointDefault, paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowCheckpointForeign(string paramName) => throw new ArgumentException(Messages.CheckpointForeign, paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowCheckpointStale(string paramName) => throw new ArgumentException(Messages.CheckpointStale, paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowRewindBeforeTransaction() => throw new InvalidOperationException(Messages.RewindBeforeTransaction);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowResetInTransaction() => throw new InvalidOperationException(Messages.ResetInTransaction);

    // ---- Transactions ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowTransactionDefault() => throw new InvalidOperationException(Messages.TransactionDefault);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowTransactionEnded() => throw new InvalidOperationException(Messages.TransactionEnded);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowOutcomeReplaced() => throw new InvalidOperationException(Messages.OutcomeReplaced);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowCommitWithSavepoint(int innermost, int depth) =>
        throw new InvalidOperationException(
            $"A savepoint at depth {innermost} is still open inside this transaction (depth {depth}); end it before committing.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowSavepointNotInnermost(int innermost, int depth) =>
        throw new InvalidOperationException(
            $"A savepoint at depth {innermost} is already open inside this transaction (depth {depth}); open the new one from it.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowBudgetExceeded(long requested, long remaining) =>
        throw new ArenaBudgetExceededException(requested, remaining);

    // ---- Scopes ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowScopeOpen() => throw new InvalidOperationException(Messages.ScopeOpen);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowScopeDefault() => throw new InvalidOperationException(Messages.ScopeDefault);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowScopeEnded() => throw new InvalidOperationException(Messages.ScopeEnded);

    // ---- Lists and sequences ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowListEnded() => throw new InvalidOperationException(Messages.ListEnded);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowListDefault() => throw new InvalidOperationException(Messages.ListDefault);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowListStale() => throw new InvalidOperationException(Messages.ListStale);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowPopEmpty() => throw new InvalidOperationException(Messages.PopEmpty);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowNegativeCount(int count) =>
        throw new InvalidOperationException($"The collection reported a negative Count ({count}).");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowSequenceLonger(int count) =>
        throw new InvalidOperationException($"The sequence yielded more than the {count} items its Count promised.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowSequenceShorter(int written, int count) =>
        throw new InvalidOperationException($"The sequence yielded {written} items but its Count promised {count}.");

    // ---- Lifetime, threads, handles, the operating system ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowDisposed() => throw new ObjectDisposedException(nameof(Arena));

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowConcurrentUse(int user) =>
        throw new InvalidOperationException(
            $"Checked mode: managed thread {Environment.CurrentManagedThreadId} used this arena while thread {user} "
            + "was inside it. An Arena is not thread-safe: it may move between threads (across an await), "
            + "but only one thread may use it at a time.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowStaleHandle() => throw new InvalidOperationException(Messages.StaleHandle);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowNullHandle() => throw new InvalidOperationException(Messages.NullHandle);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowOutOfMemory(long size) =>
        throw new OutOfMemoryException($"The operating system refused a block of {size} bytes for the arena.");

    // ---- Disposal tracking: thrown after the operation completed ----

    /// <summary>
    /// Throws the failures of tracked <c>Dispose()</c> calls as one <see cref="AggregateException"/>, unless
    /// an exception is already unwinding (or being handled) on this thread: cleanup never replaces it, so
    /// the caller sees the original exception; the values were disposed all the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ReportDisposeFailures(string message, List<Exception> errors)
    {
        if (!Unwinding.InProgress)
        {
            throw new AggregateException(message, errors);
        }
    }

    /// <summary>Every fixed message of the core.</summary>
    internal static class Messages
    {
        internal const string ListTooLong = "The list would exceed int.MaxValue elements.";
        internal const string InitialBlockSize = "The first block must hold between 1 byte and Arena.MaxRequestSize.";
        internal const string MaxBlockSize = "The growth cap must be between 1 byte and Arena.MaxRequestSize.";
        internal const string CheckpointDefault = "The checkpoint is default: take one with GetCheckpoint().";
        internal const string CheckpointForeign = "The checkpoint belongs to another arena.";
        internal const string CheckpointStale = "The checkpoint is stale: a Rewind, Reset or rollback already went below it.";
        internal const string RewindBeforeTransaction =
            "The checkpoint lies before the start of an open transaction; commit or roll back the transaction first.";
        internal const string ResetInTransaction = "Reset is not allowed while a transaction is open; end the transaction first.";
        internal const string TransactionDefault = "The transaction is default: open one with Arena.BeginTransaction().";
        internal const string TransactionEnded =
            "The transaction has ended (committed, rolled back, or ended with an enclosing transaction).";
        internal const string OutcomeReplaced =
            "The transaction ended and a later transaction at the same depth has since replaced its outcome.";
        internal const string ListEnded = "The ArenaList was finished or disposed; use the span Finish() returned.";
        internal const string ListDefault = "The ArenaList is default: create it with new ArenaList<T>(arena).";
        internal const string ListStale =
            "Checked mode: a Rewind, Reset or rollback gave back this list's memory while the list was still in use.";
        internal const string PopEmpty = "Pop on an empty ArenaList.";
        internal const string ScopeOpen =
            "An ArenaScope is open on this arena: allocate through the scope, or end it (Dispose) before using the arena.";
        internal const string ScopeDefault = "The scope is default: open one with Arena.OpenScope().";
        internal const string ScopeEnded = "The scope has ended (Dispose ran); open a new one with Arena.OpenScope().";
        internal const string StaleHandle =
            "Checked mode: this handle points at arena memory that a Rewind, Reset or rollback has given back.";
        internal const string NullHandle = "The handle is default: it points at no arena memory.";
        internal const string ArenaDisposeFailed = "Dispose() of tracked arena values threw.";
        internal const string RewindDisposeFailed = "Dispose() of tracked arena values threw during a rewind.";
        internal const string ListDisposeFailed = "Dispose() of ArenaList elements threw.";
    }
}
