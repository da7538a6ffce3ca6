namespace FastArena.Json;

/// <summary>Limits applied while <see cref="ArenaJsonDocument.Parse"/> reads a document.</summary>
public sealed class ArenaJsonOptions
{
    /// <summary>The default <see cref="MaxDepth"/>: 64, as <c>System.Text.Json</c>'s readers use.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>The largest <see cref="MaxDepth"/>: 1,000, the depth <c>Utf8JsonWriter</c> writes by default.</summary>
    public const int MaxMaxDepth = 1000;

    private readonly int _maxDepth = DefaultMaxDepth;
    private readonly long? _maxBytes;

    /// <summary>The default options: depth 64, no byte budget, duplicate property names allowed.</summary>
    public static ArenaJsonOptions Default { get; } = new();

    /// <summary>How deep objects and arrays may nest: a top-level array is depth 1. From 1 to <see cref="MaxMaxDepth"/>; default 64.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above <see cref="MaxMaxDepth"/>.</exception>
    public int MaxDepth
    {
        get => _maxDepth;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxMaxDepth);
            _maxDepth = value;
        }
    }

    /// <summary>
    /// Whether an object may name a property more than once; true (the default), as in
    /// <see cref="System.Text.Json.JsonDocumentOptions.AllowDuplicateProperties"/>. Allowed, every member
    /// is kept in document order (<see cref="ArenaJsonElement.EnumerateObject"/>,
    /// <see cref="ArenaJsonElement.GetPropertyCount"/> and <see cref="ArenaJsonElement.WriteTo"/> see them
    /// all) and a lookup by name finds the last one, as <c>JsonElement.GetProperty</c> and
    /// <c>JsonSerializer</c> do. False refuses such a document with <see cref="ArenaJsonError.Malformed"/>
    /// (names compared after unescaping, so <c>"a"</c> and <c>"\u0061"</c> are the same name) and rolls
    /// the arena back: the rule for input where two readers must not see two different values.
    /// </summary>
    public bool AllowDuplicateProperties { get; init; } = true;

    /// <summary>
    /// The most arena bytes one document may take (the copy of its input text, nodes, unescaped
    /// strings and padding, as
    /// <see cref="Arena.BytesAllocated"/> counts them), enforced with a transaction budget
    /// (<see cref="Transaction.SetLimit"/>); null (the default) for no budget of its own.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long? MaxBytes
    {
        get => _maxBytes;
        init
        {
            if (value is long v)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(v);
            }

            _maxBytes = value;
        }
    }
}
