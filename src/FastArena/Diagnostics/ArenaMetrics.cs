using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// The names of FastArena's <see cref="System.Diagnostics.Metrics"/> instruments. Nothing is recorded
/// until a listener (a <see cref="MeterListener"/>, <c>dotnet-counters</c>, OpenTelemetry) enables an
/// instrument of the meter <see cref="MeterName"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description><c>fastarena.arena.bytes.allocated</c> (observable up-down counter, bytes): the
/// <see cref="Arena.BytesAllocated"/> of every live arena created while the instrument was enabled,
/// summed when the listener collects. Arenas created before a listener enabled it are not counted. An
/// arena in use on another thread is read without synchronisation, so its share is a snapshot, kept
/// between 0 and the bytes it reserves.</description></item>
/// <item><description><c>fastarena.arena.bytes.reserved</c> (observable up-down counter, bytes): native
/// memory held by every arena of the process, exact.</description></item>
/// <item><description><c>fastarena.arena.blocks</c> (observable up-down counter, blocks): native blocks
/// held by every arena of the process, exact.</description></item>
/// <item><description><c>fastarena.arena.budget.rejections</c> (counter, allocations): allocations a
/// transaction's budget refused, whether that threw <see cref="ArenaBudgetExceededException"/> or made a
/// <c>Try</c> method return <c>false</c>.</description></item>
/// <item><description><c>fastarena.arena.rollbacks</c> (counter, transactions): transactions and
/// savepoints rolled back, by <see cref="Transaction.Rollback"/>, by <see cref="Transaction.Dispose"/>
/// without a commit, or with their enclosing transaction.</description></item>
/// </list>
/// <para>
/// Cost: the allocation fast paths (<c>Alloc</c>, <c>ArenaList&lt;T&gt;.Add</c>, a transaction's
/// allocation) are not instrumented at all. A budget refusal and a rollback test one flag when no listener
/// is attached; a new block and a freed block update two process-wide totals next to the native
/// allocation they count; a new arena tests one flag.
/// </para>
/// <para>Counters are recorded on the thread that did the work, so a listener's callback runs on that thread.</para>
/// </remarks>
public static class ArenaMetrics
{
    /// <summary>The name of FastArena's meter: <c>"FastArena"</c>.</summary>
    public const string MeterName = "FastArena";

    /// <summary>The name of the instrument that sums the bytes allocated in live arenas: <c>"fastarena.arena.bytes.allocated"</c>.</summary>
    public const string BytesAllocated = "fastarena.arena.bytes.allocated";

    /// <summary>The name of the instrument that sums the native bytes arenas hold: <c>"fastarena.arena.bytes.reserved"</c>.</summary>
    public const string BytesReserved = "fastarena.arena.bytes.reserved";

    /// <summary>The name of the instrument that counts the native blocks arenas hold: <c>"fastarena.arena.blocks"</c>.</summary>
    public const string Blocks = "fastarena.arena.blocks";

    /// <summary>The name of the counter of allocations refused by a budget: <c>"fastarena.arena.budget.rejections"</c>.</summary>
    public const string BudgetRejections = "fastarena.arena.budget.rejections";

    /// <summary>The name of the counter of rolled-back transactions and savepoints: <c>"fastarena.arena.rollbacks"</c>.</summary>
    public const string Rollbacks = "fastarena.arena.rollbacks";

    // No static constructor: the type stays beforefieldinit, so a call from a hot method needs no
    // class-initialisation check once the type is initialised. The meter is created first (field order).
    private static readonly Meter s_meter = CreateMeter();

    private static readonly Counter<long> s_budgetRejections =
        s_meter.CreateCounter<long>(BudgetRejections, "{allocation}", "Allocations refused by a transaction's budget.");

    private static readonly Counter<long> s_rollbacks =
        s_meter.CreateCounter<long>(Rollbacks, "{transaction}", "Transactions and savepoints rolled back.");

    private static readonly ObservableUpDownCounter<long> s_bytesAllocated =
        s_meter.CreateObservableUpDownCounter(BytesAllocated, SumBytesAllocated, "By", "Bytes allocated in live arenas.");

    // Process-wide totals, changed only where NativeBlock reserves and frees blocks (slow paths).
    private static long s_reservedBytes;
    private static long s_blocks;

    // The arenas BytesAllocated sums, held weakly; pruned when the list has doubled since the last pruning.
    private static readonly Lock s_lock = new();
    private static readonly List<WeakReference<Arena>> s_arenas = [];
    private static int s_pruneAt = 64;

    /// <summary>A new arena: remembered (weakly) for <see cref="BytesAllocated"/> while that instrument is enabled.</summary>
    internal static void ArenaCreated(Arena arena)
    {
        if (!s_bytesAllocated.Enabled)
        {
            return;
        }

        lock (s_lock)
        {
            if (s_arenas.Count >= s_pruneAt)
            {
                s_arenas.RemoveAll(static w => !w.TryGetTarget(out Arena? a) || a.IsDisposed);
                s_pruneAt = Math.Max(64, 2 * s_arenas.Count);
            }

            s_arenas.Add(new WeakReference<Arena>(arena));
        }
    }

    /// <summary>A native block of <paramref name="size"/> bytes was reserved.</summary>
    internal static void BlockReserved(long size)
    {
        Interlocked.Add(ref s_reservedBytes, size);
        Interlocked.Increment(ref s_blocks);
    }

    /// <summary>A native block of <paramref name="size"/> bytes was freed.</summary>
    internal static void BlockFreed(long size)
    {
        Interlocked.Add(ref s_reservedBytes, -size);
        Interlocked.Decrement(ref s_blocks);
    }

    /// <summary>A budget refused an allocation.</summary>
    internal static void BudgetRejected()
    {
        if (s_budgetRejections.Enabled)
        {
            s_budgetRejections.Add(1);
        }
    }

    /// <summary><paramref name="count"/> transactions or savepoints were rolled back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RolledBack(int count)
    {
        if (s_rollbacks.Enabled)
        {
            RecordRollbacks(count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RecordRollbacks(int count) => s_rollbacks.Add(count);

    /// <summary>The meter, with the two process-wide totals (the meter keeps its instruments).</summary>
    private static Meter CreateMeter()
    {
        var meter = new Meter(MeterName, typeof(ArenaMetrics).Assembly.GetName().Version?.ToString(3));
        meter.CreateObservableUpDownCounter(BytesReserved, static () => Volatile.Read(ref s_reservedBytes), "By", "Native bytes held by arenas.");
        meter.CreateObservableUpDownCounter(Blocks, static () => Volatile.Read(ref s_blocks), "{block}", "Native blocks held by arenas.");
        return meter;
    }

    private static long SumBytesAllocated()
    {
        long sum = 0;
        lock (s_lock)
        {
            foreach (WeakReference<Arena> weak in s_arenas)
            {
                if (weak.TryGetTarget(out Arena? arena))
                {
                    sum += arena.BytesAllocatedSnapshot;
                }
            }
        }

        return sum;
    }
}
