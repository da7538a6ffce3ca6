using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FastArena.Json;

/// <summary>
/// Builds a document from <see cref="Utf8JsonReader"/> tokens in one pass. The input is first copied
/// into the arena as one block (the document's text); strings without escapes and numbers are then
/// pointers into that copy, so they cost no allocation of their own; only escaped strings get an
/// unescaped copy. Children are collected on per-thread scratch stacks (managed arrays reused from
/// document to document) and copied into the arena as one contiguous array when their container ends,
/// so each container costs one arena allocation and the arena holds nothing but the finished document.
/// </summary>
internal static unsafe class DocumentBuilder
{
    /// <summary>Where and why a document was refused.</summary>
    internal struct Failure
    {
        public long Position;
        public string Detail;
        public Exception? Inner;
    }

    private struct Frame
    {
        public int Start;
        public byte* Name;
        public int NameLength;
        public bool IsObject;
    }

    /// <summary>The scratch stacks of one thread. Grown by doubling, never shrunk.</summary>
    private sealed class Scratch
    {
        public Node[] Items = new Node[256];
        public PropertyEntry[] Properties = new PropertyEntry[256];
        public Frame[] Frames = new Frame[ArenaJsonOptions.DefaultMaxDepth + 1];
        public byte[] Unescaped = new byte[256];
        public int[] Seen = [];
        public int ItemCount;
        public int PropertyCount;
    }

    [ThreadStatic]
    private static Scratch? t_scratch;

    internal static ArenaJsonError Build(Arena arena, ReadOnlySpan<byte> utf8, ArenaJsonOptions options, out ArenaJsonDocument document, out Failure failure)
    {
        ArgumentNullException.ThrowIfNull(arena);
        Scratch scratch = t_scratch ??= new Scratch();
        if (scratch.Frames.Length <= options.MaxDepth)
        {
            scratch.Frames = new Frame[options.MaxDepth + 1];
        }

        scratch.ItemCount = 0;
        scratch.PropertyCount = 0;
        document = default;
        failure = default;

        // Everything below lands in this transaction; leaving without Commit rolls it back (the arena
        // is then exactly as it was), also when the reader or the operating system throws.
        using Transaction tx = arena.BeginTransaction();
        if (options.MaxBytes is long max)
        {
            tx.SetLimit(max);
        }

        ArenaJsonError error = Read(arena, tx, utf8, options.MaxDepth, options.AllowDuplicateProperties, scratch, out Node* root, ref failure);
        if (failure.Inner is JsonException)
        {
            // The reader threw: tell a document that merely ends too early from one that is wrong.
            error = Classify(utf8, options.MaxDepth, ref failure);
        }

        if (error != ArenaJsonError.None)
        {
            return error;
        }

        Checkpoint start = tx.Checkpoint;
        long used = tx.BytesUsed;
        tx.Commit();
        document = new ArenaJsonDocument(arena, root, start, used);
        return ArenaJsonError.None;
    }

