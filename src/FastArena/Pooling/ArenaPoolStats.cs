namespace FastArena;

/// <summary>Counts of an <see cref="ArenaPool"/> since it was created, and its idle arenas now.</summary>
/// <param name="Rented">Leases handed out by <see cref="ArenaPool.Rent"/>.</param>
/// <param name="Returned">Leases given back (a refused double return is not counted).</param>
/// <param name="Created">Arenas the pool created because it had no idle one.</param>
/// <param name="Trimmed">Idle arenas disposed by trimming (gen2 collections, <see cref="ArenaPool.Trim"/>, <see cref="ArenaPool.Dispose"/>).</param>
/// <param name="Discarded">Returned arenas disposed instead of pooled: the pool was full or disposed, or the arena was unusable.</param>
/// <param name="Idle">Arenas idle in the pool now, in the shared stacks and in threads' slots.</param>
public readonly record struct ArenaPoolStats(long Rented, long Returned, long Created, long Trimmed, long Discarded, int Idle)
{
    /// <summary>Leases out now: <see cref="Rented"/> minus <see cref="Returned"/>.</summary>
    public long Outstanding => Rented - Returned;
}
