using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// A storable handle to one <typeparamref name="T"/> in an arena: an ordinary struct, so it can live in
/// fields, arrays, closures and other arena-allocated structs (an AST node pointing at its children).
/// <see cref="Value"/> gives the value by reference at the point of use.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <remarks>
/// In <see cref="ArenaOptions.CheckedMode"/> the handle remembers when and where it was made, and
/// <see cref="Value"/> throws <see cref="InvalidOperationException"/> once a rewind, reset or rollback has
/// given its memory back (and <see cref="ObjectDisposedException"/> once the arena is disposed). Outside
/// checked mode it is a bare pointer, after a rewind below it and after the arena's Dispose alike, and
/// such use is undefined behaviour. Checked mode detects a given-back handle exactly when the rewind that
/// gave it back is among the arena's last 1024; an older one is reported stale or still points into
/// memory the arena holds (never into freed memory). Either way the handle is
/// unmanaged (it finds its arena through a registry slot, not a reference), so it may itself be stored
/// in arena memory.
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public readonly unsafe struct ArenaRef<T> : IEquatable<ArenaRef<T>>
    where T : unmanaged
{
    private readonly T* _pointer;
    private readonly int _slot;
    private readonly int _generation;
    private readonly long _epoch;
    private readonly long _end;

    internal ArenaRef(T* pointer)
    {
        _pointer = pointer;
    }

    internal ArenaRef(T* pointer, int slot, int generation, long epoch, long end)
    {
        _pointer = pointer;
        _slot = slot;
        _generation = generation;
        _epoch = epoch;
        _end = end;
    }

    /// <summary>The value, by reference.</summary>
    /// <exception cref="InvalidOperationException">The handle is default, or (checked mode) its memory was given back.</exception>
    /// <exception cref="ObjectDisposedException">(Checked mode) the arena was disposed.</exception>
    public ref T Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_slot != 0)
            {
                Arena.ValidateHandle(_slot, _generation, _epoch, _pointer, sizeof(T), _end);
            }
            else if (_pointer == null)
            {
                ThrowHelper.ThrowNullHandle();
            }

            return ref *_pointer;
        }
    }

    /// <summary>Whether the handle is default (points at nothing).</summary>
    public bool IsNull => _pointer == null;

    /// <summary>Whether the handle was made in checked mode, so that <see cref="IsLive"/> knows.</summary>
    public bool IsChecked => _slot != 0;

    /// <summary>
    /// Checked mode: whether the memory is still the arena's to read. Outside checked mode nothing is
    /// known, and this is true for any non-default handle.
    /// </summary>
    public bool IsLive => _slot != 0 ? Arena.IsHandleLive(_slot, _generation, _epoch, _pointer, sizeof(T), _end) : _pointer != null;

    /// <summary>The raw address, with no check at all. The caller answers for its lifetime.</summary>
    /// <returns>The pointer the handle holds.</returns>
    public T* DangerousGetPointer() => _pointer;

    /// <inheritdoc/>
    public bool Equals(ArenaRef<T> other) => _pointer == other._pointer;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ArenaRef<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => ((nint)_pointer).GetHashCode();

    /// <summary>Whether two handles point at the same address.</summary>
    public static bool operator ==(ArenaRef<T> left, ArenaRef<T> right) => left.Equals(right);

    /// <summary>Whether two handles point at different addresses.</summary>
    public static bool operator !=(ArenaRef<T> left, ArenaRef<T> right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => DebuggerDisplay;

    /// <summary>The debugger's summary: the value, or that the handle is null or (checked mode) stale.</summary>
    internal string DebuggerDisplay =>
        _pointer == null ? "ArenaRef<" + typeof(T).Name + ">(null)"
        : !IsLive ? "ArenaRef<" + typeof(T).Name + ">(stale)"
        : "ArenaRef<" + typeof(T).Name + ">(" + (*_pointer).ToString() + ")";
}