    private static ArenaJsonError Read(Arena arena, Transaction tx, ReadOnlySpan<byte> utf8, int maxDepth, bool allowDuplicates, Scratch s, out Node* root, ref Failure failure)
    {
        root = null;

        // The document's text: one copy of the input in the arena (N5). Strings without escapes and
        // numbers point into it. One vectorized UTF-8 check of the whole input replaces a check per
        // string; only an input that fails it is checked string by string, to find the bad one.
        if (!arena.TryAllocRaw(Math.Max(1, utf8.Length), 1, out void* copy))
        {
            return OverBudget(tx, 0, ref failure);
        }

        // SAFETY (N5): copy has room for utf8.Length bytes.
        utf8.CopyTo(new Span<byte>(copy, utf8.Length));
        byte* text = (byte*)copy;
        bool checkEachString = !Utf8.IsValid(utf8);
        ref byte inputStart = ref MemoryMarshal.GetReference(utf8);
        var reader = new Utf8JsonReader(utf8, isFinalBlock: true, new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth + 1 }));
        Frame[] frames = s.Frames;
        int depth = 0;
        byte* name = null;
        int nameLength = 0;
        Node top = default;
        try
        {
            while (reader.Read())
            {
                Node node;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        switch (TryString(arena, ref reader, s, text, ref inputStart, checkEachString, out name, out nameLength))
                        {
                            case CopyResult.OverBudget:
                                return OverBudget(tx, reader.TokenStartIndex, ref failure);
                            case CopyResult.InvalidUtf8:
                                return InvalidUtf8(reader.TokenStartIndex, ref failure);
                        }

                        continue;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (depth >= maxDepth)
                        {
                            failure.Position = reader.TokenStartIndex;
                            failure.Detail = $"more than {maxDepth} nested objects and arrays (ArenaJsonOptions.MaxDepth).";
                            return ArenaJsonError.TooDeep;
                        }

                        bool isObject = reader.TokenType == JsonTokenType.StartObject;
                        frames[depth++] = new Frame
                        {
                            Start = isObject ? s.PropertyCount : s.ItemCount,
                            Name = name,
                            NameLength = nameLength,
                            IsObject = isObject,
                        };
                        continue;
                    case JsonTokenType.EndObject:
                    {
                        Frame frame = frames[--depth];
                        int count = s.PropertyCount - frame.Start;
                        if (!allowDuplicates && count > 1 && FindDuplicate(s, frame.Start, count) is int duplicate and >= 0)
                        {
                            return Duplicate(s.Properties[duplicate], reader.TokenStartIndex, ref failure);
                        }

                        if (!arena.TryAllocRaw((nint)count * sizeof(PropertyEntry), 8, out void* entries))
                        {
                            return OverBudget(tx, reader.TokenStartIndex, ref failure);
                        }

                        // SAFETY (N4): entries has room for count aligned PropertyEntries.
                        s.Properties.AsSpan(frame.Start, count).CopyTo(new Span<PropertyEntry>(entries, count));
                        s.PropertyCount = frame.Start;
                        node = new Node { Data = entries, Length = count, Kind = JsonValueKind.Object };
                        name = frame.Name;
                        nameLength = frame.NameLength;
                        break;
                    }

                    case JsonTokenType.EndArray:
                    {
                        Frame frame = frames[--depth];
                        int count = s.ItemCount - frame.Start;
                        if (!arena.TryAllocRaw((nint)count * sizeof(Node), 8, out void* items))
                        {
                            return OverBudget(tx, reader.TokenStartIndex, ref failure);
                        }

                        // SAFETY (N4): items has room for count aligned Nodes.
                        s.Items.AsSpan(frame.Start, count).CopyTo(new Span<Node>(items, count));
                        s.ItemCount = frame.Start;
                        node = new Node { Data = items, Length = count, Kind = JsonValueKind.Array };
                        name = frame.Name;
                        nameLength = frame.NameLength;
                        break;
                    }

                    case JsonTokenType.String:
                    {
                        switch (TryString(arena, ref reader, s, text, ref inputStart, checkEachString, out byte* value, out int length))
                        {
                            case CopyResult.OverBudget:
                                return OverBudget(tx, reader.TokenStartIndex, ref failure);
                            case CopyResult.InvalidUtf8:
                                return InvalidUtf8(reader.TokenStartIndex, ref failure);
                        }

                        node = new Node { Data = value, Length = length, Kind = JsonValueKind.String };
                        break;
                    }

                    case JsonTokenType.Number:
                    {
                        // SAFETY (N5): a number's text is a slice of the input, so the same offset into the copy.
                        ReadOnlySpan<byte> raw = reader.ValueSpan;
                        node = new Node { Data = text + OffsetOf(ref inputStart, raw), Length = raw.Length, Kind = JsonValueKind.Number };
                        break;
                    }

                    case JsonTokenType.True:
                        node = new Node { Kind = JsonValueKind.True };
                        break;
                    case JsonTokenType.False:
                        node = new Node { Kind = JsonValueKind.False };
                        break;
                    default:
                        Debug.Assert(reader.TokenType == JsonTokenType.Null, "comments are disallowed, so only null is left");
                        node = new Node { Kind = JsonValueKind.Null };
                        break;
                }

                if (depth == 0)
                {
                    top = node;
                }
                else if (frames[depth - 1].IsObject)
                {
                    PushProperty(s, new PropertyEntry { Name = name, NameLength = nameLength, Value = node });
                }
                else
                {
                    PushItem(s, node);
                }
            }
        }
        catch (JsonException e)
        {
            failure.Position = reader.BytesConsumed;
            failure.Detail = e.Message;
            failure.Inner = e;
            return ArenaJsonError.Malformed;
        }

        Debug.Assert(depth == 0, "a final-block reader ends only after the top-level value is complete");
        if (!arena.TryAllocRaw(sizeof(Node), 8, out void* rootNode))
        {
            return OverBudget(tx, utf8.Length, ref failure);
        }

        // SAFETY (N1, N4): rootNode is 16 aligned bytes of this transaction.
        *(Node*)rootNode = top;
        root = (Node*)rootNode;
        return ArenaJsonError.None;
    }

    /// <summary>Reads the input again as a non-final block: a reader that runs out of data without an error means the input was cut short.</summary>
    private static ArenaJsonError Classify(ReadOnlySpan<byte> utf8, int maxDepth, ref Failure failure)
    {
        var reader = new Utf8JsonReader(utf8, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth + 1 }));
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            return ArenaJsonError.Malformed;
        }

        failure.Position = utf8.Length;
        failure.Detail = "the input ends before the value is complete.";
        return ArenaJsonError.Truncated;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArenaJsonError OverBudget(Transaction tx, long position, ref Failure failure)
    {
        long? remaining = tx.BudgetRemaining;
        if (remaining is null)
        {
            // No budget refused it, so the operating system did: that is not the document's fault.
            throw new OutOfMemoryException("The operating system refused a block for the JSON document.");
        }

        failure.Position = position;
        failure.Detail = tx.Limit is long limit
            ? $"the document needs more than its {limit:N0} bytes (ArenaJsonOptions.MaxBytes)."
            : "an enclosing transaction's budget is used up.";
        return ArenaJsonError.OverBudget;
    }

    /// <summary>
    /// The index of an entry among <paramref name="count"/> from <paramref name="start"/> whose name an
    /// earlier one has, or -1. Small objects compare every pair; larger ones use an open-addressing
    /// table of indices (reused scratch, so a warm thread allocates nothing) keyed by the process's
    /// randomized <see cref="HashCode"/>, so that crafted names cannot make the check quadratic.
    /// </summary>
    private static int FindDuplicate(Scratch s, int start, int count)
    {
        ReadOnlySpan<PropertyEntry> entries = s.Properties.AsSpan(start, count);
        if (count <= 8)
        {
            for (int i = 1; i < entries.Length; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    if (SameName(entries[i], entries[j]))
                    {
                        return start + i;
                    }
                }
            }

            return -1;
        }

        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count * 2);
        if (s.Seen.Length < size)
        {
            s.Seen = new int[size];
        }

        Span<int> table = s.Seen.AsSpan(0, size);
        table.Fill(-1);
        int mask = size - 1;
        for (int i = 0; i < entries.Length; i++)
        {
            var hash = default(HashCode);
            // SAFETY (N3): a name points to NameLength bytes.
            hash.AddBytes(new ReadOnlySpan<byte>(entries[i].Name, entries[i].NameLength));
            int slot = hash.ToHashCode() & mask;
            while (table[slot] >= 0)
            {
                if (SameName(entries[i], entries[table[slot]]))
                {
                    return start + i;
                }

                slot = (slot + 1) & mask;
            }

            table[slot] = i;
        }

        return -1;
    }

    // SAFETY (N3): both names point to NameLength bytes.
    private static bool SameName(in PropertyEntry a, in PropertyEntry b) =>
        a.NameLength == b.NameLength && new ReadOnlySpan<byte>(a.Name, a.NameLength).SequenceEqual(new ReadOnlySpan<byte>(b.Name, b.NameLength));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArenaJsonError Duplicate(in PropertyEntry entry, long position, ref Failure failure)
    {
        // SAFETY (N3): the name points to NameLength bytes of valid UTF-8.
        string name = Encoding.UTF8.GetString(entry.Name, Math.Min(entry.NameLength, 64));
        failure.Position = position;
        failure.Detail = $"the property name \"{name}{(entry.NameLength > 64 ? "..." : "")}\" appears more than once in the object that ends here (ArenaJsonOptions.AllowDuplicateProperties is false).";
        return ArenaJsonError.Malformed;
    }

    private enum CopyResult
    {
        Copied,
        OverBudget,
        InvalidUtf8,
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArenaJsonError InvalidUtf8(long position, ref Failure failure)
    {
        failure.Position = position;
        failure.Detail = "a string or property name is not valid UTF-8.";
        return ArenaJsonError.Malformed;
    }

    /// <summary>
    /// A string token's unescaped UTF-8: a pointer into the document's text when it has no escapes
    /// (N5), else an unescaped copy in the arena. The reader checks escapes but not raw UTF-8, so this
    /// does when the whole-input check failed (N2, N3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static CopyResult TryString(Arena arena, ref Utf8JsonReader reader, Scratch s, byte* text, ref byte inputStart, bool checkEachString, out byte* value, out int length)
    {
        if (reader.ValueIsEscaped)
        {
            return TryCopyEscaped(arena, ref reader, s, out value, out length);
        }

        ReadOnlySpan<byte> raw = reader.ValueSpan;
        length = raw.Length;
        if (checkEachString && !Utf8.IsValid(raw))
        {
            value = null;
            return CopyResult.InvalidUtf8;
        }

        // SAFETY (N5): the reader reads one contiguous span, so an unescaped value is a slice of the input.
        value = text + OffsetOf(ref inputStart, raw);
        return CopyResult.Copied;
    }

    /// <summary>Where <paramref name="slice"/> starts in the input that starts at <paramref name="inputStart"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint OffsetOf(ref byte inputStart, ReadOnlySpan<byte> slice)
    {
        nint offset = Unsafe.ByteOffset(ref inputStart, ref MemoryMarshal.GetReference(slice));
        Debug.Assert(offset >= 0, "a token's value is a slice of the input");
        return offset;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CopyResult TryCopyEscaped(Arena arena, ref Utf8JsonReader reader, Scratch s, out byte* text, out int length)
    {
        // Unescaped text is never longer than its escaped form.
        if (s.Unescaped.Length < reader.ValueSpan.Length)
        {
            s.Unescaped = new byte[Math.Max(reader.ValueSpan.Length, s.Unescaped.Length * 2)];
        }

        text = null;
        length = reader.CopyString(s.Unescaped);
        ReadOnlySpan<byte> unescaped = s.Unescaped.AsSpan(0, length);
        if (!Utf8.IsValid(unescaped))
        {
            return CopyResult.InvalidUtf8;
        }

        return TryCopy(arena, unescaped, out text) ? CopyResult.Copied : CopyResult.OverBudget;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryCopy(Arena arena, ReadOnlySpan<byte> bytes, out byte* text)
    {
        if (!arena.TryAllocRaw(bytes.Length, 1, out void* p))
        {
            text = null;
            return false;
        }

        // SAFETY (N2, N3): p has room for bytes.Length bytes.
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        text = (byte*)p;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PushItem(Scratch s, in Node node)
    {
        if (s.ItemCount == s.Items.Length)
        {
            Array.Resize(ref s.Items, s.Items.Length * 2);
        }

        s.Items[s.ItemCount++] = node;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PushProperty(Scratch s, in PropertyEntry entry)
    {
        if (s.PropertyCount == s.Properties.Length)
        {
            Array.Resize(ref s.Properties, s.Properties.Length * 2);
        }

        s.Properties[s.PropertyCount++] = entry;
    }
}
