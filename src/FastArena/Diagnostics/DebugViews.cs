using System.Diagnostics;

namespace FastArena;

/// <summary>What a debugger shows inside an <see cref="ArenaList{T}"/>: a copy of its items.</summary>
/// <remarks>An ended list, or one whose arena was disposed, shows no items instead of throwing.</remarks>
internal sealed class ArenaListDebugView<T>
    where T : unmanaged
{
    public ArenaListDebugView(ArenaList<T> list)
    {
        try
        {
            Items = list.AsSpan().ToArray();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            Items = [];
        }
    }

    /// <summary>The list's items, copied when the debugger asked.</summary>
    [DebuggerBrowsable(DebuggerBrowsableState.RootHidden)]
    public T[] Items { get; }
}

/// <summary>What a debugger shows inside an <see cref="ArenaSlice{T}"/>: a copy of its elements.</summary>
/// <remarks>A slice that checked mode knows to be stale, or whose arena was disposed, shows no elements instead of throwing.</remarks>
internal sealed class ArenaSliceDebugView<T>
    where T : unmanaged
{
    public ArenaSliceDebugView(ArenaSlice<T> slice)
    {
        try
        {
            Items = slice.ToArray();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            Items = [];
        }
    }

    /// <summary>The slice's elements, copied when the debugger asked.</summary>
    [DebuggerBrowsable(DebuggerBrowsableState.RootHidden)]
    public T[] Items { get; }
}
