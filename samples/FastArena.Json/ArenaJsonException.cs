namespace FastArena.Json;

/// <summary>
/// Thrown by <see cref="ArenaJsonDocument.Parse"/> when a document is refused: malformed, truncated,
/// nested too deep, or over its byte budget. The arena is exactly as it was before the call.
/// </summary>
public sealed class ArenaJsonException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public ArenaJsonException()
        : this("The JSON document was refused.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ArenaJsonException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ArenaJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused document.</summary>
    /// <param name="error">Why the document was refused.</param>
    /// <param name="bytePosition">The input offset (in bytes) of the token where it was refused.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The reader's exception, when there is one.</param>
    public ArenaJsonException(ArenaJsonError error, long bytePosition, string message, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
        BytePosition = bytePosition;
    }

    /// <summary>Why the document was refused.</summary>
    public ArenaJsonError Error { get; }

    /// <summary>The input offset, in bytes, of the token at which the document was refused (for <see cref="ArenaJsonError.Truncated"/>: where the input ended).</summary>
    public long BytePosition { get; }
}
