using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace FastArena.Json;

/// <summary>
/// One value of an <see cref="ArenaJsonDocument"/>: an object, array, string, number, true, false or
/// null whose bytes live in the arena. A 8-byte handle, cheap to copy; reading it allocates no managed
/// memory (except <see cref="GetString"/> and <see cref="ToString"/>, which make a <see cref="string"/>).
/// </summary>
/// <remarks>
/// Valid until the arena rewinds below the document (a <see cref="Arena.Rewind"/>, <see cref="Arena.Reset"/>,
/// a rolled-back enclosing transaction) or is disposed; using it after that is undefined behaviour,
/// like a <see cref="Span{T}"/> into the arena. The <c>default</c> element has kind
/// <see cref="JsonValueKind.Undefined"/>.
/// </remarks>
[DebuggerDisplay("{ValueKind}: {ToString(),nq}")]
public readonly unsafe struct ArenaJsonElement
{
    private readonly Node* _node;

    internal ArenaJsonElement(Node* node) => _node = node;

    /// <summary>The kind of value: object, array, string, number, true, false, null; <see cref="JsonValueKind.Undefined"/> for <c>default</c>.</summary>
    public JsonValueKind ValueKind => _node == null ? JsonValueKind.Undefined : _node->Kind;

    /// <summary>The number of elements of an array.</summary>
    /// <returns>The element count.</returns>
    /// <exception cref="InvalidOperationException">The value is not an array.</exception>
    public int GetArrayLength() => Expect(JsonValueKind.Array)->Length;

    /// <summary>The number of properties of an object (duplicates counted).</summary>
    /// <returns>The property count.</returns>
    /// <exception cref="InvalidOperationException">The value is not an object.</exception>
    public int GetPropertyCount() => Expect(JsonValueKind.Object)->Length;

    /// <summary>The element at <paramref name="index"/> of an array, in O(1).</summary>
    /// <param name="index">From 0 to <see cref="GetArrayLength"/> - 1.</param>
    /// <exception cref="InvalidOperationException">The value is not an array.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    public ArenaJsonElement this[int index]
    {
        get
        {
            Node* node = Expect(JsonValueKind.Array);
            if ((uint)index >= (uint)node->Length)
            {
                JsonThrowHelper.ThrowIndex(index, node->Length);
            }

            // SAFETY (N2): an array's Data holds Length nodes and index < Length.
            return new ArenaJsonElement((Node*)node->Data + index);
        }
    }

    /// <summary>Looks a property up by its UTF-8 name (compared byte for byte after unescaping); the last one wins when a name repeats, as in <see cref="JsonDocument"/>.</summary>
    /// <param name="utf8Name">The name in UTF-8, e.g. <c>"id"u8</c>.</param>
    /// <param name="value">The property's value; <c>default</c> when there is none.</param>
    /// <returns>Whether the object has the property.</returns>
    /// <exception cref="InvalidOperationException">The value is not an object.</exception>
    public bool TryGetProperty(ReadOnlySpan<byte> utf8Name, out ArenaJsonElement value)
    {
        Node* node = Expect(JsonValueKind.Object);
        // SAFETY (N2, N3): an object's Data holds Length entries, each naming NameLength bytes.
        var entries = (PropertyEntry*)node->Data;
        for (int i = node->Length - 1; i >= 0; i--)
        {
            PropertyEntry* entry = entries + i;
            if (entry->NameLength == utf8Name.Length && new ReadOnlySpan<byte>(entry->Name, entry->NameLength).SequenceEqual(utf8Name))
            {
                value = new ArenaJsonElement(&entry->Value);
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Looks a property up by its name; the last one wins when a name repeats.</summary>
    /// <param name="name">The name (UTF-16; compared after transcoding to UTF-8).</param>
    /// <param name="value">The property's value; <c>default</c> when there is none.</param>
    /// <returns>Whether the object has the property.</returns>
    /// <exception cref="InvalidOperationException">The value is not an object.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not valid UTF-16 (a lone surrogate).</exception>
    public bool TryGetProperty(ReadOnlySpan<char> name, out ArenaJsonElement value)
    {
        const int StackLimit = 256;
        int max = Encoding.UTF8.GetMaxByteCount(name.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Utf8Encoding.GetBytes(name, buffer);
            return TryGetProperty(buffer[..length], out value);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Looks a property up by its name; the last one wins when a name repeats.</summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The property's value; <c>default</c> when there is none.</param>
    /// <returns>Whether the object has the property.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The value is not an object.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not valid UTF-16 (a lone surrogate).</exception>
    public bool TryGetProperty(string name, out ArenaJsonElement value)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGetProperty(name.AsSpan(), out value);
    }

    /// <summary>The value of a property, by its UTF-8 name.</summary>
    /// <param name="utf8Name">The name in UTF-8.</param>
    /// <returns>The value (the last one when the name repeats).</returns>
    /// <exception cref="InvalidOperationException">The value is not an object.</exception>
    /// <exception cref="KeyNotFoundException">The object has no such property.</exception>
    public ArenaJsonElement GetProperty(ReadOnlySpan<byte> utf8Name)
    {
        if (!TryGetProperty(utf8Name, out ArenaJsonElement value))
        {
            JsonThrowHelper.ThrowNoProperty(Encoding.UTF8.GetString(utf8Name));
        }

        return value;
    }

    /// <summary>The value of a property, by its name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The value (the last one when the name repeats).</returns>
    /// <exception cref="InvalidOperationException">The value is not an object.</exception>
    /// <exception cref="KeyNotFoundException">The object has no such property.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not valid UTF-16.</exception>
    public ArenaJsonElement GetProperty(ReadOnlySpan<char> name)
    {
        if (!TryGetProperty(name, out ArenaJsonElement value))
        {
            JsonThrowHelper.ThrowNoProperty(name.ToString());
        }

        return value;
    }

    /// <summary>The value of a property, by its name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The value (the last one when the name repeats).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The value is not an object.</exception>
    /// <exception cref="KeyNotFoundException">The object has no such property.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not valid UTF-16.</exception>
    public ArenaJsonElement GetProperty(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return GetProperty(name.AsSpan());
    }

    /// <summary>Reads a number as a 64-bit integer.</summary>
    /// <param name="value">The value; 0 on failure.</param>
    /// <returns>False when the number has a fraction or exponent or does not fit in <see cref="long"/>.</returns>
    /// <exception cref="InvalidOperationException">The value is not a number.</exception>
    public bool TryGetInt64(out long value)
    {
        ReadOnlySpan<byte> text = GetRawNumber();
        if (Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length)
        {
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Reads a number as a 64-bit integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The value is not a number.</exception>
    /// <exception cref="FormatException">The number has a fraction or exponent or does not fit in <see cref="long"/>.</exception>
    public long GetInt64()
    {
        if (!TryGetInt64(out long value))
        {
            JsonThrowHelper.ThrowFormat("Int64", GetRawNumber());
        }

        return value;
    }

    /// <summary>Reads a number as a double, correctly rounded (a number beyond the range of <see cref="double"/> reads as an infinity, as with <see cref="JsonElement.TryGetDouble"/>).</summary>
    /// <param name="value">The value; 0 on failure.</param>
    /// <returns>True for every JSON number.</returns>
    /// <exception cref="InvalidOperationException">The value is not a number.</exception>
    public bool TryGetDouble(out double value)
    {
        ReadOnlySpan<byte> text = GetRawNumber();
        if (TryReadShortDecimal(text, out value)
            || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The exact powers of ten a double holds: 10^0 to 10^15.</summary>
    private static ReadOnlySpan<double> ExactPowersOfTen =>
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>
    /// The fast path for the common number (money, ratios, coordinates): an optional minus, at most 15
    /// digits in all, an optional fraction, no exponent. Its digits as an integer m are below 10^15 and
    /// so exact in a double, as is 10^k for the k fraction digits, and IEEE division rounds m / 10^k
    /// correctly: the same double the general parser returns. Anything else returns false.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadShortDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        int i = 0;
        bool negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative)
        {
            i = 1;
        }

        ulong digits = 0;
        int count = 0, fraction = -1;
        for (; i < text.Length; i++)
        {
            uint d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                digits = (digits * 10) + d;
                count++;
            }
            else if (text[i] == (byte)'.' && fraction < 0)
            {
                fraction = count;
            }
            else
            {
                return false; // an exponent: the general parser
            }
        }

        if (count is 0 or > 15)
        {
            return false;
        }

        int scale = fraction < 0 ? 0 : count - fraction;
        double m = digits;
        value = scale == 0 ? m : m / ExactPowersOfTen[scale];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>Reads a number as a double (see <see cref="TryGetDouble"/>).</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The value is not a number.</exception>
    /// <exception cref="FormatException">The number cannot be read as a double (never for a number of a parsed document).</exception>
    public double GetDouble()
    {
        if (!TryGetDouble(out double value))
        {
            JsonThrowHelper.ThrowFormat("Double", GetRawNumber());
        }

        return value;
    }

    /// <summary>The number's text exactly as the input spelled it, in UTF-8.</summary>
    /// <returns>The text, valid as long as the element is.</returns>
    /// <exception cref="InvalidOperationException">The value is not a number.</exception>
    public ReadOnlySpan<byte> GetRawNumber()
    {
        Node* node = Expect(JsonValueKind.Number);
        // SAFETY (N2): a number's Data holds its Length bytes of text.
        return new ReadOnlySpan<byte>(node->Data, node->Length);
    }

    /// <summary>Reads true or false.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The value is neither true nor false.</exception>
    public bool GetBoolean()
    {
        JsonValueKind kind = ValueKind;
        if (kind is not (JsonValueKind.True or JsonValueKind.False))
        {
            JsonThrowHelper.ThrowKind("True or False", kind);
        }

        return kind == JsonValueKind.True;
    }

    /// <summary>A string's value in UTF-8 (escapes already decoded), without copying: it lives in the arena.</summary>
    /// <returns>The bytes, valid as long as the element is.</returns>
    /// <exception cref="InvalidOperationException">The value is not a string.</exception>
    public ReadOnlySpan<byte> GetUtf8String()
    {
        Node* node = Expect(JsonValueKind.String);
        // SAFETY (N2): a string's Data holds its Length bytes of UTF-8.
        return new ReadOnlySpan<byte>(node->Data, node->Length);
    }

    /// <summary>A string's value as a new <see cref="string"/> (this allocates; <see cref="GetUtf8String"/> does not); null for a JSON null, as <see cref="JsonElement.GetString"/>.</summary>
    /// <returns>The string, or null.</returns>
    /// <exception cref="InvalidOperationException">The value is neither a string nor null.</exception>
    public string? GetString() => ValueKind == JsonValueKind.Null ? null : Encoding.UTF8.GetString(GetUtf8String());

    /// <summary>Whether a string equals <paramref name="utf8Text"/>, byte for byte.</summary>
    /// <param name="utf8Text">The UTF-8 text to compare with.</param>
    /// <returns>True when equal.</returns>
    /// <exception cref="InvalidOperationException">The value is not a string.</exception>
    public bool ValueEquals(ReadOnlySpan<byte> utf8Text) => GetUtf8String().SequenceEqual(utf8Text);

    /// <summary>Whether a string equals <paramref name="text"/> (compared as UTF-8).</summary>
    /// <param name="text">The text to compare with.</param>
    /// <returns>True when equal; false also when <paramref name="text"/> is not valid UTF-16.</returns>
    /// <exception cref="InvalidOperationException">The value is not a string.</exception>
    public bool ValueEquals(ReadOnlySpan<char> text)
    {
        ReadOnlySpan<byte> utf8 = GetUtf8String();
        if (utf8.Length < text.Length || utf8.Length > text.Length * 3)
        {
            return false;
        }

        Span<char> buffer = utf8.Length <= 256 ? stackalloc char[256] : new char[utf8.Length];
        return Encoding.UTF8.TryGetChars(utf8, buffer, out int written) && buffer[..written].SequenceEqual(text);
    }

    /// <summary>The elements of an array, in order, without allocating.</summary>
    /// <returns>A struct enumerator (use with <c>foreach</c>).</returns>
    /// <exception cref="InvalidOperationException">The value is not an array.</exception>
    public ArrayEnumerator EnumerateArray()
    {
        Node* node = Expect(JsonValueKind.Array);
        return new ArrayEnumerator((Node*)node->Data, node->Length);
    }

    /// <summary>The properties of an object, in document order (duplicates included), without allocating.</summary>
    /// <returns>A struct enumerator (use with <c>foreach</c>).</returns>
    /// <exception cref="InvalidOperationException">The value is not an object.</exception>
    public ObjectEnumerator EnumerateObject()
    {
        Node* node = Expect(JsonValueKind.Object);
        return new ObjectEnumerator((PropertyEntry*)node->Data, node->Length);
    }

    /// <summary>
    /// Writes the value with <paramref name="writer"/>: strings and names through the writer's escaping,
    /// numbers as their original text. For the same writer options the output equals
    /// <see cref="JsonElement.WriteTo"/>'s for the same input, with one exception: an indented writer
    /// indents a number only when it is spelled as <see cref="Utf8JsonWriter"/> spells its
    /// <see cref="long"/> or <see cref="double"/> (<c>12</c>, <c>0.25</c>, but not <c>1.50E+3</c>), because
    /// the writer's only public way to write a number's exact text, <see cref="Utf8JsonWriter.WriteRawValue(ReadOnlySpan{byte}, bool)"/>,
    /// does not indent.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The element is <c>default</c>, or the writer refuses (for example, deeper than its <see cref="JsonWriterOptions.MaxDepth"/>).</exception>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_node == null)
        {
            JsonThrowHelper.ThrowKind("a value", JsonValueKind.Undefined);
        }

        Write(_node, writer);
    }

    /// <summary>The value as compact JSON text (allocates a string; for debugging and logs).</summary>
    /// <returns>The JSON text; empty for <c>default</c>.</returns>
    public override string ToString()
    {
        if (_node == null)
        {
            return "";
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            Write(_node, writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static readonly UTF8Encoding Utf8Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void Write(Node* node, Utf8JsonWriter writer)
    {
        // SAFETY (N2, N3): each case reads exactly the memory its kind's invariant describes.
        switch (node->Kind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var entries = (PropertyEntry*)node->Data;
                for (int i = 0; i < node->Length; i++)
                {
                    writer.WritePropertyName(new ReadOnlySpan<byte>(entries[i].Name, entries[i].NameLength));
                    Write(&entries[i].Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                var items = (Node*)node->Data;
                for (int i = 0; i < node->Length; i++)
                {
                    Write(items + i, writer);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(new ReadOnlySpan<byte>(node->Data, node->Length));
                break;
            case JsonValueKind.Number:
                WriteNumber(new ReadOnlySpan<byte>(node->Data, node->Length), writer);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                Debug.Assert(node->Kind == JsonValueKind.Null, "N2: every node has one of the seven kinds");
                writer.WriteNullValue();
                break;
        }
    }

    private static void WriteNumber(ReadOnlySpan<byte> text, Utf8JsonWriter writer)
    {
        if (writer.Options.Indented)
        {
            Span<byte> spelled = stackalloc byte[32];
            if (Utf8Parser.TryParse(text, out long l, out int consumed) && consumed == text.Length
                && l.TryFormat(spelled, out int written, default, CultureInfo.InvariantCulture) && spelled[..written].SequenceEqual(text))
            {
                writer.WriteNumberValue(l);
                return;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
                && d.TryFormat(spelled, out written, default, CultureInfo.InvariantCulture) && spelled[..written].SequenceEqual(text))
            {
                writer.WriteNumberValue(d);
                return;
            }
        }

        writer.WriteRawValue(text, skipInputValidation: true);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Node* Expect(JsonValueKind kind)
    {
        Node* node = _node;
        if (node == null || node->Kind != kind)
        {
            JsonThrowHelper.ThrowKind(kind.ToString(), ValueKind);
        }

        return node;
    }

    /// <summary>Enumerates an array's elements (a struct: <c>foreach</c> allocates nothing; the interfaces box).</summary>
    public struct ArrayEnumerator : IEnumerable<ArenaJsonElement>, IEnumerator<ArenaJsonElement>
    {
        private readonly Node* _items;
        private readonly int _count;
        private int _index;

        internal ArrayEnumerator(Node* items, int count)
        {
            _items = items;
            _count = count;
            _index = -1;
        }

        /// <summary>The current element.</summary>
        public readonly ArenaJsonElement Current => new(_items + _index);

        /// <summary>Returns this enumerator (so it works with <c>foreach</c>).</summary>
        /// <returns>This enumerator.</returns>
        public readonly ArrayEnumerator GetEnumerator() => this;

        readonly object System.Collections.IEnumerator.Current => Current;

        /// <summary>Moves to the next element.</summary>
        /// <returns>False after the last one.</returns>
        public bool MoveNext() => ++_index < _count;

        /// <summary>Goes back to before the first element.</summary>
        public void Reset() => _index = -1;

        /// <summary>Does nothing: there is nothing to release.</summary>
        public readonly void Dispose()
        {
        }

        readonly IEnumerator<ArenaJsonElement> IEnumerable<ArenaJsonElement>.GetEnumerator() => this;

        readonly System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => this;
    }

    /// <summary>Enumerates an object's properties (a struct: <c>foreach</c> allocates nothing; the interfaces box).</summary>
    public struct ObjectEnumerator : IEnumerable<ArenaJsonProperty>, IEnumerator<ArenaJsonProperty>
    {
        private readonly PropertyEntry* _entries;
        private readonly int _count;
        private int _index;

        internal ObjectEnumerator(PropertyEntry* entries, int count)
        {
            _entries = entries;
            _count = count;
            _index = -1;
        }

        /// <summary>The current property.</summary>
        public readonly ArenaJsonProperty Current => new(_entries + _index);

        /// <summary>Returns this enumerator (so it works with <c>foreach</c>).</summary>
        /// <returns>This enumerator.</returns>
        public readonly ObjectEnumerator GetEnumerator() => this;

        readonly object System.Collections.IEnumerator.Current => Current;

        /// <summary>Moves to the next property.</summary>
        /// <returns>False after the last one.</returns>
        public bool MoveNext() => ++_index < _count;

        /// <summary>Goes back to before the first property.</summary>
        public void Reset() => _index = -1;

        /// <summary>Does nothing: there is nothing to release.</summary>
        public readonly void Dispose()
        {
        }

        readonly IEnumerator<ArenaJsonProperty> IEnumerable<ArenaJsonProperty>.GetEnumerator() => this;

        readonly System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => this;
    }
}

/// <summary>One property of an object in an <see cref="ArenaJsonDocument"/>: its name and value, both in the arena.</summary>
public readonly unsafe struct ArenaJsonProperty
{
    private readonly PropertyEntry* _entry;

    internal ArenaJsonProperty(PropertyEntry* entry) => _entry = entry;

    /// <summary>The name in UTF-8, escapes decoded, without copying.</summary>
    /// <exception cref="InvalidOperationException">The property is <c>default</c>.</exception>
    public ReadOnlySpan<byte> Utf8Name
    {
        get
        {
            PropertyEntry* entry = Live();
            // SAFETY (N3): Name holds NameLength bytes.
            return new ReadOnlySpan<byte>(entry->Name, entry->NameLength);
        }
    }

    /// <summary>The name as a new <see cref="string"/> (allocates).</summary>
    /// <exception cref="InvalidOperationException">The property is <c>default</c>.</exception>
    public string Name => Encoding.UTF8.GetString(Utf8Name);

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">The property is <c>default</c>.</exception>
    public ArenaJsonElement Value => new(&Live()->Value);

    /// <summary>Whether the name equals <paramref name="utf8Name"/>, byte for byte.</summary>
    /// <param name="utf8Name">The UTF-8 name to compare with.</param>
    /// <returns>True when equal.</returns>
    /// <exception cref="InvalidOperationException">The property is <c>default</c>.</exception>
    public bool NameEquals(ReadOnlySpan<byte> utf8Name) => Utf8Name.SequenceEqual(utf8Name);

    /// <summary>The property as <c>name: value</c>, the value as compact JSON (allocates; for debugging).</summary>
    /// <returns>The text; empty for <c>default</c>.</returns>
    public override string ToString() => _entry == null ? "" : $"{Name}: {Value}";

    private PropertyEntry* Live()
    {
        if (_entry == null)
        {
            JsonThrowHelper.ThrowKind("a property", JsonValueKind.Undefined);
        }

        return _entry;
    }
}
