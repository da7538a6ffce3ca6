namespace FastArena.Json;

/// <summary>Why <see cref="ArenaJsonDocument.Parse"/> refused a document. Every refusal leaves the arena exactly as it was.</summary>
public enum ArenaJsonError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>The input is not valid JSON (RFC 8259): a bad token, invalid UTF-8, or data after the value; or, with <see cref="ArenaJsonOptions.AllowDuplicateProperties"/> false, an object names a property twice.</summary>
    Malformed,

    /// <summary>The input ends before its value is complete (an empty input included).</summary>
    Truncated,

    /// <summary>Objects and arrays nest deeper than <see cref="ArenaJsonOptions.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>The document needs more arena bytes than <see cref="ArenaJsonOptions.MaxBytes"/> (or than an enclosing transaction's budget leaves).</summary>
    OverBudget,
}
