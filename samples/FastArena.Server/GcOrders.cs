using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FastArena.Server;

/// <summary>
/// <c>POST /gc/orders</c>, the idiomatic way: System.Text.Json (source-generated) into classes, LINQ, and the
/// serializer for the response. Garbage-collected from end to end; the comparison point for <see cref="ArenaOrders"/>.
/// </summary>
public static class GcOrders
{
    /// <summary>Handles one request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>When the response is written.</returns>
    public static async Task HandleAsync(HttpContext context)
    {
        if (context.Request.ContentLength > OrdersApp.MaxBodyBytes)
        {
            await TooLargeAsync(context, $"The body declares {context.Request.ContentLength} bytes; at most {OrdersApp.MaxBodyBytes} are accepted.");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = OrdersApp.MaxBodyBytes;
        }

        Summary summary;
        try
        {
            OrdersDocument? document = await JsonSerializer.DeserializeAsync(context.Request.Body, OrdersJsonContext.Default.OrdersDocument, context.RequestAborted);
            summary = Summarize(document ?? throw new JsonException("The body is null."));
        }
        catch (JsonException e)
        {
            await OrdersApp.BadRequestAsync(context, e);
            return;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await TooLargeAsync(context, e.Message);
            return;
        }

        await context.Response.WriteAsJsonAsync(summary, OrdersJsonContext.Default.Summary, contentType: null, context.RequestAborted);
    }

    /// <summary>The aggregates over the orders.</summary>
    /// <param name="document">The parsed body.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="JsonException">An order has a null customer.</exception>
    public static Summary Summarize(OrdersDocument document)
    {
        List<Order> orders = document.Orders ?? [];
        var totals = orders.Select(o => (Order: o, Total: (o.Items ?? []).Sum(i => i.Qty * i.Price))).ToList();
        if (orders.Any(o => o.Customer is null))
        {
            throw new JsonException("An order's customer is null.");
        }

        LargestOrder? largest = null;
        foreach (var (order, total) in totals)
        {
            if (largest is null || total > largest.Total)
            {
                largest = new LargestOrder(order.Id, total);
            }
        }

        TopCustomer? top = totals
            .GroupBy(t => t.Order.Customer!, StringComparer.Ordinal)
            .Select(g => new TopCustomer(g.Key, g.Sum(t => t.Total)))
            .OrderByDescending(c => c.Revenue)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();

        return new Summary(
            orders.Count,
            orders.Sum(o => (o.Items ?? []).Count),
            orders.Sum(o => (o.Items ?? []).Sum(i => (long)i.Qty)),
            totals.Sum(t => t.Total),
            largest,
            top);
    }

    private static Task TooLargeAsync(HttpContext context, string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.").ExecuteAsync(context);
}

/// <summary>The request body: <c>{"orders": [...]}</c>.</summary>
public sealed class OrdersDocument
{
    /// <summary>The orders.</summary>
    public List<Order>? Orders { get; set; } = [];
}

/// <summary>One order.</summary>
public sealed class Order
{
    /// <summary>Its id.</summary>
    public long Id { get; set; }

    /// <summary>Who placed it.</summary>
    public string? Customer { get; set; } = "";

    /// <summary>Its lines.</summary>
    public List<Item>? Items { get; set; } = [];
}

/// <summary>One order line.</summary>
public sealed class Item
{
    /// <summary>The product.</summary>
    public string? Sku { get; set; } = "";

    /// <summary>How many.</summary>
    public int Qty { get; set; }

    /// <summary>Price of one.</summary>
    public decimal Price { get; set; }
}

/// <summary>The response.</summary>
/// <param name="Orders">Number of orders.</param>
/// <param name="Lines">Number of order lines.</param>
/// <param name="Units">Sum of quantities.</param>
/// <param name="Revenue">Sum of quantity times price.</param>
/// <param name="LargestOrder">The order with the largest total (the first of equals); null when there are none.</param>
/// <param name="TopCustomer">The customer with the most revenue (the ordinally first of equals); null when there are none.</param>
public sealed record Summary(int Orders, int Lines, long Units, decimal Revenue, LargestOrder? LargestOrder, TopCustomer? TopCustomer);

/// <summary>An order and its total.</summary>
/// <param name="Id">The order's id.</param>
/// <param name="Total">Its total.</param>
public sealed record LargestOrder(long Id, decimal Total);

/// <summary>A customer and their revenue.</summary>
/// <param name="Name">The customer.</param>
/// <param name="Revenue">Their revenue.</param>
public sealed record TopCustomer(string Name, decimal Revenue);

/// <summary>Source-generated serialization for the sample (camelCase names).</summary>
/// <remarks>
/// A property given twice in one object (<c>{"orders":[...],"orders":[...]}</c>) is refused
/// (<see cref="JsonSourceGenerationOptionsAttribute.AllowDuplicateProperties"/> is false): last-wins would
/// let a body mean two things to two readers. <see cref="ArenaOrders"/> refuses the same bodies.
/// </remarks>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(OrdersDocument))]
[JsonSerializable(typeof(Summary))]
[JsonSerializable(typeof(Diag))]
public sealed partial class OrdersJsonContext : JsonSerializerContext;
