using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// A storable handle to a run of <typeparamref name="T"/> in an arena: an ordinary struct, unlike
/// <see cref="Span{T}"/>, so it can live in fields, arrays, closures and arena-allocated structs.
/// <see cref="Span"/> produces the span at the point of use.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// In <see cref="ArenaOptions.CheckedMode"/>, <see cref="Span"/> and the indexer throw
/// <see cref="InvalidOperationException"/> once a rewind, reset or rollback has given the memory back.
/// Outside checked mode such use (after a rewind below it or after the arena's Dispose) is undefined
/// behaviour. Checked mode detects it exactly when the rewind is among the arena's last 1024; an older
/// one is reported stale or still points into memory the arena holds (never into freed memory). An
/// empty slice is always valid. The handle is
/// unmanaged (it finds its arena through a registry slot, not a reference), so it may itself be stored
/// in arena memory.
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
[DebuggerTypeProxy(typeof(ArenaSliceDebugView<>))]
public readonly unsafe struct ArenaSlice<T> : IEquatable<ArenaSlice<T>>
    where T : unmanaged
{
    private readonly T* _pointer;
    private readonly int _length;
    private readonly int _slot;
    private readonly int _generation;
    private readonly long _epoch;
    private readonly long _end;

    internal ArenaSlice(T* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    internal ArenaSlice(T* pointer, int length, int slot, int generation, long epoch, long end)
    {
        _pointer = pointer;
        _length = length;
        _slot = slot;
        _generation = generation;
        _epoch = epoch;
        _end = end;
    }

    /// <summary>Number of elements.</summary>
    public int Length => _length;

    /// <summary>Whether the slice has no elements.</summary>
    public bool IsEmpty => _length == 0;

    /// <summary>The elements.</summary>
    /// <exception cref="InvalidOperationException">(Checked mode) the memory was given back.</exception>
    /// <exception cref="ObjectDisposedException">(Checked mode) the arena was disposed.</exception>
    public Span<T> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Validate();

            return new Span<T>(_pointer, _length);
        }
    }

    /// <summary>Element <paramref name="index"/>, by reference.</summary>
    /// <param name="index">From 0 to <see cref="Length"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the slice.</exception>
    /// <exception cref="InvalidOperationException">(Checked mode) the memory was given back.</exception>
    public ref T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_length)
            {
                ThrowHelper.ThrowIndex();
            }

            Validate();

            return ref _pointer[index];
        }
    }

    /// <summary>Checked mode: throws unless the memory is still the arena's. Otherwise nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Validate()
    {
        if (_slot != 0)
        {
            Arena.ValidateHandle(_slot, _generation, _epoch, _pointer, (long)_length * sizeof(T), _end);
        }
    }

    /// <summary>Whether the handle was made in checked mode, so that <see cref="IsLive"/> knows.</summary>
    public bool IsChecked => _slot != 0;

    /// <summary>Checked mode: whether the memory is still the arena's. Otherwise true.</summary>
    public bool IsLive => _slot == 0 || Arena.IsHandleLive(_slot, _generation, _epoch, _pointer, (long)_length * sizeof(T), _end);

    /// <summary>The raw address of the first element, with no check at all.</summary>
    /// <returns>The pointer the handle holds (null or dangling when empty).</returns>
    public T* DangerousGetPointer() => _pointer;

    /// <summary>Copies the elements into a new managed array.</summary>
    /// <returns>The copy.</returns>
    public T[] ToArray() => Span.ToArray();

    /// <summary>Enumerates the elements (checked once, when enumeration starts).</summary>
    /// <returns>The span's enumerator.</returns>
    public Span<T>.Enumerator GetEnumerator() => Span.GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(ArenaSlice<T> other) => _pointer == other._pointer && _length == other._length;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ArenaSlice<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine((nint)_pointer, _length);

    /// <summary>Whether two handles cover the same memory.</summary>
    public static bool operator ==(ArenaSlice<T> left, ArenaSlice<T> right) => left.Equals(right);

    /// <summary>Whether two handles cover different memory.</summary>
    public static bool operator !=(ArenaSlice<T> left, ArenaSlice<T> right) => !left.Equals(right);

    /// <summary>The debugger's summary: the element type and length, and (checked mode) whether the memory was given back. Never throws.</summary>
    internal string DebuggerDisplay => IsLive ? $"ArenaSlice<{typeof(T).Name}>[{_length}]" : $"ArenaSlice<{typeof(T).Name}>[{_length}] (stale)";

    /// <inheritdoc/>
    public override string ToString() =>
        typeof(T) == typeof(char) && IsLive ? new string((char*)_pointer, 0, _length) : $"ArenaSlice<{typeof(T).Name}>[{_length}]";
}
