using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> whose buffer lives in an arena: serializers, encoders and pipes write
/// straight into arena memory. While the buffer is the arena's newest allocation it grows in place (no
/// copy); otherwise it moves to a larger arena buffer, leaving the old one to the arena.
/// </summary>
/// <typeparam name="T">The element type (bytes for text and serializers).</typeparam>
/// <remarks>
/// <para>
/// Growth honours the arena's open budgets (<see cref="Transaction.SetLimit"/>): a growth is cut to what the
/// budget allows, and one that cannot fit throws <see cref="ArenaBudgetExceededException"/> and leaves the
/// arena and the written elements exactly as they were.
/// </para>
/// <para>
/// The buffer is arena memory: a rewind, reset or rollback below it gives it back. In
/// <see cref="ArenaOptions.CheckedMode"/> every member then throws <see cref="InvalidOperationException"/>, as
/// handles do; outside checked mode, using the writer or a span or memory it handed out after that is
/// undefined behaviour, as for <see cref="Span{T}"/>.
/// </para>
/// </remarks>
[DebuggerDisplay("ArenaBufferWriter<{typeof(T).Name,nq}>: {WrittenCount} written, {Capacity} capacity")]
public sealed unsafe class ArenaBufferWriter<T> : IBufferWriter<T>
    where T : unmanaged
{
    /// <summary>The capacity of a first growth when none is given: 256 elements.</summary>
    public const int DefaultInitialCapacity = 256;

    private readonly Arena _arena;
    private readonly int _initialCapacity;
    private T* _buffer;
    private int _capacity;
    private int _written;
    private long _epoch;
    private long _end;
    private ArenaMemoryManager<T>? _memory;

    /// <summary>Creates a writer over <paramref name="arena"/>; nothing is allocated until the first write.</summary>
    /// <param name="arena">The arena that holds the buffer.</param>
    /// <param name="initialCapacity">Elements of the first buffer, at least 1 (a larger size hint wins).</param>
    /// <exception cref="ArgumentNullException"><paramref name="arena"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCapacity"/> is below 1.</exception>
    public ArenaBufferWriter(Arena arena, int initialCapacity = DefaultInitialCapacity)
    {
        ArgumentNullException.ThrowIfNull(arena);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        _arena = arena;
        _initialCapacity = initialCapacity;
    }

    /// <summary>The arena that holds the buffer.</summary>
    public Arena Arena => _arena;

    /// <summary>Elements written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>Elements the current buffer holds, written or not.</summary>
    public int Capacity => _capacity;

    /// <summary>Elements that can be written before the buffer must grow.</summary>
    public int FreeCapacity => _capacity - _written;

    /// <summary>The elements written so far.</summary>
    /// <exception cref="InvalidOperationException">(Checked mode) a rewind gave the buffer back.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public ReadOnlySpan<T> WrittenSpan
    {
        get
        {
            Validate();
            return new ReadOnlySpan<T>(_buffer, _written);
        }
    }

    /// <summary>The elements written so far, as memory (valid as the arena memory under it is).</summary>
    /// <exception cref="InvalidOperationException">(Checked mode) a rewind gave the buffer back.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public ReadOnlyMemory<T> WrittenMemory
    {
        get
        {
            Validate();
            return _capacity == 0 ? ReadOnlyMemory<T>.Empty : Manager().Memory[.._written];
        }
    }

    /// <summary>Marks <paramref name="count"/> more elements, of the span or memory last handed out, as written.</summary>
    /// <param name="count">From 0 to <see cref="FreeCapacity"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or past the free capacity; nothing changes.</exception>
    /// <exception cref="InvalidOperationException">(Checked mode) a rewind gave the buffer back.</exception>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_capacity - _written))
        {
            BufferThrowHelper.ThrowAdvancePastCapacity(count, _capacity - _written);
        }

        Validate();
        _written += count;
    }

    /// <summary>A span of at least <paramref name="sizeHint"/> free elements (at least one when 0), growing the buffer if needed.</summary>
    /// <param name="sizeHint">Elements wanted, not negative.</param>
    /// <returns>The free part of the buffer; write into it, then call <see cref="Advance"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open budget cannot fit the growth; the arena and the writer are unchanged.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a block, or the buffer would pass <see cref="int.MaxValue"/> elements; nothing changes.</exception>
    /// <exception cref="InvalidOperationException">(Checked mode) a rewind gave the buffer back.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return new Span<T>(_buffer + _written, _capacity - _written);
    }

    /// <summary>Memory of at least <paramref name="sizeHint"/> free elements, growing the buffer if needed.</summary>
    /// <inheritdoc cref="GetSpan"/>
    public Memory<T> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Manager().Memory[_written..];
    }

    /// <summary>Copies <paramref name="source"/> in (growing at most once) and advances past it.</summary>
    /// <param name="source">The elements to append.</param>
    /// <exception cref="ArenaBudgetExceededException">An open budget cannot fit them; the arena and the writer are unchanged.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a block; nothing changes.</exception>
    /// <exception cref="InvalidOperationException">(Checked mode) a rewind gave the buffer back.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public void Write(ReadOnlySpan<T> source)
    {
        if (source.IsEmpty)
        {
            Validate();
            return;
        }

        Ensure(source.Length);
        source.CopyTo(new Span<T>(_buffer + _written, _capacity - _written));
        _written += source.Length;
    }

    /// <summary>
    /// Ends the writer's use of its buffer: gives the unwritten tail back to the arena when the buffer is still
    /// its newest allocation, and returns the written elements as a storable handle. The writer starts over,
    /// empty, with a new buffer on its next write.
    /// </summary>
    /// <returns>The written elements (a checked handle in checked mode).</returns>
    /// <exception cref="InvalidOperationException">(Checked mode) a rewind gave the buffer back.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public ArenaSlice<T> ToSlice()
    {
        Validate();
        ArenaSlice<T> slice;
        if (_capacity == 0)
        {
            slice = default;
        }
        else
        {
            // SAFETY (I2): [_buffer, _buffer + _capacity) is the live buffer (validated in checked mode).
            byte* start = (byte*)_buffer;
            byte* keepEnd = (byte*)(_buffer + _written);
            byte* end = (byte*)(_buffer + _capacity);
            _arena.TryGiveBackTail(start, keepEnd, end);

            // The written elements end (end - keepEnd) bytes before the buffer's end, whether or not the tail went back.
            slice = _arena.MakeSlice(new Span<T>(_buffer, _written), _end - (end - keepEnd));
        }

        _buffer = null;
        _capacity = 0;
        _written = 0;
        _memory = null;
        return slice;
    }

    /// <summary>Forgets what was written, keeping the buffer for the next writes.</summary>
    /// <exception cref="InvalidOperationException">(Checked mode) a rewind gave the buffer back.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public void Clear()
    {
        Validate();
        _written = 0;
    }

    /// <inheritdoc/>
    public override string ToString() => $"ArenaBufferWriter<{typeof(T).Name}>: {_written} written, {_capacity} capacity";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int sizeHint)
    {
        if (sizeHint < 0)
        {
            ThrowHelper.ThrowNegative(nameof(sizeHint), sizeHint);
        }

        Validate();
        int free = _capacity - _written;
        if (sizeHint > free || free == 0)
        {
            Grow(Math.Max(sizeHint, 1));
        }
    }

    /// <summary>Checked mode: throws unless the arena still holds the buffer. Outside checked mode: only a disposed arena throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Validate()
    {
        if (_arena.IsChecked)
        {
            if (_capacity != 0)
            {
                _arena.ValidateBuffer(_epoch, _buffer, (long)_capacity * sizeof(T), _end);
            }
            else
            {
                _arena.ThrowIfUnusable();
            }
        }
        else if (_arena.IsDisposed)
        {
            ThrowHelper.ThrowDisposed();
        }
    }

    /// <summary>
    /// Makes room for <paramref name="sizeHint"/> more elements: doubles the capacity (at least the initial
    /// capacity), cut to what the budget allows but never below what is needed. In place when the buffer is
    /// the newest allocation and its block has room, else in a new buffer. Changes nothing when it throws.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int sizeHint)
    {
        long needed = (long)_written + sizeHint;
        if (needed > int.MaxValue)
        {
            BufferThrowHelper.ThrowTooLarge(needed);
        }

        long desired = Math.Min(int.MaxValue, Math.Max(needed, Math.Max(2L * _capacity, _initialCapacity)));
        long budget = _arena.BudgetLeft;
        int size = sizeof(T);

        if (_capacity != 0)
        {
            // In place: only the extra elements are charged.
            long room = Math.Min(budget, _arena.RoomInBlock) / size;
            long target = Math.Min(desired, _capacity + room);
            if (target >= needed)
            {
                // SAFETY (I2): [_buffer, _buffer + _capacity) is the live buffer; TryExtendInPlace checks it is the newest.
                byte* start = (byte*)_buffer;
                if (_arena.TryExtendInPlace(start, start + ((long)_capacity * size), (nint)((target - _capacity) * size)))
                {
                    _capacity = (int)target;
                    Mark();
                    return;
                }
            }
        }

        // A new buffer is charged whole, alignment padding included (at most alignment - 1 bytes).
        nint alignment = Arena.AlignOf<T>();
        long fit = budget == long.MaxValue ? long.MaxValue : Math.Max(0, budget - (alignment - 1)) / size;
        long capacity = Math.Max(needed, Math.Min(desired, fit));
        if (!_arena.TryAllocRaw((nint)(capacity * size), alignment, out void* memory))
        {
            // The smallest buffer that will do; it throws the budget or out-of-memory exception with the
            // refused numbers when even that does not fit, and nothing has changed.
            capacity = needed;
            memory = _arena.AllocRaw((nint)(needed * size), alignment);
        }

        // SAFETY (I2): both buffers are live; the old one keeps its contents (the arena never moves memory).
        if (_written > 0)
        {
            new ReadOnlySpan<T>(_buffer, _written).CopyTo(new Span<T>(memory, _written));
        }

        _buffer = (T*)memory;
        _capacity = (int)capacity;
        _memory = null;
        Mark();
    }

    /// <summary>Remembers where the buffer ends now, so checked mode can tell when a rewind gives it back.</summary>
    private void Mark()
    {
        _epoch = _arena.Epoch;
        _end = _arena.BytesAllocated;
        _memory = null;
    }

    private ArenaMemoryManager<T> Manager() =>
        _memory ??= new ArenaMemoryManager<T>(_arena.MakeSlice(new Span<T>(_buffer, _capacity), _end));
}
