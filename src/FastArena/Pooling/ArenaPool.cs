using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastArena;

/// <summary>
/// A thread-safe pool of warm arenas: <see cref="Rent"/> hands out an arena for one unit of work (a
/// request, a job) and disposing the <see cref="ArenaLease"/> gives it back, reset, for the next one.
/// A warm arena allocates from blocks it already holds, so a rent, a request's allocations and the
/// return make no operating system calls and no garbage.
/// </summary>
/// <remarks>
/// <para>
/// Every thread keeps one arena in a slot of its own, so a thread that rents and returns in a loop
/// takes no lock. Beyond that, idle arenas sit in one locked stack per processor (at most
/// <see cref="ArenaPoolOptions.MaxPooledArenas"/> in all); a rent that misses its thread's slot tries
/// its processor's stack first, then the others, and creates an arena when all are empty.
/// </para>
/// <para>
/// A return resets the arena (<see cref="Arena.Reset"/>), which frees blocks above the arena options'
/// <see cref="ArenaOptions.MaxRetainedBytes"/>, and keeps it unless the stacks are full. On gen2 garbage
/// collections the pool disposes arenas idle for longer than <see cref="ArenaPoolOptions.IdleTimeout"/>,
/// and every idle arena under high memory pressure. A lease works exactly once: using or returning it
/// after its return throws <see cref="InvalidOperationException"/>, in every mode.
/// </para>
/// <para>
/// An arena obtained from a lease must not be used after the lease is returned: the next renter owns
/// it. In checked mode, handles (<see cref="ArenaRef{T}"/>, <see cref="ArenaSlice{T}"/>) made during the
/// lease throw once it is returned, because the return resets the arena.
/// </para>
/// </remarks>
// How it works (the shape of the runtime's shared ArrayPool).
//  - t_slots[_index] is the calling thread's slot for this pool. Only the owning thread stores into it;
//    trimming and Dispose may take an arena out of any thread's slot, so every take is an atomic
//    exchange (whoever wins owns the arena) and the owner's store needs no atomic.
//  - _stacks[processor % n] are the shared stacks, each behind its own lock, touched only when a thread's
//    slot misses (empty on rent, occupied on return).
//  - A PooledArena's Version is even while it is idle and odd while it is leased; a lease carries the odd
//    value it was given. Return moves it to the next even value with one compare-exchange, so a second
//    return of the same lease (or a copy of it), from any thread, fails instead of pooling the arena twice.
//  - Counters are striped per processor (one padded cache line each), so rents on different processors
//    do not contend for one line.
//
// Invariants:
//  P1. An idle PooledArena is in exactly one place: one thread's slot or one stack. A leased one is in none.
//  P2. Version is odd exactly while the arena is leased, and only the holder of that odd value may return it.
//  P3. A pooled arena is reset, not disposed, and has no open transaction.
public sealed class ArenaPool : IDisposable
{
    /// <summary>Pools with an index at or above this keep no per-thread slot (the shared stacks still work).</summary>
    private const int MaxThreadLocalPools = 256;

    private static int s_nextIndex = -1;

    [ThreadStatic]
    private static PooledArena?[]? t_slots;

    /// <summary>Every thread's slot array, so that trimming and Dispose can reach idle arenas parked in them.</summary>
    private static readonly ConditionalWeakTable<PooledArena?[], object?> s_allSlots = new();

    private static ArenaPool? s_shared;

    private readonly int _index;
    private readonly ArenaOptions _arenaOptions;
    private readonly LockedStack[] _stacks;
    private readonly Counters[] _counters;
    private readonly long _idleTimeoutMs;
    private readonly bool _isShared;
    private long _created;
    private long _trimmed;
    private long _discarded;
    private volatile bool _disposed;

    /// <summary>Creates a pool with default <see cref="ArenaPoolOptions"/>.</summary>
    public ArenaPool()
        : this(new ArenaPoolOptions())
    {
    }

    /// <summary>Creates a pool with the given options.</summary>
    /// <param name="options">The pooled arenas' options, the bound on pooled arenas and the idle timeout.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its arena options are null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ArenaPool(ArenaPoolOptions options)
        : this(options, isShared: false)
    {
    }

    private ArenaPool(ArenaPoolOptions options, bool isShared)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _arenaOptions = options.ArenaOptions;
        _idleTimeoutMs = (long)options.IdleTimeout.TotalMilliseconds;
        _isShared = isShared;
        _index = Interlocked.Increment(ref s_nextIndex);

