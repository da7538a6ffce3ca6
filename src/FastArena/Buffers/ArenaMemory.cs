namespace FastArena;

/// <summary>
/// <see cref="Memory{T}"/> over arena memory, for APIs that take memory rather than spans (asynchronous
/// I/O, pipes). Each call allocates one small managed object, the memory manager.
/// </summary>
/// <remarks>
/// The memory is valid as the arena memory under it is. In <see cref="ArenaOptions.CheckedMode"/>, its
/// <see cref="Memory{T}.Span"/> and <see cref="Memory{T}.Pin"/> throw <see cref="InvalidOperationException"/>
/// once a rewind, reset or rollback gave the memory back, as handles do; outside checked mode such use is
/// undefined behaviour, as for <see cref="Span{T}"/>.
/// </remarks>
public static class ArenaMemory
{
    /// <summary>Memory over the elements of <paramref name="slice"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="slice">A slice handle; an empty one gives empty memory.</param>
    /// <returns>The memory; in checked mode it validates the slice on every use.</returns>
    /// <exception cref="InvalidOperationException">(Checked mode) the slice's memory was already given back.</exception>
    public static Memory<T> AsMemory<T>(this ArenaSlice<T> slice)
        where T : unmanaged
    {
        if (slice.IsEmpty)
        {
            return Memory<T>.Empty;
        }

        _ = slice.Span;
        return new ArenaMemoryManager<T>(slice).Memory;
    }

    /// <summary>Allocates <paramref name="length"/> zeroed elements and returns them as memory.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="arena">The arena.</param>
    /// <param name="length">Elements, not negative.</param>
    /// <returns>The memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="arena"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded; the arena is unchanged.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public static Memory<T> AllocMemory<T>(this Arena arena, int length)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(arena);
        return arena.AllocSliceHandle<T>(length).AsMemory();
    }
}
