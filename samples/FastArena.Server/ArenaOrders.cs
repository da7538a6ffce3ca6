using System.Runtime.InteropServices;
using System.Text.Json;
using FastArena.AspNetCore;
using Microsoft.AspNetCore.Http;

namespace FastArena.Server;

/// <summary>
/// <c>POST /arena/orders</c> on the request's arena: the body is read into the arena under the request's
/// budget, parsed with <see cref="Utf8JsonReader"/> into arena rows (customer names stay where they are in the
/// body unless they need unescaping), aggregated in place, and the response is written by a
/// <see cref="Utf8JsonWriter"/> into an <see cref="ArenaBufferWriter{T}"/>. Answers exactly like <see cref="GcOrders"/>.
/// </summary>
public static class ArenaOrders
{
    private static readonly JsonReaderOptions s_reader = new() { MaxDepth = 64 };

    /// <summary>Handles one request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>When the response is written.</returns>
    #region handler
    public static async Task HandleAsync(HttpContext context)
    {
        // Over the cap or the budget: ArenaBudgetExceededException, which the middleware answers with 413.
        ArenaSlice<byte> body = await context.ReadBodyIntoArenaAsync(OrdersApp.MaxBodyBytes);
        Arena arena = context.GetArena();
        var output = new ArenaBufferWriter<byte>(arena, 512);
        try
        {
            Summarize(arena, body.Span, output);
        }
        catch (JsonException e)
        {
            await OrdersApp.BadRequestAsync(context, e);
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = output.WrittenCount;
        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }
    #endregion

    /// <summary>One order, in arena memory: its id, its customer's UTF-8 name, its total.</summary>
    private unsafe struct Row
    {
        public long Id;
        public byte* Name;
        public int NameLength;
        public decimal Total;

        public readonly ReadOnlySpan<byte> NameSpan => new(Name, NameLength);
    }

    /// <summary>Parses <paramref name="json"/> (arena memory) and writes the summary as JSON into <paramref name="output"/>.</summary>
    /// <param name="arena">Holds the rows and unescaped names.</param>
    /// <param name="json">The body.</param>
    /// <param name="output">Receives the response.</param>
    /// <exception cref="JsonException">The body is not a valid orders document.</exception>
    public static void Summarize(Arena arena, ReadOnlySpan<byte> json, ArenaBufferWriter<byte> output)
    {
        var rows = new ArenaBufferWriter<Row>(arena, 64);
        int lines = 0;
        long units = 0;
        var reader = new Utf8JsonReader(json, s_reader);
        Expect(ref reader, JsonTokenType.StartObject);
        int seen = 0;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("orders"u8))
            {
                Once(ref seen, 1, "orders");
                if (Next(ref reader) == JsonTokenType.Null)
                {
                    continue;
                }

                Require(ref reader, JsonTokenType.StartArray);
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    Require(ref reader, JsonTokenType.StartObject);
                    Row row = ParseOrder(arena, ref reader, ref lines, ref units);
                    rows.GetSpan(1)[0] = row;
                    rows.Advance(1);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.Read())
        {
            throw new JsonException("Trailing data after the document.");
        }

        // The rows are sorted in place: a writable view of the written rows.
        Span<Row> orders = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(rows.WrittenSpan), rows.WrittenCount);
        WriteSummary(orders, lines, units, output);
    }

    private static unsafe Row ParseOrder(Arena arena, ref Utf8JsonReader reader, ref int lines, ref long units)
    {
        Row row = default;
        int seen = 0;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                Once(ref seen, 1, "id");
                Next(ref reader);
                row.Id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long id) ? id : throw new JsonException("An order's id must be an integer.");
            }
            else if (reader.ValueTextEquals("customer"u8))
            {
                Once(ref seen, 2, "customer");
                if (Next(ref reader) != JsonTokenType.String)
                {
                    throw new JsonException("An order's customer must be a string.");
                }

                if (!reader.ValueIsEscaped && !reader.HasValueSequence)
                {
                    // The name stays in the body (arena memory that outlives the parse).
                    fixed (byte* name = reader.ValueSpan)
                    {
                        row.Name = name;
                    }

                    row.NameLength = reader.ValueSpan.Length;
                }
                else
                {
                    Span<byte> name = arena.AllocSliceUninitialized<byte>(reader.ValueSpan.Length);
                    row.NameLength = reader.CopyString(name);
                    fixed (byte* p = name)
                    {
                        row.Name = p;
                    }
                }
            }
            else if (reader.ValueTextEquals("items"u8))
            {
                Once(ref seen, 4, "items");
                if (Next(ref reader) == JsonTokenType.Null)
                {
                    continue;
                }

                Require(ref reader, JsonTokenType.StartArray);
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    Require(ref reader, JsonTokenType.StartObject);
                    (int qty, decimal price) = ParseItem(ref reader);
                    lines++;
                    units += qty;
                    row.Total += qty * price;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return row;
    }

    private static (int Qty, decimal Price) ParseItem(ref Utf8JsonReader reader)
    {
        int qty = 0;
        decimal price = 0;
        int seen = 0;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("qty"u8))
            {
                Once(ref seen, 1, "qty");
                Next(ref reader);
                qty = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int q) ? q : throw new JsonException("An item's qty must be a 32-bit integer.");
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                Once(ref seen, 2, "price");
                Next(ref reader);
                price = reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out decimal p) ? p : throw new JsonException("An item's price must be a number.");
            }
            else if (reader.ValueTextEquals("sku"u8))
            {
                Once(ref seen, 4, "sku");
                JsonTokenType sku = Next(ref reader);
                if (sku is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    throw new JsonException("An item's sku must be a string.");
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return (qty, price);
    }

    private static void WriteSummary(Span<Row> orders, int lines, long units, ArenaBufferWriter<byte> output)
    {
        decimal revenue = 0;
        int largest = -1;
        for (int i = 0; i < orders.Length; i++)
        {
            revenue += orders[i].Total;
            if (largest < 0 || orders[i].Total > orders[largest].Total)
            {
                largest = i;
            }
        }

        var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteNumber("orders"u8, orders.Length);
        json.WriteNumber("lines"u8, lines);
        json.WriteNumber("units"u8, units);
        json.WriteNumber("revenue"u8, revenue);
        if (largest < 0)
        {
            json.WriteNull("largestOrder"u8);
        }
        else
        {
            json.WriteStartObject("largestOrder"u8);
            json.WriteNumber("id"u8, orders[largest].Id);
            json.WriteNumber("total"u8, orders[largest].Total);
            json.WriteEndObject();
        }

        // Group by name: sort the rows (in place, in the arena), then one pass; ties go to the first name.
        orders.Sort(static (a, b) => a.NameSpan.SequenceCompareTo(b.NameSpan));
        int topStart = -1, topEnd = -1;
        decimal topRevenue = 0;
        for (int start = 0; start < orders.Length;)
        {
            int end = start;
            decimal sum = 0;
            while (end < orders.Length && orders[end].NameSpan.SequenceEqual(orders[start].NameSpan))
            {
                sum += orders[end].Total;
                end++;
            }

            if (topStart < 0 || sum > topRevenue)
            {
                (topStart, topEnd, topRevenue) = (start, end, sum);
            }

            start = end;
        }

        if (topStart < 0)
        {
            json.WriteNull("topCustomer"u8);
        }
        else
        {
            json.WriteStartObject("topCustomer"u8);
            json.WriteString("name"u8, orders[topStart].NameSpan);
            json.WriteNumber("revenue"u8, topRevenue);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.Flush();
    }

    /// <summary>
    /// Marks the known property <paramref name="bit"/> of the current object as seen; a second one is refused,
    /// as <see cref="GcOrders"/>' serializer refuses it (<c>AllowDuplicateProperties = false</c>).
    /// Properties the endpoint does not read are skipped, duplicated or not, by both endpoints.
    /// </summary>
    private static void Once(ref int seen, int bit, string name)
    {
        if ((seen & bit) != 0)
        {
            throw new JsonException($"The property '{name}' appears twice in one object.");
        }

        seen |= bit;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("The document ends early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        Next(ref reader);
        Require(ref reader, type);
    }

    private static void Require(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"Expected {type}, found {reader.TokenType}.");
        }
    }
}