        int stackCount = Math.Clamp(Environment.ProcessorCount, 1, 64);
        _stacks = new LockedStack[stackCount];
        _counters = new Counters[stackCount];
        for (int i = 0; i < stackCount; i++)
        {
            int capacity = (options.MaxPooledArenas / stackCount) + (i < options.MaxPooledArenas % stackCount ? 1 : 0);
            _stacks[i] = new LockedStack(capacity);
        }

        Gen2GcCallback.Register(static pool => ((ArenaPool)pool).TrimOnGen2(), this);
    }

    /// <summary>Gives back the idle arenas still parked in threads' slots when a pool is dropped without Dispose.</summary>
    ~ArenaPool()
    {
        TakeAllFromThreadSlots(dispose: true);
    }

    /// <summary>
    /// A process-wide pool with default options (created on first use); it cannot be disposed.
    /// </summary>
    public static ArenaPool Shared
    {
        get
        {
            ArenaPool? pool = Volatile.Read(ref s_shared);
            if (pool is null)
            {
                var created = new ArenaPool(new ArenaPoolOptions(), isShared: true);
                pool = Interlocked.CompareExchange(ref s_shared, created, null) ?? created;
                if (!ReferenceEquals(pool, created))
                {
                    GC.SuppressFinalize(created);
                }
            }

            return pool;
        }
    }

    /// <summary>The options every arena of this pool is created with.</summary>
    public ArenaOptions ArenaOptions => _arenaOptions;

    /// <summary>
    /// Rents an arena: empty, warm when the pool had one, with the pool's <see cref="ArenaOptions"/>. Dispose
    /// the lease (<c>using var lease = pool.Rent();</c>) to give it back.
    /// </summary>
    /// <returns>The lease; its <see cref="ArenaLease.Arena"/> is the caller's until the lease is disposed.</returns>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    /// <exception cref="OutOfMemoryException">The pool had no idle arena and the operating system refused a new one's first block.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ArenaLease Rent()
    {
        if (_disposed)
        {
            PoolThrowHelper.ThrowPoolDisposed();
        }

        PooledArena? item = null;
        PooledArena?[]? slots = t_slots;
        if (slots is not null && (uint)_index < (uint)slots.Length)
        {
            // P1: the exchange makes this thread the arena's only owner even if a trim races for it.
            item = Interlocked.Exchange(ref slots[_index], null);
        }

        item ??= RentSlow();

        // P2: the arena is ours alone here, so a plain increment to the odd (leased) value suffices; the
        // volatile write publishes it to a copy of the lease on another thread.
        int token = item.Version + 1;
        Debug.Assert((token & 1) == 1, "an idle arena has an even version");
        Volatile.Write(ref item.Version, token);
        Interlocked.Increment(ref CountersHere().Rented);
        return new ArenaLease(this, item, token);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private PooledArena RentSlow()
    {
        int start = Thread.GetCurrentProcessorId();
        for (int i = 0; i < _stacks.Length; i++)
        {
            if (_stacks[(start + i) % _stacks.Length].TryPop() is { } item)
            {
                return item;
            }
        }

        var arena = new Arena(_arenaOptions);
        Interlocked.Increment(ref _created);
        return new PooledArena(arena);
    }

    /// <summary>Takes the arena back from the lease holding <paramref name="token"/>.</summary>
    internal void Return(PooledArena item, int token)
    {
        // P2: only the holder of the odd token moves the version on; a second return finds it moved.
        if (Interlocked.CompareExchange(ref item.Version, token + 1, token) != token)
        {
            PoolThrowHelper.ThrowLeaseReturned();
        }

        Interlocked.Increment(ref CountersHere().Returned);
        Arena arena = item.Arena;
        if (arena.IsDisposed)
        {
            Interlocked.Increment(ref _discarded);
            PoolThrowHelper.ThrowReturnedDisposed();
        }

        if (arena.TransactionDepth > 0)
        {
            Discard(item);
            PoolThrowHelper.ThrowReturnedInTransaction();
        }

        try
        {
            // P3: back to position 0; blocks above the retention cap are freed.
            arena.Reset();
        }
        catch (AggregateException)
        {
            // Disposal tracking: some Dispose() threw, but the reset completed; keep the arena, report the errors.
            Park(item);
            throw;
        }

        Park(item);
    }

    /// <summary>Puts an idle, reset arena in this thread's slot, a stack, or disposes it when all are full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Park(PooledArena item)
    {
        item.IdleSince = 0;
        PooledArena?[]? slots = t_slots;
        if (slots is not null && (uint)_index < (uint)slots.Length && slots[_index] is null && !_disposed)
        {
            // P1: only this thread stores into its slot; a trim can only have emptied it meanwhile.
            Volatile.Write(ref slots[_index], item);
            return;
        }

        ParkSlow(item);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ParkSlow(PooledArena item)
    {
        if (_disposed)
        {
            Discard(item);
            return;
        }

        PooledArena?[]? slots = t_slots;
        if (_index < MaxThreadLocalPools && (slots is null || _index >= slots.Length))
        {
            slots = GrowThreadSlots(_index);
            Volatile.Write(ref slots[_index], item);
            return;
        }

        int start = Thread.GetCurrentProcessorId();
        for (int i = 0; i < _stacks.Length; i++)
        {
            if (_stacks[(start + i) % _stacks.Length].TryPush(item))
            {
                return;
            }
        }

        Discard(item);
    }

    private void Discard(PooledArena item)
    {
        Interlocked.Increment(ref _discarded);
        DisposeQuietly(item.Arena);
    }

    private static void DisposeQuietly(Arena arena)
    {
        try
        {
            arena.Dispose();
        }
        catch (AggregateException)
        {
            // A tracked value's Dispose() threw; the arena is disposed all the same, and a pool cannot report it.
        }
    }

    /// <summary>Makes this thread's slot array long enough for <paramref name="index"/>, moving what the old one held.</summary>
    private static PooledArena?[] GrowThreadSlots(int index)
    {
        PooledArena?[]? old = t_slots;
        var slots = new PooledArena?[Math.Min(MaxThreadLocalPools, Math.Max(8, (index + 1) * 2))];
        if (old is not null)
        {
            for (int i = 0; i < old.Length; i++)
            {
                // P1: a trim may take from the old array concurrently; the exchange decides who owns each arena.
                slots[i] = Interlocked.Exchange(ref old[i], null);
            }

            s_allSlots.Remove(old);
        }

        s_allSlots.Add(slots, null);
        t_slots = slots;
        return slots;
    }

    /// <summary>Counts since the pool was created, and the arenas idle in it now.</summary>
    /// <remarks>O(processors + threads that used the pool): the counters are striped, the idle arenas counted.</remarks>
    public ArenaPoolStats Stats
    {
        get
        {
            long rented = 0, returned = 0;
            for (int i = 0; i < _counters.Length; i++)
            {
                rented += Volatile.Read(ref _counters[i].Rented);
                returned += Volatile.Read(ref _counters[i].Returned);
            }

            int idle = 0;
            foreach (LockedStack stack in _stacks)
            {
                idle += stack.Count;
            }

            if (_index < MaxThreadLocalPools)
            {
                foreach (KeyValuePair<PooledArena?[], object?> entry in s_allSlots)
                {
                    if (_index < entry.Key.Length && Volatile.Read(ref entry.Key[_index]) is not null)
                    {
                        idle++;
                    }
                }
            }

            return new ArenaPoolStats(rented, returned, Interlocked.Read(ref _created), Interlocked.Read(ref _trimmed), Interlocked.Read(ref _discarded), idle);
        }
    }

    /// <summary>Disposes every idle arena now (in the shared stacks and in every thread's slot).</summary>
    /// <returns>The number of arenas disposed.</returns>
    /// <remarks>Leased arenas are not touched; they come back to the pool as usual.</remarks>
    public int Trim() => TrimCore(all: true);

    /// <summary>Called on every gen2 collection; false stops the callbacks (the pool is disposed).</summary>
    private bool TrimOnGen2()
    {
        if (_disposed)
        {
            return false;
        }

        GCMemoryInfo info = GC.GetGCMemoryInfo();
        bool highPressure = info.HighMemoryLoadThresholdBytes > 0 && info.MemoryLoadBytes >= info.HighMemoryLoadThresholdBytes * 0.9;
        TrimCore(all: highPressure || _idleTimeoutMs == 0);
        return true;
    }

    /// <summary>Disposes every idle arena (<paramref name="all"/>), or those idle longer than the timeout, stamping the rest.</summary>
    private int TrimCore(bool all)
    {
        long now = Environment.TickCount64;
        int freed = 0;
        foreach (LockedStack stack in _stacks)
        {
            freed += stack.TrimIdle(all, now, _idleTimeoutMs);
        }

        if (_index < MaxThreadLocalPools)
        {
            foreach (KeyValuePair<PooledArena?[], object?> entry in s_allSlots)
            {
                PooledArena?[] slots = entry.Key;
                if (_index >= slots.Length || Volatile.Read(ref slots[_index]) is not { } item)
                {
                    continue;
                }

                if (!all && !item.IsExpired(now, _idleTimeoutMs))
                {
                    continue;
                }

                // P1: take it only if the owner thread has not rented it meanwhile.
                if (ReferenceEquals(Interlocked.CompareExchange(ref slots[_index], null, item), item))
                {
                    DisposeQuietly(item.Arena);
                    freed++;
                }
            }
        }

        Interlocked.Add(ref _trimmed, freed);
        return freed;
    }

    private int TakeAllFromThreadSlots(bool dispose)
    {
        int taken = 0;
        if (_index >= MaxThreadLocalPools)
        {
            return 0;
        }

        foreach (KeyValuePair<PooledArena?[], object?> entry in s_allSlots)
        {
            if (_index < entry.Key.Length && Interlocked.Exchange(ref entry.Key[_index], null) is { } item)
            {
                if (dispose)
                {
                    DisposeQuietly(item.Arena);
                }

                taken++;
            }
        }

        return taken;
    }

    /// <summary>
    /// Disposes every idle arena and stops pooling: later rents throw <see cref="ObjectDisposedException"/>;
    /// leases still out may be returned, and their arenas are then disposed. A second Dispose does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is <see cref="Shared"/>, which cannot be disposed.</exception>
    public void Dispose()
    {
        if (_isShared)
        {
            PoolThrowHelper.ThrowSharedDispose();
        }

        if (_disposed)
        {
            return;
        }

        _disposed = true;
        int freed = TakeAllFromThreadSlots(dispose: true);
        foreach (LockedStack stack in _stacks)
        {
            freed += stack.TrimIdle(all: true, 0, 0);
        }

        Interlocked.Add(ref _trimmed, freed);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        ArenaPoolStats stats = Stats;
        return $"ArenaPool: {stats.Idle} idle, {stats.Outstanding} leased, {stats.Created} created";
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Counters CountersHere() => ref _counters[(uint)Thread.GetCurrentProcessorId() % (uint)_counters.Length];

    /// <summary>Per-processor counters on a cache line of their own (the 64 bytes before them keep the previous stripe off it).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Counters
    {
        [FieldOffset(64)]
        public long Rented;

        [FieldOffset(72)]
        public long Returned;
    }

    /// <summary>One shared stack of idle arenas, behind its own lock.</summary>
    private sealed class LockedStack(int capacity)
    {
        private readonly PooledArena?[] _items = new PooledArena?[capacity];
        private readonly Lock _lock = new();
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public bool TryPush(PooledArena item)
        {
            lock (_lock)
            {
                if (_count == _items.Length)
                {
                    return false;
                }

                _items[_count++] = item;
                return true;
            }
        }

        public PooledArena? TryPop()
        {
            if (Volatile.Read(ref _count) == 0)
            {
                return null;
            }

            lock (_lock)
            {
                if (_count == 0)
                {
                    return null;
                }

                PooledArena item = _items[--_count]!;
                _items[_count] = null;
                return item;
            }
        }

        /// <summary>Disposes every idle arena (<paramref name="all"/>) or the expired ones, keeping the rest in order.</summary>
        public int TrimIdle(bool all, long now, long timeoutMs)
        {
            List<Arena>? toFree = null;
            lock (_lock)
            {
                int kept = 0;
                for (int i = 0; i < _count; i++)
                {
                    PooledArena item = _items[i]!;
                    if (all || item.IsExpired(now, timeoutMs))
                    {
                        (toFree ??= []).Add(item.Arena);
                    }
                    else
                    {
                        _items[kept++] = item;
                    }
                }

                Array.Clear(_items, kept, _count - kept);
                _count = kept;
            }

            // Freeing native memory happens outside the lock.
            foreach (Arena arena in toFree ?? [])
            {
                DisposeQuietly(arena);
            }

            return toFree?.Count ?? 0;
        }
    }
}

/// <summary>A pooled arena and its lease version (see <see cref="ArenaPool"/>'s invariants P1-P3).</summary>
internal sealed class PooledArena(Arena arena)
{
    public readonly Arena Arena = arena;

    /// <summary>Even while idle, odd while leased (P2).</summary>
    public int Version;

    /// <summary>When a trim first saw the arena idle (<see cref="Environment.TickCount64"/>), 0 until then.</summary>
    public long IdleSince;

    /// <summary>Whether the arena has been idle longer than <paramref name="timeoutMs"/>; stamps it on the first look.</summary>
    public bool IsExpired(long now, long timeoutMs)
    {
        long since = Volatile.Read(ref IdleSince);
        if (since == 0)
        {
            Volatile.Write(ref IdleSince, now);
            return timeoutMs == 0;
        }

        return now - since >= timeoutMs;
    }
}
