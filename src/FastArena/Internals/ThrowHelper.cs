using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// Every exception the library throws is built here, out of line, so the hot paths that call these
/// methods stay small enough to inline.
/// </summary>
internal static class ThrowHelper
{
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
    internal static void ThrowOutOfMemory(long size) =>
        throw new OutOfMemoryException($"The operating system refused a block of {size} bytes for the arena.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowDisposed() => throw new ObjectDisposedException(nameof(Arena));

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowWrongThread(int owner) =>
        throw new InvalidOperationException(
            $"Checked mode: this arena belongs to managed thread {owner} but was used from thread "
            + $"{Environment.CurrentManagedThreadId}. An Arena is not thread-safe.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowStaleHandle() =>
        throw new InvalidOperationException(
            "Checked mode: this handle points at arena memory that a Rewind, Reset or rollback has given back.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowNullHandle() =>
        throw new InvalidOperationException("The handle is default: it points at no arena memory.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowScopeOpen() =>
        throw new InvalidOperationException(
            "An ArenaScope is open on this arena: allocate through the scope, or end it (Dispose) before using the arena.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowIndex() => throw new ArgumentOutOfRangeException("index");
}
