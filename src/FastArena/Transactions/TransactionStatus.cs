namespace FastArena;

/// <summary>Where a <see cref="Transaction"/> stands.</summary>
public enum TransactionStatus
{
    /// <summary>Open: its allocations may still be kept or given back.</summary>
    Active,

    /// <summary>Ended by <see cref="Transaction.Commit"/>: its allocations belong to the enclosing transaction, or to the arena.</summary>
    Committed,

    /// <summary>Ended by <see cref="Transaction.Rollback"/>, by <see cref="Transaction.Dispose"/>, or with an enclosing transaction: its allocations were given back.</summary>
    RolledBack,
}
