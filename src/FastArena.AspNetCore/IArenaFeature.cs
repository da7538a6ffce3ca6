namespace FastArena.AspNetCore;

/// <summary>
/// The request's arena, as an HTTP feature (<c>context.Features.Get&lt;IArenaFeature&gt;()</c>, or
/// <see cref="ArenaHttpContextExtensions.GetArena"/>). Set by the FastArena middleware for the duration of the
/// request; afterwards the arena belongs to the pool again and <see cref="Arena"/> throws.
/// </summary>
public interface IArenaFeature
{
    /// <summary>The request's arena. Everything allocated in it is given back when the request ends.</summary>
    /// <exception cref="InvalidOperationException">The request has ended and the arena went back to the pool.</exception>
    Arena Arena { get; }

    /// <summary>The request's byte budget (null: none).</summary>
    long? BudgetBytes { get; }

    /// <summary>Arena bytes the request holds now.</summary>
    /// <exception cref="InvalidOperationException">The request has ended.</exception>
    long BytesUsed { get; }
}

/// <summary>The middleware's feature: a lease and the request's transaction (which carries the budget).</summary>
internal sealed class ArenaFeature(ArenaLease lease, Transaction transaction, long? budget) : IArenaFeature
{
    public ArenaLease Lease => lease;

    public Transaction Transaction => transaction;

    public Arena Arena => lease.Arena;

    public long? BudgetBytes => budget;

    public long BytesUsed
    {
        get
        {
            _ = lease.Arena;
            return transaction.BytesUsed;
        }
    }
}
