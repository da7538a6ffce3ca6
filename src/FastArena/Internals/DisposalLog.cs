using System.Diagnostics;

namespace FastArena;

/// <summary>
/// The values that disposal tracking must dispose, ordered by where their memory ends, so a rewind
/// disposes exactly the ones above its target, highest address first.
/// </summary>
internal sealed unsafe class DisposalLog
{
    private struct Entry
    {
        public byte* Start;
        public int Count;
        public int Stride;
        public long End;
        public delegate*<void*, void> Dispose;
    }

    private Entry[] _entries = new Entry[16];
    private int _count;

    internal int Count => _count;

    /// <summary>Adds <paramref name="count"/> values at <paramref name="start"/> whose memory ends at arena position <paramref name="end"/>.</summary>
    internal void Add(byte* start, int count, int stride, long end, delegate*<void*, void> dispose)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count * 2);
        }

        // Usually appended; a finished ArenaList that is not the newest allocation is inserted in place.
        int at = _count;
        while (at > 0 && _entries[at - 1].End > end)
        {
            at--;
        }

        Array.Copy(_entries, at, _entries, at + 1, _count - at);
        _entries[at] = new Entry { Start = start, Count = count, Stride = stride, End = end, Dispose = dispose };
        _count++;
    }

    /// <summary>
    /// Disposes, highest address first, every value whose memory ends above <paramref name="target"/>,
    /// and forgets them. Every Dispose runs even when some throw; failures are collected in <paramref name="errors"/>.
    /// </summary>
    internal void DisposeAbove(long target, ref List<Exception>? errors)
    {
        while (_count > 0 && _entries[_count - 1].End > target)
        {
            Entry e = _entries[--_count];
            for (int i = e.Count - 1; i >= 0; i--)
            {
                try
                {
                    e.Dispose(e.Start + ((nint)i * e.Stride));
                }
                catch (Exception ex)
                {
                    (errors ??= new List<Exception>()).Add(ex);
                }
            }
        }

        Debug.Assert(_count == 0 || _entries[_count - 1].End <= target, "everything above the target is gone");
    }
}
