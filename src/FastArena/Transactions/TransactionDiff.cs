namespace FastArena;

/// <summary>What a transaction has done so far, from <see cref="Transaction.Diff"/>.</summary>
/// <param name="BytesAllocated">Bytes allocated since the transaction opened, padding included (its savepoints' live bytes too).</param>
/// <param name="BlocksTouched">Blocks its allocations landed in, counting the block that was current when it opened (0 while the arena holds no block: before its first allocation).</param>
/// <param name="BlocksCreated">Blocks reserved from the operating system since it opened.</param>
public readonly record struct TransactionDiff(long BytesAllocated, int BlocksTouched, long BlocksCreated);
