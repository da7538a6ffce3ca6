using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

// ArenaList<T>'s machinery: the usability check every member makes (ended, default, disposed arena,
// and in checked mode a buffer given back), and growth (in place when the buffer is the newest
// allocation, else a move).
public unsafe ref partial struct ArenaList<T>
    where T : unmanaged
{
    private readonly long ElementsEnd => _dataPosition + ((long)_count * sizeof(T));

    /// <summary>Throws unless the list can be used. Static, with the fields by value, so that calling it never takes the list's address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void EnsureUsable() => EnsureUsable(_arena, _ended, _items, _capacity, _epoch, _dataPosition);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EnsureUsable(Arena? arena, bool ended, T* items, int capacity, long epoch, long dataPosition)
    {
        if (ended)
        {
            ThrowHelper.ThrowListEnded();
        }

        if (arena is null)
        {
            ThrowHelper.ThrowListDefault();
        }

        if (arena!.IsChecked && items != null)
        {
            arena.ValidateListBuffer(epoch, (byte*)items, (long)capacity * sizeof(T), dataPosition + ((long)capacity * sizeof(T)));
        }
        else
        {
            arena.ThrowIfUnusable();
        }
    }

    private static void CheckAdditional(int additional)
    {
        if (additional < 0)
        {
            ThrowHelper.ThrowNegative(nameof(additional), additional);
        }
    }

    /// <summary>Count + additional, or a failure when it passes int.MaxValue.</summary>
    private readonly int RequiredCapacity(int additional, bool throwOnFailure)
    {
        long required = (long)_count + additional;
        if (required > int.MaxValue)
        {
            if (throwOnFailure)
            {
                ThrowHelper.ThrowListTooLong(additional);
            }

            return -1;
        }

        return (int)required;
    }

    /// <summary>Grows to hold at least <paramref name="additional"/> more elements, doubling.</summary>
    private bool Grow(int additional, bool throwOnFailure)
    {
        int required = RequiredCapacity(additional, throwOnFailure);
        if (required < 0)
        {
            return false;
        }

        long doubled = Math.Max(4, (long)_capacity * 2);
        int capacity = (int)Math.Min(int.MaxValue, Math.Max(required, doubled));
        if ((long)capacity * sizeof(T) > Arena.MaxRequestSize)
        {
            capacity = required;
        }

        return GrowTo(capacity, throwOnFailure);
    }

    private bool GrowTo(int capacity, bool throwOnFailure)
    {
        Debug.Assert(capacity > _capacity);
        long bytes = (long)capacity * sizeof(T);
        if (bytes > Arena.MaxRequestSize)
        {
            if (throwOnFailure)
            {
                ThrowHelper.ThrowTooLarge(nameof(capacity), bytes);
            }

            return false;
        }

        nint oldBytes = (nint)_capacity * sizeof(T);
        if (_items != null
            && _arena.TryExtendInPlace((byte*)_items, (byte*)_items + oldBytes, (nint)bytes - oldBytes))
        {
            // The buffer was validated before growing; from now on it is live up to its new end.
            _capacity = capacity;
            _epoch = _arena.Epoch;
            return true;
        }

        Checkpoint before = _arena.CurrentCheckpointInternal();
        byte* p = throwOnFailure ? _arena.Bump((nint)bytes, Arena.AlignOf<T>()) : _arena.TryBump((nint)bytes, Arena.AlignOf<T>());
        if (p == null)
        {
            return false;
        }

        // SAFETY: the old buffer holds _count initialised elements and the new one has room for capacity >= _count.
        new ReadOnlySpan<T>(_items, _count).CopyTo(new Span<T>(p, _count));
        _items = (T*)p;
        _capacity = capacity;
        _before = before;
        _dataPosition = _arena.Position - bytes;
        _epoch = _arena.Epoch;
        return true;
    }
}
