using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastArena;

// The arena's side of ArenaScope (I10). Opening a scope hands the cursor and the fast-path limit to the
// scope and sets _limit to null and _scopeToken to the scope's token, so every other allocation takes
// the slow path, and ThrowIfUnusable (which every slow path and every other member calls) throws while
// the scope is open. The scope's slow paths below put the cursor back, run the arena's ordinary
// operation (the block change, the budget, checked mode, disposal tracking), and take the cursor again.
public sealed unsafe partial class Arena
{
    /// <summary>What a scope's slow path returns: the allocation and the scope's new cursor and limit.</summary>
    internal struct ScopeStep
    {
        public byte* Result;
        public byte* Cursor;
        public byte* Limit;
    }

    /// <summary>
    /// Opens an allocation scope: the arena's cursor moves into the returned <c>ref struct</c>, whose
    /// allocations are a register bump. Use it with <c>using var scope = arena.OpenScope();</c>; until it
    /// ends, every other use of the arena throws <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <returns>The open scope.</returns>
    /// <exception cref="InvalidOperationException">A scope is already open on this arena.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public ArenaScope OpenScope()
    {
        ThrowIfUnusable();
        long token = ++_nextScopeToken;
        byte* limit = ScopeLimit();

        // SAFETY (I3, I10): the scope takes the fast-path limit; the arena keeps none while the scope is open.
        _limit = null;
        _scopeToken = token;
        return new ArenaScope(this, token, _cursor, limit);
    }

    /// <summary>Whether an <see cref="ArenaScope"/> is open on this arena.</summary>
    public bool IsScopeOpen => _scopeToken != 0;

    /// <summary>Whether <paramref name="token"/> is the open scope's.</summary>
    internal bool IsOpenScope(long token) => token != 0 && token == _scopeToken;

    /// <summary>The limit a scope may use: the fast-path limit, or null (always the slow path) when the arena tracks disposal.</summary>
    private byte* ScopeLimit() => _disposals is null ? _limit : null;

    /// <summary>Ends the scope <paramref name="token"/> at <paramref name="cursor"/>; nothing when that scope already ended.</summary>
    internal void CloseScope(long token, byte* cursor)
    {
        if (token != _scopeToken || token == 0)
        {
            return;
        }

        _scopeToken = 0;
        if (_disposed)
        {
            // SAFETY (I10): the arena was disposed while this scope was open; its last block goes now.
            FreeBlocks();
            SuppressFinalizer();
            return;
        }

        // SAFETY (I2, I3, I10): the scope only moved the cursor forward inside the current block; the limit
        // is recomputed for the arena's own fast path.
        Debug.Assert(cursor >= _cursor && cursor <= _blockEnd);
        _cursor = cursor;
        UpdateLimit();
    }

    /// <summary>Puts the scope's cursor back so that one ordinary operation can run; throws when the scope ended or is default.</summary>
    private static Arena Resume(Arena? arena, long token, byte* cursor)
    {
        if (arena is null)
        {
            ThrowHelper.ThrowScopeDefault();
        }

        if (arena._disposed)
        {
            ThrowHelper.ThrowDisposed();
        }

        if (token != arena._scopeToken)
        {
            ThrowHelper.ThrowScopeEnded();
        }

        // SAFETY (I2, I10): the scope only moved the cursor forward inside the current block.
        Debug.Assert(cursor >= arena._cursor && cursor <= arena._blockEnd);
        arena._cursor = cursor;
        arena._scopeToken = 0;
        arena.UpdateLimit();
        return arena;
    }

    /// <summary>Hands the cursor back to the scope after an ordinary operation, or after it threw (which changed nothing).</summary>
    private ScopeStep Suspend(long token, byte* result)
    {
        var step = new ScopeStep { Result = result, Cursor = _cursor, Limit = ScopeLimit() };

        // SAFETY (I10): as in OpenScope.
        _limit = null;
        _scopeToken = token;
        return step;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ScopeStep ScopeAllocSlow<T>(Arena? arena, long token, byte* cursor, T value)
        where T : unmanaged
    {
        Arena a = Resume(arena, token, cursor);
        try
        {
            return a.Suspend(token, (byte*)Unsafe.AsPointer(ref a.Alloc(value)));
        }
        catch
        {
            a.Suspend(token, null);
            throw;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ScopeStep ScopeBumpSlow(Arena? arena, long token, byte* cursor, nint size, nint alignment)
    {
        Arena a = Resume(arena, token, cursor);
        try
        {
            return a.Suspend(token, a.Bump(size, alignment));
        }
        catch
        {
            a.Suspend(token, null);
            throw;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ScopeStep ScopeSliceSlow<T>(Arena? arena, long token, byte* cursor, int length)
        where T : unmanaged
    {
        Arena a = Resume(arena, token, cursor);
        try
        {
            return a.Suspend(token, (byte*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a.AllocSliceUninitialized<T>(length))));
        }
        catch
        {
            a.Suspend(token, null);
            throw;
        }
    }
}
