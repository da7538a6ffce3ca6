using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// A growable list whose elements live in an arena. Build it, then
/// <see cref="Finish"/> hands the elements to the arena as a <see cref="Span{T}"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// <para>
/// Growth doubles the capacity. When the list's buffer is the newest allocation of the current block
/// it grows in place; otherwise it moves, and the old buffer stays in the arena until a rewind. Growth
/// honours transaction budgets like any allocation.
/// </para>
/// <para>
/// <see cref="Finish"/> gives unused capacity back when the buffer is the newest allocation.
/// <see cref="Dispose"/> without <see cref="Finish"/> gives the whole buffer back when it is the newest
/// allocation, and with disposal tracking on disposes the elements, last first. Use the list with
/// <c>using var list = new ArenaList&lt;T&gt;(arena);</c>.
/// </para>
/// <para>
/// While a list is being built, rewinding, resetting or rolling back below its buffer is a bug: checked
/// mode reports it on the list's next use; otherwise the list would write into memory it no longer owns.
/// A copy of this <c>ref struct</c> is a second view of the same buffer: use one of them.
/// </para>
/// <para>
/// Speed: the list is meant to live in a local of the method that fills it, where the JIT keeps its
/// count, capacity and buffer in registers, so <see cref="Add"/> costs about what a store into a
/// pointer costs. No member ever takes the list's address (the slow paths get the list by value or
/// work on a copy), because one address-taking call anywhere in a method makes the JIT keep the list
/// on the stack for the whole method. A list that a <c>using</c> disposes, or that is passed by
/// <c>ref</c>, is kept on the stack all the same (a <c>finally</c> block reads it); the hottest loops
/// call <see cref="Finish"/> and leave the <c>using</c> out.
/// </para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
[DebuggerTypeProxy(typeof(ArenaListDebugView<>))]
[SkipLocalsInit]
public unsafe ref partial struct ArenaList<T>
    where T : unmanaged
{
    private readonly Arena _arena;
    private T* _items;
    private int _count;
    private int _capacity;
    private Checkpoint _before;
    private long _dataPosition;
    private long _epoch;
    private bool _ended;

    /// <summary>Creates an empty list that allocates in <paramref name="arena"/>; nothing is allocated until the first element.</summary>
    /// <param name="arena">The arena that holds the elements.</param>
    /// <exception cref="ArgumentNullException"><paramref name="arena"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ArenaList(Arena arena)
    {
        ArgumentNullException.ThrowIfNull(arena);
        arena.ThrowIfUnusable();
        _arena = arena;
    }

    /// <summary>Creates a list with room for <paramref name="capacity"/> elements.</summary>
    /// <param name="arena">The arena that holds the elements.</param>
    /// <param name="capacity">Initial capacity, not negative.</param>
    /// <exception cref="ArgumentNullException"><paramref name="arena"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative or too large.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ArenaList(Arena arena, int capacity)
    {
        // Built by value in a static method: the caller's list never has its address taken (see the type's remarks).
        this = WithCapacity(arena, capacity);
    }

    /// <summary>Creates an empty list in the arena of an open transaction; it allocates in that transaction.</summary>
    /// <param name="transaction">An open transaction.</param>
    /// <exception cref="InvalidOperationException">The transaction has ended, or is default.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ArenaList(Transaction transaction)
        : this(transaction.Arena)
    {
    }

    /// <summary>Number of elements.</summary>
    public readonly int Count => _count;

    /// <summary>Number of elements the buffer holds before it must grow; equal to <see cref="Count"/> once the list is finished or disposed.</summary>
    public readonly int Capacity => _capacity;

    /// <summary>The debugger's summary: the element type, count and capacity, or that the list ended. Never throws.</summary>
    internal readonly string DebuggerDisplay =>
        _ended ? $"ArenaList<{typeof(T).Name}> (ended), Count = {_count}" : $"ArenaList<{typeof(T).Name}> Count = {_count}, Capacity = {_capacity}";

    /// <summary>Whether the list has no elements.</summary>
    public readonly bool IsEmpty => _count == 0;

    /// <summary>Element <paramref name="index"/>, by reference.</summary>
    /// <param name="index">From 0 to <see cref="Count"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the list.</exception>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    public readonly ref T this[int index]
    {
        get
        {
            EnsureUsable();
            if ((uint)index >= (uint)_count)
            {
                ThrowHelper.ThrowIndex();
            }

            return ref _items[index];
        }
    }

    /// <summary>Appends <paramref name="item"/>. Amortised O(1).</summary>
    /// <param name="item">The element.</param>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    /// <exception cref="ArenaBudgetExceededException">Growing would exceed an open transaction's budget; the list is unchanged.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block; the list is unchanged.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        // SAFETY (I3): the arena's fast-path limit is null in checked mode and once the arena is disposed,
        // so a disposed arena sends Add to the slow path, which throws, instead of writing into freed memory.
        // The count is read once, widened by the load itself, so the store needs no extension.
        nint count = _count;
        if ((int)count < _capacity && _arena.HasFastPath)
        {
            _count = (int)count + 1;
            _items[count] = item;
            return;
        }

        // The slow path takes the list by value and returns it: the caller's list is never address-exposed.
        this = AddSlow(this, item);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArenaList<T> AddSlow(ArenaList<T> list, T item)
    {
        list.EnsureUsable();
        if (list._count == list._capacity)
        {
            list.Grow(1, throwOnFailure: true);
        }

        list._items[list._count++] = item;
        return list;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArenaList<T> WithCapacity(Arena arena, int capacity)
    {
        var list = new ArenaList<T>(arena);
        if (capacity < 0)
        {
            ThrowHelper.ThrowNegative(nameof(capacity), capacity);
        }

        if (capacity > 0)
        {
            list.GrowTo(capacity, throwOnFailure: true);
        }

        return list;
    }

    /// <summary>Appends <paramref name="item"/> unless growing is refused by a budget or the operating system.</summary>
    /// <param name="item">The element.</param>
    /// <returns>False when growth was refused; the list is then unchanged.</returns>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAdd(T item)
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        bool result = self.TryAddCore(item);
        this = self;
        return result;
    }

    private bool TryAddCore(T item)
    {
        EnsureUsable();
        if (_count == _capacity && !Grow(1, throwOnFailure: false))
        {
            return false;
        }

        _items[_count++] = item;
        return true;
    }

    /// <summary>Appends every element of <paramref name="items"/> with one block copy.</summary>
    /// <param name="items">The elements.</param>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The list would exceed <see cref="int.MaxValue"/> elements.</exception>
    /// <exception cref="ArenaBudgetExceededException">Growing would exceed an open transaction's budget; the list is unchanged.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block; the list is unchanged.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddRange(ReadOnlySpan<T> items)
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        self.AddRangeCore(items);
        this = self;
    }

    private void AddRangeCore(ReadOnlySpan<T> items)
    {
        EnsureUsable();
        if (items.Length > _capacity - _count)
        {
            Grow(items.Length, throwOnFailure: true);
        }

        items.CopyTo(new Span<T>(_items + _count, items.Length));
        _count += items.Length;
    }

    /// <summary>Appends every element of <paramref name="items"/>, reserving once when the count is known.</summary>
    /// <param name="items">The elements.</param>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    /// <exception cref="ArenaBudgetExceededException">Growing would exceed an open transaction's budget.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddRange(IEnumerable<T> items)
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        self.AddRangeCore(items);
        this = self;
    }

    private void AddRangeCore(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        EnsureUsable();
        if (System.Linq.Enumerable.TryGetNonEnumeratedCount(items, out int known) && known > _capacity - _count)
        {
            Grow(known, throwOnFailure: true);
        }

        foreach (T item in items)
        {
            // As Add: the enumerator may have disposed the arena (a null fast-path limit), or the list may be full.
            if (_count == _capacity || !_arena.HasFastPath)
            {
                EnsureUsable();
                if (_count == _capacity)
                {
                    Grow(1, throwOnFailure: true);
                }
            }

            _items[_count++] = item;
        }
    }

    /// <summary>Removes and returns the last element.</summary>
    /// <returns>The element that was last.</returns>
    /// <exception cref="InvalidOperationException">The list is empty, or was finished or disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop()
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        T result = self.PopCore();
        this = self;
        return result;
    }

    private T PopCore()
    {
        if (!TryPopCore(out T item))
        {
            ThrowHelper.ThrowPopEmpty();
        }

        return item;
    }

    /// <summary>Removes the last element, if any.</summary>
    /// <param name="item">The element that was last; default when empty.</param>
    /// <returns>False when the list was empty.</returns>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPop(out T item)
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        bool result = self.TryPopCore(out item);
        this = self;
        return result;
    }

    private bool TryPopCore(out T item)
    {
        EnsureUsable();
        if (_count == 0)
        {
            item = default;
            return false;
        }

        item = _items[--_count];
        return true;
    }

    /// <summary>Removes every element and keeps the capacity.</summary>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear()
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        self.ClearCore();
        this = self;
    }

    private void ClearCore()
    {
        EnsureUsable();
        _count = 0;
    }

    /// <summary>Keeps the first <paramref name="count"/> elements and removes the rest.</summary>
    /// <param name="count">From 0 to <see cref="Count"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or above <see cref="Count"/>.</exception>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Truncate(int count)
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        self.TruncateCore(count);
        this = self;
    }

    private void TruncateCore(int count)
    {
        EnsureUsable();
        if ((uint)count > (uint)_count)
        {
            ThrowHelper.ThrowTruncateOutOfRange(count, _count);
        }

        _count = count;
    }

    /// <summary>Ensures room for <paramref name="additional"/> more elements; may over-allocate (doubling).</summary>
    /// <param name="additional">Elements to make room for, not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="additional"/> is negative, or the list would exceed <see cref="int.MaxValue"/> elements or <see cref="Arena.MaxRequestSize"/> bytes.</exception>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    /// <exception cref="ArenaBudgetExceededException">Growing would exceed an open transaction's budget; the list is unchanged.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block; the list is unchanged.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Reserve(int additional)
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        self.ReserveCore(additional);
        this = self;
    }

    private void ReserveCore(int additional)
    {
        EnsureUsable();
        CheckAdditional(additional);
        if (additional > _capacity - _count)
        {
            Grow(additional, throwOnFailure: true);
        }
    }

    /// <summary>Ensures room for exactly <paramref name="additional"/> more elements, no more.</summary>
    /// <inheritdoc cref="Reserve"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ReserveExact(int additional)
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        self.ReserveExactCore(additional);
        this = self;
    }

    private void ReserveExactCore(int additional)
    {
        EnsureUsable();
        CheckAdditional(additional);
        if (additional > _capacity - _count)
        {
            GrowTo(RequiredCapacity(additional, throwOnFailure: true), throwOnFailure: true);
        }
    }

    /// <summary>Ensures room for <paramref name="additional"/> more elements unless that is too large or refused.</summary>
    /// <param name="additional">Elements to make room for, not negative.</param>
    /// <returns>False when the capacity would overflow or a budget or the operating system refused; the list is then unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="additional"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The list was finished or disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReserve(int additional)
    {
        // On a copy: a non-inlined instance call would take the caller's list's address (see the type's remarks).
        ArenaList<T> self = this;
        bool result = self.TryReserveCore(additional);
        this = self;
        return result;
    }

    private bool TryReserveCore(int additional)
    {
        EnsureUsable();
        CheckAdditional(additional);
        return additional <= _capacity - _count || Grow(additional, throwOnFailure: false);
    }
}
