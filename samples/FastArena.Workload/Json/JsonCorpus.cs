using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FastArena.Workload.Json;

/// <summary>
/// Generates a realistic JSON corpus from a seed: pages of e-commerce orders as a web API returns them
/// (ids, statuses, timestamps, money, a nested customer and address, line items with tags, nulls,
/// escaped and non-ASCII strings). The same seed and size always give the same bytes.
/// </summary>
public static class JsonCorpus
{
    private static readonly string[] s_statuses = ["shipped", "pending", "delivered", "cancelled", "returned"];
    private static readonly string[] s_first = ["Zoë", "Liam", "Amélie", "Noah", "Søren", "Mia", "Jürgen", "Aiko", "José", "Olivia", "Łukasz", "Chloé", "Wei", "Fatima", "Ömer", "Ana"];
    private static readonly string[] s_last = ["Müller", "Smith", "García", "O'Brien", "Nakamura", "Dubois", "Kowalski", "Rossi", "Nguyen", "Johansson", "Öztürk", "Silva"];
    private static readonly string[] s_cities = ["Berlin", "東京", "São Paulo", "Zürich", "New York", "Kraków", "Paris", "Reykjavík", "Москва", "Cape Town"];
    private static readonly string[] s_countries = ["DE", "JP", "BR", "CH", "US", "PL", "FR", "IS", "RU", "ZA"];
    private static readonly string[] s_products = ["Widget", "Gadget \"Pro\"", "Cable 2 m", "Adapter", "Lamp", "Mug ☕", "Notebook", "Backpack", "Charger", "Headphones"];
    private static readonly string[] s_tags = ["sale", "new", "gift", "eco", "bulk", "fragile", "express", "refurbished"];
    private static readonly string[] s_notes = ["Leave at the door", "Call before delivery\nGate code 4711", "Gift wrap, please", "\"Fragile\" – handle with care", "Tab\tseparated\\path"];

    /// <summary>The writer options the corpus is written with: compact, and escaping only what JSON requires (non-ASCII stays UTF-8).</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One page of <paramref name="orders"/> orders (about 600 bytes per order).</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="orders">Orders on the page, at least 0.</param>
    /// <returns>The UTF-8 JSON document.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="orders"/> is negative.</exception>
    public static byte[] Page(ulong seed, int orders)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(orders);
        var buffer = new ArrayBufferWriter<byte>(orders * 700 + 256);
        var rng = new SplitMix64(SplitMix64.Mix(seed ^ 0x4A534F4EUL));
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("page"u8, 1 + rng.Below(500));
            w.WriteNumber("per_page"u8, orders);
            w.WriteBoolean("has_more"u8, rng.Below(4) != 0);
            w.WriteString("generated_at"u8, Timestamp(ref rng));
            w.WriteStartArray("orders"u8);
            for (int i = 0; i < orders; i++)
            {
                WriteOrder(w, ref rng);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Small API payloads: <paramref name="count"/> pages of 1 to 10 KB each (2 to 15 orders).</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="count">How many payloads.</param>
    /// <returns>The payloads.</returns>
    public static byte[][] SmallPayloads(ulong seed, int count)
    {
        var result = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            ulong s = SplitMix64.Mix(seed + (ulong)i);
            result[i] = Page(s, 2 + (int)(s % 14));
        }

        return result;
    }

    /// <summary>One large document of about <paramref name="approximateBytes"/> bytes (at least one order).</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="approximateBytes">The target size; the result is within a few percent of it.</param>
    /// <returns>The document.</returns>
    public static byte[] Large(ulong seed, long approximateBytes) =>
        Page(seed, (int)Math.Clamp(approximateBytes / 625, 1, int.MaxValue / 1000));

    private static void WriteOrder(Utf8JsonWriter w, ref SplitMix64 rng)
    {
        w.WriteStartObject();
        w.WriteNumber("id"u8, 100_000_000L + (long)(rng.Next() % 900_000_000UL));
        w.WriteString("status"u8, s_statuses[rng.Below(s_statuses.Length)]);
        w.WriteString("created_at"u8, Timestamp(ref rng));
        w.WriteNumber("amount"u8, rng.Below(10_000_000) / 100.0);
        w.WriteString("currency"u8, rng.Below(3) switch { 0 => "EUR", 1 => "USD", _ => "JPY" });
        w.WriteBoolean("paid"u8, rng.Below(5) != 0);
        if (rng.Below(4) == 0)
        {
            w.WriteString("note"u8, s_notes[rng.Below(s_notes.Length)]);
        }
        else
        {
            w.WriteNull("note"u8);
        }

        w.WriteStartObject("customer"u8);
        w.WriteNumber("id"u8, rng.Below(1_000_000));
        string first = s_first[rng.Below(s_first.Length)], last = s_last[rng.Below(s_last.Length)];
        w.WriteString("name"u8, $"{first} {last}");
        w.WriteString("email"u8, $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{rng.Below(100)}@example.com");
        w.WriteBoolean("vip"u8, rng.Below(10) == 0);
        w.WriteStartObject("address"u8);
        int city = rng.Below(s_cities.Length);
        w.WriteString("street"u8, $"{1 + rng.Below(200)} {s_last[rng.Below(s_last.Length)]} Street");
        w.WriteString("city"u8, s_cities[city]);
        w.WriteString("zip"u8, $"{rng.Below(100_000):D5}");
        w.WriteString("country"u8, s_countries[city]);
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartArray("items"u8);
        int items = 1 + rng.Below(5);
        for (int i = 0; i < items; i++)
        {
            w.WriteStartObject();
            w.WriteString("sku"u8, $"SKU-{rng.Below(1_000_000):D6}");
            w.WriteString("name"u8, s_products[rng.Below(s_products.Length)]);
            w.WriteNumber("qty"u8, 1 + rng.Below(12));
            w.WriteNumber("price"u8, (50 + rng.Below(50_000)) / 100.0);
            w.WriteStartArray("tags"u8);
            int tags = rng.Below(4);
            for (int t = 0; t < tags; t++)
            {
                w.WriteStringValue(s_tags[rng.Below(s_tags.Length)]);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("metrics"u8);
        w.WriteNumber("score"u8, rng.Below(10_000) / 10_000.0);
        w.WriteNumber("views"u8, rng.Below(5_000));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string Timestamp(ref SplitMix64 rng) =>
        new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(rng.Below(31_536_000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
