using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// The exceptions of the System.Buffers interop (<see cref="ArenaBufferWriter{T}"/>, stream reading), built
/// out of line so the writer's fast paths stay small. Messages are kept together here.
/// </summary>
[StackTraceHidden]
internal static class BufferThrowHelper
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowAdvancePastCapacity(int count, int free) =>
        throw new ArgumentOutOfRangeException(
            nameof(count), count, $"Advance({count}) goes past the {free} free elements the writer handed out.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowTooLarge(long needed) =>
        throw new OutOfMemoryException($"An arena buffer writer holds at most {int.MaxValue} elements; {needed} were asked for.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowOverCap(long length, long maxBytes, bool declared) =>
        throw new ArenaBudgetExceededException(
            declared
                ? $"The stream declares {length} bytes, more than the {maxBytes} allowed; nothing was read."
                : $"The stream holds more than the {maxBytes} bytes allowed; reading stopped there and the bytes read were given back.");
}
