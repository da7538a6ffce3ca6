using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// Remembers how low the arena has been rewound since any moment, so checkpoints and handles can be
/// told apart from stale ones in O(log n), in bounded memory.
/// </summary>
/// <remarks>
/// <para>
/// Every rewind (a <c>Rewind</c>, a <c>Reset</c>, a rollback, a list giving space back) is epoch
/// <c>e = 1, 2, ...</c> with a target position. Something made at epoch <c>E</c> that needs the bytes
/// below position <c>P</c> is live while every rewind after <c>E</c> targeted <c>P</c> or above, that is
/// while <c>min(target of rewinds with epoch &gt; E) &gt;= P</c>.
/// </para>
/// <para>
/// The log keeps the suffix minima only: a stack whose targets rise strictly from bottom to top (and
/// whose epochs rise too). A new rewind pops every entry whose target is at or above its own, since it
/// dominates them for every later query. The minimum over epochs after <c>E</c> is then the target of the
/// first entry with an epoch above <c>E</c>. A <c>Reset</c> (target 0) dominates every entry: it empties the
/// stack and is kept apart as <see cref="ResetEpoch"/>, so that whatever was made before it and needs a
/// byte is stale. While the stack is empty the last rewind was a reset (or there was none), at epoch
/// <see cref="Epoch"/>, so a run of resets only counts epochs: the reset's epoch is written down when the
/// next other rewind is recorded.
/// </para>
/// <para>
/// The window (invariant I8): the stack holds at most <see cref="Window"/> entries, in a ring whose
/// arrays grow lazily (doubling) up to that size and never beyond. Rewinds to rising targets (a
/// commit, then a rollback, again and again) push one entry each; when the ring is full the
/// <em>oldest</em> entry is dropped. Dropping the entry with epoch <c>d</c> raises the minimum seen by
/// queries with <c>E &lt; d</c> only, so it can turn a stale answer into "live" for things made before
/// <c>d</c>, never a live answer into "stale": a valid checkpoint or handle is never rejected. Answers
/// for <c>E &gt;= </c><see cref="ExactFrom"/> (the newest dropped epoch) are exact; older live answers are
/// <see cref="Liveness.Unproven"/>, and the arena then checks the structure (block, offset, position)
/// before it trusts them.
/// </para>
/// </remarks>
internal sealed class RewindLog
{
    /// <summary>The most entries the log keeps: 1024 (16 KiB of arrays at most).</summary>
    internal const int Window = 1024;

    private const int FirstCapacity = 8;

    // A ring: logical entry i (0 = oldest) lives at (_head + i) & (capacity - 1). Capacities are powers of two.
    private long[]? _epochs;
    private long[]? _targets;
    private int _head;
    private int _count;

    /// <summary>The number of rewinds so far; the epoch of the next thing made.</summary>
    internal long Epoch { get; private set; }

    // The epoch of the last reset, valid while the stack is not empty (see ResetEpoch).
    private long _resetEpoch;

    /// <summary>
    /// The epoch of the last <see cref="RecordReset"/>, 0 before the first: something made before it (at
    /// an epoch below it) that needs a byte is stale, exactly; the stack holds only later rewinds.
    /// </summary>
    internal long ResetEpoch => _count == 0 ? Epoch : _resetEpoch;

    /// <summary>Queries for epochs at or above this are exact; 0 while no entry was ever dropped (or since a reset).</summary>
    internal long ExactFrom { get; private set; }

    /// <summary>The number of entries held, at most <see cref="Window"/>.</summary>
    internal int Count => _count;

    /// <summary>The length of the arrays held (0 before the first rewind), at most <see cref="Window"/>.</summary>
    internal int Capacity => _epochs?.Length ?? 0;

