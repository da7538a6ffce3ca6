using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastArena.Json;

namespace FastArena.Workload.Json;

/// <summary>
/// What the query computes over one page of orders; every JSON library must produce the same values.
/// The query reads each order's id, status, amount, paid flag, note, customer name, and each line
/// item's quantity, price and tag count.
/// </summary>
public struct JsonQueryResult : IEquatable<JsonQueryResult>
{
    /// <summary>Orders seen.</summary>
    public long Orders;

    /// <summary>Sum of order ids.</summary>
    public long IdSum;

    /// <summary>Orders whose status is "shipped".</summary>
    public long Shipped;

    /// <summary>Paid orders.</summary>
    public long Paid;

    /// <summary>Orders whose note is null.</summary>
    public long NullNotes;

    /// <summary>Sum of amounts, in document order.</summary>
    public double AmountSum;

    /// <summary>Sum of line-item quantities.</summary>
    public long ItemQuantity;

    /// <summary>Sum of quantity times price over line items, in document order.</summary>
    public double ItemValue;

    /// <summary>Tags over all line items.</summary>
    public long Tags;

    /// <summary>FNV-1a over the UTF-8 bytes of every customer name, in order.</summary>
    public ulong NameHash;

    /// <summary>One number over every field (doubles by their bits).</summary>
    public readonly ulong Checksum
    {
        get
        {
            ulong h = 0xCBF29CE484222325UL;
            foreach (ulong v in (ReadOnlySpan<ulong>)[(ulong)Orders, (ulong)IdSum, (ulong)Shipped, (ulong)Paid, (ulong)NullNotes,
                         BitConverter.DoubleToUInt64Bits(AmountSum), (ulong)ItemQuantity, BitConverter.DoubleToUInt64Bits(ItemValue), (ulong)Tags, NameHash])
            {
                h = (h ^ v) * 0x100000001B3UL;
            }

            return h;
        }
    }

    /// <summary>Adds another result's counts (checksums of runs over many documents combine this way).</summary>
    /// <param name="other">The other result.</param>
    public void Add(in JsonQueryResult other)
    {
        Orders += other.Orders;
        IdSum += other.IdSum;
        Shipped += other.Shipped;
        Paid += other.Paid;
        NullNotes += other.NullNotes;
        AmountSum += other.AmountSum;
        ItemQuantity += other.ItemQuantity;
        ItemValue += other.ItemValue;
        Tags += other.Tags;
        NameHash = (NameHash * 0x100000001B3UL) ^ other.NameHash;
    }

    internal void HashName(ReadOnlySpan<byte> utf8)
    {
        ulong h = NameHash == 0 ? 0xCBF29CE484222325UL : NameHash;
        foreach (byte b in utf8)
        {
            h = (h ^ b) * 0x100000001B3UL;
        }

        NameHash = h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void HashName(string name)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (Encoding.UTF8.TryGetBytes(name, buffer, out int written))
        {
            HashName(buffer[..written]);
        }
        else
        {
            HashName(Encoding.UTF8.GetBytes(name));
        }
    }

    /// <inheritdoc/>
    public readonly bool Equals(JsonQueryResult other) => Checksum == other.Checksum && Orders == other.Orders;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is JsonQueryResult other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => Checksum.GetHashCode();

    /// <summary>Whether two results agree.</summary>
    public static bool operator ==(JsonQueryResult left, JsonQueryResult right) => left.Equals(right);

    /// <summary>Whether two results disagree.</summary>
    public static bool operator !=(JsonQueryResult left, JsonQueryResult right) => !left.Equals(right);

    /// <inheritdoc/>
    public override readonly string ToString() =>
        $"{Orders} orders, {Shipped} shipped, {Paid} paid, {ItemQuantity} items, checksum {Checksum:x16}";
}

/// <summary>One way to parse a document, run the query over it and release it.</summary>
public interface IJsonWorkload
{
    /// <summary>The library, as the tables name it.</summary>
    string Name { get; }

    /// <summary>Parses <paramref name="utf8Json"/>, runs the query, releases the document.</summary>
    /// <param name="utf8Json">One page of orders (memory, so that <see cref="JsonDocument"/> can parse it without a copy).</param>
    /// <returns>The query's result.</returns>
    JsonQueryResult Run(ReadOnlyMemory<byte> utf8Json);
}

/// <summary>FastArena.Json: parse into a warm arena, query through <see cref="ArenaJsonElement"/>, release with a reset.</summary>
public sealed class ArenaJsonWorkload : IJsonWorkload, IDisposable
{
    private readonly Arena _arena = new(new ArenaOptions { CheckedMode = false });
    private readonly ArenaJsonOptions _options;

