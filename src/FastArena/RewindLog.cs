using System.Diagnostics;

namespace FastArena;

/// <summary>
/// Remembers how low the arena has been rewound since any moment, so checkpoints and handles can be
/// told apart from stale ones in O(log n).
/// </summary>
/// <remarks>
/// Every rewind (a <c>Rewind</c>, a <c>Reset</c>, a rollback, a list giving space back) is epoch
/// <c>e = 1, 2, ...</c> with a target position. Something made at epoch <c>E</c> that needs the bytes
/// below position <c>P</c> is live while every rewind after <c>E</c> targeted <c>P</c> or above, that is
/// while <c>min(target of rewinds with epoch &gt; E) &gt;= P</c>.
/// The log keeps the suffix minima only: a stack whose targets rise strictly from bottom to top (and
/// whose epochs rise too). A new rewind pops every entry whose target is at or above its own, since it
/// dominates them for every later query. The minimum over epochs after <c>E</c> is then the target of the
/// first entry with an epoch above <c>E</c>. A <c>Reset</c> (target 0) empties the stack to one entry.
/// </remarks>
internal sealed class RewindLog
{
    private long[] _epochs = new long[8];
    private long[] _targets = new long[8];
    private int _count;

    /// <summary>The number of rewinds so far; the epoch of the next thing made.</summary>
    internal long Epoch { get; private set; }

    /// <summary>Records a rewind to <paramref name="target"/>.</summary>
    internal void Record(long target)
    {
        Epoch++;
        while (_count > 0 && _targets[_count - 1] >= target)
        {
            _count--;
        }

        if (_count == _epochs.Length)
        {
            Array.Resize(ref _epochs, _count * 2);
            Array.Resize(ref _targets, _count * 2);
        }

        _epochs[_count] = Epoch;
        _targets[_count] = target;
        _count++;
        Debug.Assert(_count == 1 || _targets[_count - 2] < _targets[_count - 1], "targets rise strictly");
    }

    /// <summary>Records a rewind to position 0, which dominates every earlier entry: O(1).</summary>
    internal void RecordReset()
    {
        Epoch++;
        _epochs[0] = Epoch;
        _targets[0] = 0;
        _count = 1;
    }

    /// <summary>Whether something made at <paramref name="epoch"/> that needs bytes below <paramref name="position"/> survives.</summary>
    internal bool IsLive(long epoch, long position)
    {
        if (epoch >= Epoch)
        {
            return true;
        }

        // Binary search for the first entry with an epoch above `epoch`.
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_epochs[mid] > epoch)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo == _count || _targets[lo] >= position;
    }
}
