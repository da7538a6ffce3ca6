using System.Text.Json;

namespace FastArena.Json;

/// <summary>
/// A parsed JSON document whose every node, string and array lives in an <see cref="Arena"/>: parsing
/// allocates no managed memory on a warm arena and thread, reading allocates none, and releasing is the
/// arena's rewind or reset (there is nothing for the garbage collector to trace or collect).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Parse"/> reads UTF-8 JSON (RFC 8259: no comments, no trailing commas, one value) with
/// <see cref="Utf8JsonReader"/> inside a transaction of the arena: on success the transaction commits
/// and the document stays until the arena rewinds below <see cref="Start"/>; on any refusal
/// (<see cref="ArenaJsonError"/>) it rolls back, so the arena's bytes, cursor and contents are exactly as
/// before the call. The input is copied into the arena once, so the document does not refer to the
/// caller's buffer; strings without escapes and numbers are read from that copy in place, strings with
/// escapes get an unescaped UTF-8 copy of their own.
/// </para>
/// <para>
/// A property name given twice in one object: by default both members are kept, in document order, and
/// a lookup by name finds the last one (as <see cref="JsonDocument"/> and <see cref="JsonSerializer"/>
/// read it); with <see cref="ArenaJsonOptions.AllowDuplicateProperties"/> false the document is refused
/// as <see cref="ArenaJsonError.Malformed"/>.
/// </para>
/// <para>
/// A document is a small handle, not an owner: it has no <c>Dispose</c>. Give its memory back with
/// <see cref="Release"/> (a rewind to <see cref="Start"/>), <see cref="Arena.Reset"/>, or by rolling back
/// an enclosing transaction. Like the arena, a document is not thread-safe to build, but once built it is
/// read-only and may be read from several threads while nobody rewinds the arena.
/// </para>
/// </remarks>
public readonly unsafe struct ArenaJsonDocument
{
    private readonly Arena? _arena;
    private readonly Node* _root;
    private readonly Checkpoint _start;
    private readonly long _bytesUsed;

    internal ArenaJsonDocument(Arena arena, Node* root, Checkpoint start, long bytesUsed)
    {
        _arena = arena;
        _root = root;
        _start = start;
        _bytesUsed = bytesUsed;
    }

    /// <summary>The top-level value; <c>default</c> (kind <see cref="JsonValueKind.Undefined"/>) for a <c>default</c> document.</summary>
    public ArenaJsonElement RootElement => new(_root);

    /// <summary>The arena holding the document; null for a <c>default</c> document.</summary>
    public Arena? Arena => _arena;

    /// <summary>The arena's position before the document: rewinding to it gives the document back.</summary>
    public Checkpoint Start => _start;

    /// <summary>The arena bytes the document takes (the copy of the input, nodes, unescaped strings and alignment padding).</summary>
    public long BytesUsed => _bytesUsed;

    /// <summary>Parses UTF-8 JSON into <paramref name="arena"/>.</summary>
    /// <param name="arena">The arena to build the document in (allocations land in its innermost open transaction, if any).</param>
    /// <param name="utf8Json">The whole document, UTF-8 (a leading byte order mark is refused as malformed).</param>
    /// <param name="options">Depth and byte limits; <see cref="ArenaJsonOptions.Default"/> when null.</param>
    /// <returns>The document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="arena"/> is null.</exception>
    /// <exception cref="ArenaJsonException">The document is malformed, truncated, nested deeper than <see cref="ArenaJsonOptions.MaxDepth"/>, or over <see cref="ArenaJsonOptions.MaxBytes"/> (or an enclosing budget); <see cref="ArenaJsonException.Error"/> says which. The arena is unchanged.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a block; the arena is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public static ArenaJsonDocument Parse(Arena arena, ReadOnlySpan<byte> utf8Json, ArenaJsonOptions? options = null)
    {
        ArenaJsonError error = DocumentBuilder.Build(arena, utf8Json, options ?? ArenaJsonOptions.Default, out ArenaJsonDocument document, out DocumentBuilder.Failure failure);
        if (error != ArenaJsonError.None)
        {
            JsonThrowHelper.ThrowRefused(error, failure.Position, failure.Detail, failure.Inner);
        }

        return document;
    }

    /// <summary>Parses UTF-8 JSON into <paramref name="arena"/>, reporting a refusal as a value instead of an exception.</summary>
    /// <param name="arena">The arena to build the document in.</param>
    /// <param name="utf8Json">The whole document, UTF-8.</param>
    /// <param name="document">The document; <c>default</c> on failure.</param>
    /// <param name="error">Why the document was refused; <see cref="ArenaJsonError.None"/> on success.</param>
    /// <param name="options">Depth and byte limits; <see cref="ArenaJsonOptions.Default"/> when null.</param>
    /// <returns>True when the document was parsed; false when it was refused, and the arena is then unchanged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="arena"/> is null.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a block; the arena is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public static bool TryParse(Arena arena, ReadOnlySpan<byte> utf8Json, out ArenaJsonDocument document, out ArenaJsonError error, ArenaJsonOptions? options = null)
    {
        error = DocumentBuilder.Build(arena, utf8Json, options ?? ArenaJsonOptions.Default, out document, out _);
        return error == ArenaJsonError.None;
    }

    /// <summary>Writes the document with <paramref name="writer"/> (see <see cref="ArenaJsonElement.WriteTo"/>).</summary>
    /// <param name="writer">The writer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The document is <c>default</c>, or the writer refuses.</exception>
    public void WriteTo(Utf8JsonWriter writer) => RootElement.WriteTo(writer);

    /// <summary>
    /// Gives the document's memory back: rewinds the arena to <see cref="Start"/>, which also gives back
    /// everything allocated after the document. Every element of the document is invalid afterwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">The document is <c>default</c>, or <see cref="Start"/> lies below an open transaction (see <see cref="Arena.Rewind"/>).</exception>
    /// <exception cref="ArgumentException">The arena already rewound below <see cref="Start"/> (a stale checkpoint).</exception>
    public void Release()
    {
        if (_arena is null)
        {
            JsonThrowHelper.ThrowKind("a parsed document", JsonValueKind.Undefined);
        }

        _arena.Rewind(_start);
    }
}
