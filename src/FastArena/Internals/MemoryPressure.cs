namespace FastArena;

/// <summary>
/// Tells the garbage collector about native memory in chunks, so that forgotten arenas get finalized
/// when their blocks matter, without a call into the GC for every block (construction stays near the
/// cost of the operating system's allocation).
/// </summary>
/// <remarks>
/// <see cref="Outstanding"/> is the exact number of native bytes held; <see cref="Reported"/> is what
/// the GC has been told, always a whole number of chunks and <c>Outstanding</c> rounded down to one
/// once every caller has returned. Each thread adds its delta with <see cref="Interlocked"/>, then
/// moves <c>Reported</c> to the rounded value with a compare-exchange and reports exactly the difference
/// it moved, so the sum of what was reported always equals <c>Reported</c> (and returns to zero when
/// every block is freed).
/// </remarks>
internal sealed class MemoryPressure(long chunk, Action<long> add, Action<long> remove)
{
    /// <summary>1 MiB: below it nothing is reported.</summary>
    internal const long DefaultChunk = 1L << 20;

    private long _outstanding;
    private long _reported;

    /// <summary>Native bytes held right now.</summary>
    internal long Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Bytes the GC has been told about, a multiple of the chunk.</summary>
    internal long Reported => Volatile.Read(ref _reported);

    internal void Add(long bytes) => Settle(Interlocked.Add(ref _outstanding, bytes));

    internal void Remove(long bytes) => Settle(Interlocked.Add(ref _outstanding, -bytes));

    private void Settle(long outstanding)
    {
        long target = outstanding / chunk * chunk;
        while (true)
        {
            long reported = Volatile.Read(ref _reported);
            if (reported == target)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _reported, target, reported) == reported)
            {
                if (target > reported)
                {
                    add(target - reported);
                }
                else
                {
                    remove(reported - target);
                }

                // Another thread may have changed the total meanwhile: settle against the latest value.
                target = Volatile.Read(ref _outstanding) / chunk * chunk;
            }
        }
    }
}
