using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// The exceptions of <see cref="ArenaPool"/> and <see cref="ArenaLease"/>, built out of line so that
/// <c>Rent</c> and <c>Lease.Arena</c> stay small enough to inline. Messages are kept together here.
/// </summary>
[StackTraceHidden]
internal static class PoolThrowHelper
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowPoolDisposed() => throw new ObjectDisposedException(nameof(ArenaPool));

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowLeaseNotActive(bool isDefault) =>
        throw new InvalidOperationException(
            isDefault
                ? "The lease is default: rent one with ArenaPool.Rent()."
                : "The lease was returned to its pool; its arena now belongs to the pool or to the next renter.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowLeaseReturned() =>
        throw new InvalidOperationException("The lease was already returned to its pool; a lease can be returned once.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowReturnedDisposed() =>
        throw new InvalidOperationException(
            "The leased arena was disposed by its holder; the pool owns pooled arenas, so return the lease instead of disposing the arena.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowReturnedInTransaction() =>
        throw new InvalidOperationException(
            "The leased arena was returned with a transaction still open; it was disposed instead of pooled. End transactions before returning the lease.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowSharedDispose() =>
        throw new InvalidOperationException("ArenaPool.Shared lives as long as the process and cannot be disposed.");
}