    /// <summary>Creates the workload and its arena.</summary>
    /// <param name="options">Parse limits; the defaults when null.</param>
    public ArenaJsonWorkload(ArenaJsonOptions? options = null) => _options = options ?? ArenaJsonOptions.Default;

    /// <inheritdoc/>
    public string Name => "FastArena.Json";

    /// <summary>The arena the documents are parsed into.</summary>
    public Arena Arena => _arena;

    /// <summary>The most arena bytes one document took.</summary>
    public long PeakDocumentBytes { get; private set; }

    /// <inheritdoc/>
    public JsonQueryResult Run(ReadOnlyMemory<byte> utf8Json)
    {
        ArenaJsonDocument doc = ArenaJsonDocument.Parse(_arena, utf8Json.Span, _options);
        PeakDocumentBytes = Math.Max(PeakDocumentBytes, doc.BytesUsed);
        JsonQueryResult result = Query(doc.RootElement);
        _arena.Reset();
        return result;
    }

    /// <summary>Frees the arena.</summary>
    public void Dispose() => _arena.Dispose();

    /// <summary>The query over an arena document.</summary>
    /// <param name="root">The page.</param>
    /// <returns>The result.</returns>
    public static JsonQueryResult Query(ArenaJsonElement root)
    {
        var r = default(JsonQueryResult);
        foreach (ArenaJsonElement order in root.GetProperty("orders"u8).EnumerateArray())
        {
            r.Orders++;
            r.IdSum += order.GetProperty("id"u8).GetInt64();
            if (order.GetProperty("status"u8).ValueEquals("shipped"u8))
            {
                r.Shipped++;
            }

            r.AmountSum += order.GetProperty("amount"u8).GetDouble();
            if (order.GetProperty("paid"u8).GetBoolean())
            {
                r.Paid++;
            }

            if (order.GetProperty("note"u8).ValueKind == JsonValueKind.Null)
            {
                r.NullNotes++;
            }

            r.HashName(order.GetProperty("customer"u8).GetProperty("name"u8).GetUtf8String());
            foreach (ArenaJsonElement item in order.GetProperty("items"u8).EnumerateArray())
            {
                long qty = item.GetProperty("qty"u8).GetInt64();
                r.ItemQuantity += qty;
                r.ItemValue += qty * item.GetProperty("price"u8).GetDouble();
                r.Tags += item.GetProperty("tags"u8).GetArrayLength();
            }
        }

        return r;
    }
}

/// <summary>System.Text.Json's <see cref="JsonDocument"/>: parse (pooled buffers), query through <see cref="JsonElement"/>, dispose.</summary>
public sealed class JsonDocumentWorkload : IJsonWorkload
{
    /// <inheritdoc/>
    public string Name => "JsonDocument";

    /// <inheritdoc/>
    public JsonQueryResult Run(ReadOnlyMemory<byte> utf8Json)
    {
        // No copy: the document refers to the caller's memory while it lives.
        using JsonDocument doc = JsonDocument.Parse(utf8Json);
        return Query(doc.RootElement);
    }

    /// <summary>The query over a <see cref="JsonElement"/>.</summary>
    /// <param name="root">The page.</param>
    /// <returns>The result.</returns>
    public static JsonQueryResult Query(JsonElement root)
    {
        var r = default(JsonQueryResult);
        foreach (JsonElement order in root.GetProperty("orders"u8).EnumerateArray())
        {
            r.Orders++;
            r.IdSum += order.GetProperty("id"u8).GetInt64();
            if (order.GetProperty("status"u8).ValueEquals("shipped"u8))
            {
                r.Shipped++;
            }

            r.AmountSum += order.GetProperty("amount"u8).GetDouble();
            if (order.GetProperty("paid"u8).GetBoolean())
            {
                r.Paid++;
            }

            if (order.GetProperty("note"u8).ValueKind == JsonValueKind.Null)
            {
                r.NullNotes++;
            }

            // The raw bytes when the name has no escapes (no allocation), else the decoded string.
            JsonElement name = order.GetProperty("customer"u8).GetProperty("name"u8);
            ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(name);
            if (raw.IndexOf((byte)'\\') < 0)
            {
                r.HashName(raw[1..^1]);
            }
            else
            {
                r.HashName(name.GetString()!);
            }

            foreach (JsonElement item in order.GetProperty("items"u8).EnumerateArray())
            {
                long qty = item.GetProperty("qty"u8).GetInt64();
                r.ItemQuantity += qty;
                r.ItemValue += qty * item.GetProperty("price"u8).GetDouble();
                r.Tags += item.GetProperty("tags"u8).GetArrayLength();
            }
        }

        return r;
    }
}

