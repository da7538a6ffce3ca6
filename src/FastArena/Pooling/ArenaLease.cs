using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// An arena rented from an <see cref="ArenaPool"/>; dispose it to give the arena back
/// (<c>using var lease = pool.Rent();</c>). A lease works once: after it is returned, <see cref="Arena"/>
/// and a second <see cref="Dispose"/> throw <see cref="InvalidOperationException"/>, through this copy of
/// the lease or any other.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public readonly struct ArenaLease : IDisposable, IEquatable<ArenaLease>
{
    private readonly ArenaPool? _pool;
    private readonly PooledArena? _item;
    private readonly int _token;

    internal ArenaLease(ArenaPool pool, PooledArena item, int token)
    {
        _pool = pool;
        _item = item;
        _token = token;
    }

    /// <summary>The rented arena, the holder's alone until the lease is disposed.</summary>
    /// <exception cref="InvalidOperationException">The lease is default, or was returned already.</exception>
    public Arena Arena
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            PooledArena? item = _item;
            if (item is null || Volatile.Read(ref item.Version) != _token)
            {
                PoolThrowHelper.ThrowLeaseNotActive(item is null);
            }

            return item.Arena;
        }
    }

    /// <summary>Whether the lease still holds its arena (it is not default and was not returned).</summary>
    public bool IsActive => _item is { } item && Volatile.Read(ref item.Version) == _token;

    /// <summary>The pool the arena came from; null for a default lease.</summary>
    public ArenaPool? Pool => _pool;

    /// <summary>
    /// Gives the arena back: it is reset (blocks over the retention cap freed) and pooled, or disposed when
    /// the pool is full or disposed. A default lease does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The lease was returned already (through this copy or another): nothing changes. Or the arena was
    /// disposed, or still has an open transaction: the lease ends and the arena is disposed instead of pooled.
    /// </exception>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw during the reset; the arena is pooled all the same.</exception>
    public void Dispose()
    {
        if (_item is not null)
        {
            _pool!.Return(_item, _token);
        }
    }

    /// <inheritdoc/>
    public bool Equals(ArenaLease other) => ReferenceEquals(_item, other._item) && _token == other._token;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ArenaLease other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_item, _token);

    /// <summary>Whether two leases are the same rent.</summary>
    public static bool operator ==(ArenaLease left, ArenaLease right) => left.Equals(right);

    /// <summary>Whether two leases are different rents.</summary>
    public static bool operator !=(ArenaLease left, ArenaLease right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() =>
        _item is null ? "ArenaLease (default)" : IsActive ? $"ArenaLease: {_item.Arena}" : "ArenaLease (returned)";
}
