using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

// ArenaList<T>: reading the elements, and ending the list (Finish hands them to the arena, Dispose gives
// the buffer back).
public unsafe ref partial struct ArenaList<T>
    where T : unmanaged
{
    /// <summary>The elements, as a span over the arena memory.</summary>
    /// <returns>A span of <see cref="Count"/> elements.</returns>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    public readonly Span<T> AsSpan()
    {
        EnsureUsable();
        return new Span<T>(_items, _count);
    }

    /// <summary>Enumerates the elements.</summary>
    /// <returns>The span's enumerator.</returns>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    public readonly Span<T>.Enumerator GetEnumerator() => AsSpan().GetEnumerator();

    /// <summary>
    /// Hands the elements to the arena and ends the list: unused capacity goes back to the arena when
    /// the buffer is the newest allocation (all of it, padding included, when the list is empty), and
    /// with disposal tracking on the elements are tracked.
    /// </summary>
    /// <returns>The elements, valid as long as any other allocation made at the same time.</returns>
    /// <exception cref="InvalidOperationException">The list was already finished or disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> Finish()
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        Span<T> result = self.FinishCore();
        this = self;
        return result;
    }

    private Span<T> FinishCore()
    {
        EnsureUsable();
        int capacity = EndList();
        if (_items == null)
        {
            return default;
        }

        if (_count == 0)
        {
            // I12: nothing to keep, so give the whole buffer back, padding included, as Dispose does. Keeping an
            // empty buffer that starts a block would leave the cursor at offset 0 of that block, a second
            // (block, offset) for the BytesAllocated where the previous block ended; a later rewind to one
            // of the two could then enter a block that the other rewind had already freed.
            _arena.TryGiveBackAll(_before, (byte*)_items, (byte*)(_items + capacity));
            return default;
        }

        _arena.TryGiveBackTail((byte*)_items, (byte*)(_items + _count), (byte*)(_items + capacity));
        var span = new Span<T>(_items, _count);
        _arena.TrackSpan(span, ElementsEnd);
        return span;
    }

    /// <summary>Like <see cref="Finish"/>, but returns a storable handle.</summary>
    /// <returns>A handle to the elements.</returns>
    /// <exception cref="InvalidOperationException">The list was already finished or disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ArenaSlice<T> FinishHandle()
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        ArenaSlice<T> result = self.FinishHandleCore();
        this = self;
        return result;
    }

    private ArenaSlice<T> FinishHandleCore()
    {
        Span<T> span = FinishCore();
        return _arena.MakeSlice(span, ElementsEnd);
    }

    /// <summary>
    /// Ends a list that was not finished: with disposal tracking on its elements are disposed, last
    /// first, and its buffer goes back to the arena when it is the newest allocation. Does nothing
    /// after <see cref="Finish"/> or a first Dispose.
    /// </summary>
    /// <exception cref="AggregateException">Disposal tracking is on and some element's <c>Dispose()</c> threw; the list ended all the same. Never thrown while another exception is unwinding or being handled on this thread (a <c>using</c> scope left by an exception, a <c>catch</c> block): cleanup never replaces that exception.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        self.DisposeCore();
        this = self;
    }

    private void DisposeCore()
    {
        if (_ended)
        {
            return;
        }

        int capacity = EndList();
        if (_items == null || _arena.IsDisposed)
        {
            return;
        }

        List<Exception>? errors = null;
        if (DisposeInfo<T>.IsDisposable && _arena.TracksDisposal)
        {
            for (int i = _count - 1; i >= 0; i--)
            {
                try
                {
                    DisposeInfo<T>.Dispose(_items + i);
                }
                catch (Exception e)
                {
                    (errors ??= new List<Exception>()).Add(e);
                }
            }
        }

        _arena.TryGiveBackAll(_before, (byte*)_items, (byte*)(_items + capacity));
        if (errors is not null)
        {
            ThrowHelper.ReportDisposeFailures(ThrowHelper.Messages.ListDisposeFailed, errors);
        }
    }

    /// <summary>
    /// Marks the list ended and drops its spare capacity, so that <see cref="Add"/>'s fast path (which
    /// does not look at <c>_ended</c>) falls through to the slow path and throws. Returns the old capacity.
    /// </summary>
    private int EndList()
    {
        _ended = true;
        int capacity = _capacity;
        _capacity = _count;
        return capacity;
    }
}