/// <summary>System.Text.Json's <see cref="JsonNode"/>: parse into a mutable DOM, query through indexers, leave it to the GC.</summary>
public sealed class JsonNodeWorkload : IJsonWorkload
{
    /// <inheritdoc/>
    public string Name => "JsonNode";

    /// <inheritdoc/>
    public JsonQueryResult Run(ReadOnlyMemory<byte> utf8Json) => Query(JsonNode.Parse(utf8Json.Span)!);

    /// <summary>The query over a <see cref="JsonNode"/> tree.</summary>
    /// <param name="root">The page.</param>
    /// <returns>The result.</returns>
    public static JsonQueryResult Query(JsonNode root)
    {
        var r = default(JsonQueryResult);
        foreach (JsonNode? order in root["orders"]!.AsArray())
        {
            r.Orders++;
            r.IdSum += order!["id"]!.GetValue<long>();
            if (order["status"]!.GetValue<string>() == "shipped")
            {
                r.Shipped++;
            }

            r.AmountSum += order["amount"]!.GetValue<double>();
            if (order["paid"]!.GetValue<bool>())
            {
                r.Paid++;
            }

            if (order["note"] is null)
            {
                r.NullNotes++;
            }

            r.HashName(order["customer"]!["name"]!.GetValue<string>());
            foreach (JsonNode? item in order["items"]!.AsArray())
            {
                long qty = item!["qty"]!.GetValue<long>();
                r.ItemQuantity += qty;
                r.ItemValue += qty * item["price"]!.GetValue<double>();
                r.Tags += item["tags"]!.AsArray().Count;
            }
        }

        return r;
    }
}

/// <summary><see cref="JsonSerializer"/> into classes with source-generated metadata (<see cref="CorpusJsonContext"/>), queried as plain objects.</summary>
public sealed class JsonSerializerWorkload : IJsonWorkload
{
    /// <inheritdoc/>
    public string Name => "JsonSerializer (source-gen)";

    /// <inheritdoc/>
    public JsonQueryResult Run(ReadOnlyMemory<byte> utf8Json) =>
        Query(JsonSerializer.Deserialize(utf8Json.Span, CorpusJsonContext.Default.OrderPage)!);

    /// <summary>The query over the classes.</summary>
    /// <param name="page">The page.</param>
    /// <returns>The result.</returns>
    public static JsonQueryResult Query(OrderPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var r = default(JsonQueryResult);
        foreach (Order order in page.Orders)
        {
            r.Orders++;
            r.IdSum += order.Id;
            if (order.Status == "shipped")
            {
                r.Shipped++;
            }

            r.AmountSum += order.Amount;
            if (order.Paid)
            {
                r.Paid++;
            }

            if (order.Note is null)
            {
                r.NullNotes++;
            }

            r.HashName(order.Customer.Name);
            foreach (LineItem item in order.Items)
            {
                r.ItemQuantity += item.Qty;
                r.ItemValue += item.Qty * item.Price;
                r.Tags += item.Tags.Count;
            }
        }

        return r;
    }
}

/// <summary>The writer round trip: a document written back with <see cref="Utf8JsonWriter"/>, and the input's canonical form to compare it with.</summary>
public static class JsonRoundTrip
{
    /// <summary>The canonical form of <paramref name="utf8Json"/>: <see cref="JsonDocument"/> written back with <paramref name="options"/>.</summary>
    /// <param name="utf8Json">The document.</param>
    /// <param name="options">Writer options (the default: compact, default escaping).</param>
    /// <returns>The canonical bytes.</returns>
    public static byte[] Canonical(ReadOnlyMemory<byte> utf8Json, JsonWriterOptions options = default)
    {
        using JsonDocument doc = JsonDocument.Parse(utf8Json);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(utf8Json.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            doc.RootElement.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses <paramref name="utf8Json"/> into <paramref name="arena"/> and writes it back with <paramref name="options"/>; the arena is rewound afterwards.</summary>
    /// <param name="arena">The arena.</param>
    /// <param name="utf8Json">The document.</param>
    /// <param name="options">Writer options.</param>
    /// <returns>The written bytes.</returns>
    public static byte[] ThroughArena(Arena arena, ReadOnlySpan<byte> utf8Json, JsonWriterOptions options = default)
    {
        ArenaJsonDocument doc = ArenaJsonDocument.Parse(arena, utf8Json, new ArenaJsonOptions { MaxDepth = ArenaJsonOptions.MaxMaxDepth });
        try
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(utf8Json.Length + 64);
            using (var writer = new Utf8JsonWriter(buffer, options))
            {
                doc.WriteTo(writer);
            }

            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            doc.Release();
        }
    }
}