    /// <summary>Records a rewind to <paramref name="target"/>. O(1) amortised; allocates only while the ring grows to <see cref="Window"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Record(long target)
    {
        long[]? epochs = _epochs;
        long[]? targets = _targets;
        if (_count > 0 && epochs is not null && targets is not null)
        {
            // A rewind to the newest entry's target (a loop rewinding to one checkpoint): targets rise
            // strictly, so only that entry would be popped and the new one pushed into its slot.
            int top = (_head + _count - 1) & (epochs.Length - 1);
            if ((uint)top < (uint)targets.Length && targets[top] == target)
            {
                epochs[top] = ++Epoch;
                if (target <= 0)
                {
                    // As in RecordSlow: a rewind to 0 dominates every entry ever dropped too.
                    ExactFrom = 0;
                }

                return;
            }
        }

        RecordSlow(target);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordSlow(long target)
    {
        if (_count == 0)
        {
            // The last rewind was a reset at the current epoch (or there was none, epoch 0): keep it.
            _resetEpoch = Epoch;
        }

        Epoch++;
        long[]? epochs = _epochs;
        long[]? targets = _targets;
        if (epochs is null || targets is null)
        {
            epochs = _epochs = new long[FirstCapacity];
            targets = _targets = new long[FirstCapacity];
        }

        int mask = epochs.Length - 1;

        while (_count > 0 && targets[(_head + _count - 1) & mask] >= target)
        {
            _count--;
        }

        if (target <= 0)
        {
            // A rewind to 0 dominates every entry ever dropped too: answers are exact again.
            ExactFrom = 0;
        }

        if (_count == epochs.Length)
        {
            if (epochs.Length < Window)
            {
                Grow();
                epochs = _epochs!;
                targets = _targets!;
                mask = epochs.Length - 1;
            }
            else
            {
                // SAFETY (I8): the oldest entry goes; only queries older than its epoch lose precision.
                ExactFrom = epochs[_head];
                _head = (_head + 1) & mask;
                _count--;
            }
        }

        int at = (_head + _count) & mask;
        epochs[at] = Epoch;
        targets[at] = target;
        _count++;
        Debug.Assert(_count == 1 || targets[(_head + _count - 2) & mask] < target, "targets rise strictly");
    }

    /// <summary>Records a rewind to position 0, which dominates every earlier entry: O(1), no allocation; after a reset, one store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RecordReset()
    {
        if (_count != 0)
        {
            // Every entry is dominated by the reset (Check answers for them from ResetEpoch), and every
            // answer for something made since is exact again. An empty stack already says both.
            _count = 0;
            ExactFrom = 0;
        }

        Epoch++;
    }

    /// <summary>The answer to "is it still live?".</summary>
    internal enum Liveness
    {
        /// <summary>A rewind went below it.</summary>
        Stale,

        /// <summary>No rewind went below it.</summary>
        Live,

        /// <summary>No rewind still in the window went below it, but it is older than the window.</summary>
        Unproven,
    }

    /// <summary>Whether something made at <paramref name="epoch"/> that needs bytes below <paramref name="position"/> survives.</summary>
    internal Liveness Check(long epoch, long position)
    {
        if (epoch >= Epoch)
        {
            return Liveness.Live;
        }

        if (epoch < ResetEpoch)
        {
            // A reset (target 0) came after it: it survives only if it needs no byte.
            return position <= 0 ? Liveness.Live : Liveness.Stale;
        }

        // An empty stack means the last rewind was a reset, at Epoch, which the test above answered.
        Debug.Assert(_count > 0);

        long[] epochs = _epochs!;
        int mask = epochs.Length - 1;

        // Binary search for the first entry with an epoch above `epoch`.
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (epochs[(_head + mid) & mask] > epoch)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        if (lo < _count && _targets![(_head + lo) & mask] < position)
        {
            return Liveness.Stale;
        }

        return epoch >= ExactFrom ? Liveness.Live : Liveness.Unproven;
    }

    /// <summary>Whether it is live for certain (<see cref="Liveness.Unproven"/> counts as not).</summary>
    internal bool IsLive(long epoch, long position) => Check(epoch, position) == Liveness.Live;

    private void Grow()
    {
        long[] epochs = _epochs!;
        long[] targets = _targets!;
        int mask = epochs.Length - 1;
        var newEpochs = new long[epochs.Length * 2];
        var newTargets = new long[epochs.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            newEpochs[i] = epochs[(_head + i) & mask];
            newTargets[i] = targets[(_head + i) & mask];
        }

        _epochs = newEpochs;
        _targets = newTargets;
        _head = 0;
    }
}
