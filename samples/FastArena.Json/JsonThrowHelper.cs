using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace FastArena.Json;

/// <summary>Every exception of this library is built here, out of line, so the accessors stay small.</summary>
internal static class JsonThrowHelper
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowKind(string expected, JsonValueKind actual) =>
        throw new InvalidOperationException($"The operation needs {expected}, but the JSON value is {actual}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowIndex(int index, int length) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The array has {length} elements.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowNoProperty(string name) =>
        throw new KeyNotFoundException($"The JSON object has no property '{name}'.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowFormat(string type, ReadOnlySpan<byte> text) =>
        throw new FormatException($"The JSON number {Encoding.UTF8.GetString(text)} cannot be read as {type}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowRefused(ArenaJsonError error, long position, string detail, Exception? inner) =>
        throw new ArenaJsonException(error, position, Describe(error, position, detail), inner);

    internal static string Describe(ArenaJsonError error, long position, string detail) => error switch
    {
        ArenaJsonError.Malformed => $"Malformed JSON at byte {position}: {detail}",
        ArenaJsonError.Truncated => $"Truncated JSON: the input ends at byte {position} before the value is complete.",
        ArenaJsonError.TooDeep => $"JSON nested too deep at byte {position}: {detail}",
        ArenaJsonError.OverBudget => $"JSON document over its arena byte budget at byte {position}: {detail}",
        _ => detail,
    };
}
