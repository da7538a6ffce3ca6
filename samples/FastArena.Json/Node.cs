using System.Runtime.InteropServices;
using System.Text.Json;

namespace FastArena.Json;

// The arena layout of a document. The input is copied once (the document's text); every value is
// one 16-byte Node; a container's children are one contiguous arena array (Node[] for an array,
// PropertyEntry[] for an object), so reading child i is an index, and a document is a handful of
// blocks the GC never sees.
//
// Invariants (relied on by every pointer read in ArenaJsonElement, ArenaJsonDocument, Builder):
//  N1. A Node reachable from a committed document lives in arena memory that stays valid until the
//      arena rewinds below the document's start checkpoint (or resets, or is disposed).
//  N2. Kind String: Data points to Length bytes of unescaped, valid UTF-8 (Length >= 0): into the
//      document's text (N5) when the input spelled it without escapes, else to an unescaped copy.
//      Kind Number: Data points to Length >= 1 bytes of the number's text in the document's text
//      (N5), exactly as in the input, which matches the JSON number grammar.
//      Kind Array: Data points to Length Nodes. Kind Object: Data points to Length PropertyEntries.
//      Kinds True, False, Null: Data is null and Length is 0.
//  N3. A PropertyEntry's Name points to NameLength bytes of unescaped, valid UTF-8.
//  N4. Children arrays and entries are aligned to 8 bytes (they hold pointers); strings to 1.
//  N5. The document's text is a byte-for-byte copy of the whole input, made in the document's
//      transaction before any node, so it lives exactly as long as the nodes pointing into it (N1).
//      The reader reads one contiguous span, so a token's value is a slice of the input at a known
//      offset, and the same offset into the copy holds the same bytes.

/// <summary>One JSON value in the arena (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Node
{
    public void* Data;
    public int Length;
    public JsonValueKind Kind;
}

/// <summary>One object member in the arena (32 bytes): its unescaped UTF-8 name and its value.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PropertyEntry
{
    public byte* Name;
    public int NameLength;
    public Node Value;
}
