using System.Text.Json.Serialization;

namespace FastArena.Workload.Json;

// The corpus as ordinary classes, for JsonSerializer with source-generated metadata: the idiomatic
// "deserialize into classes" baseline. Property names map to the corpus's snake_case.

/// <summary>A page of orders.</summary>
public sealed class OrderPage
{
    /// <summary>The page number.</summary>
    public int Page { get; set; }

    /// <summary>Orders per page.</summary>
    public int PerPage { get; set; }

    /// <summary>Whether more pages follow.</summary>
    public bool HasMore { get; set; }

    /// <summary>When the page was made (ISO 8601).</summary>
    public string GeneratedAt { get; set; } = "";

    /// <summary>The orders.</summary>
    public List<Order> Orders { get; set; } = [];
}

/// <summary>One order.</summary>
public sealed class Order
{
    /// <summary>The order id.</summary>
    public long Id { get; set; }

    /// <summary>shipped, pending, delivered, cancelled or returned.</summary>
    public string Status { get; set; } = "";

    /// <summary>When the order was placed (ISO 8601).</summary>
    public string CreatedAt { get; set; } = "";

    /// <summary>The total.</summary>
    public double Amount { get; set; }

    /// <summary>The currency code.</summary>
    public string Currency { get; set; } = "";

    /// <summary>Whether it is paid.</summary>
    public bool Paid { get; set; }

    /// <summary>A delivery note, or null.</summary>
    public string? Note { get; set; }

    /// <summary>Who ordered.</summary>
    public Customer Customer { get; set; } = new();

    /// <summary>The line items.</summary>
    public List<LineItem> Items { get; set; } = [];

    /// <summary>Scores and counters.</summary>
    public OrderMetrics Metrics { get; set; } = new();
}

/// <summary>A customer.</summary>
public sealed class Customer
{
    /// <summary>The customer id.</summary>
    public long Id { get; set; }

    /// <summary>The full name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The e-mail address.</summary>
    public string Email { get; set; } = "";

    /// <summary>Whether the customer is a VIP.</summary>
    public bool Vip { get; set; }

    /// <summary>The postal address.</summary>
    public Address Address { get; set; } = new();
}

/// <summary>A postal address.</summary>
public sealed class Address
{
    /// <summary>Street and number.</summary>
    public string Street { get; set; } = "";

    /// <summary>The city.</summary>
    public string City { get; set; } = "";

    /// <summary>The postal code.</summary>
    public string Zip { get; set; } = "";

    /// <summary>The country code.</summary>
    public string Country { get; set; } = "";
}

/// <summary>A line item.</summary>
public sealed class LineItem
{
    /// <summary>The stock-keeping unit.</summary>
    public string Sku { get; set; } = "";

    /// <summary>The product name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The quantity.</summary>
    public long Qty { get; set; }

    /// <summary>The unit price.</summary>
    public double Price { get; set; }

    /// <summary>The tags.</summary>
    public List<string> Tags { get; set; } = [];
}

/// <summary>An order's metrics.</summary>
public sealed class OrderMetrics
{
    /// <summary>A score from 0 to 1.</summary>
    public double Score { get; set; }

    /// <summary>Page views.</summary>
    public long Views { get; set; }
}

/// <summary>Source-generated serialization metadata for <see cref="OrderPage"/> (snake_case names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(OrderPage))]
public sealed partial class CorpusJsonContext : JsonSerializerContext;
