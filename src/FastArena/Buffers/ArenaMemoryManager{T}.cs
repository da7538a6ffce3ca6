using System.Buffers;

namespace FastArena;

/// <summary>
/// The <see cref="MemoryManager{T}"/> behind <see cref="Memory{T}"/> over arena memory. It holds a slice
/// handle, so in checked mode every <see cref="GetSpan"/> and <see cref="Pin"/> validates it like
/// <see cref="ArenaSlice{T}.Span"/> does. Arena memory never moves, so pinning is free and unpinning does nothing.
/// </summary>
internal sealed unsafe class ArenaMemoryManager<T>(ArenaSlice<T> slice) : MemoryManager<T>
    where T : unmanaged
{
    /// <inheritdoc/>
    public override Span<T> GetSpan() => slice.Span;

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        Span<T> span = slice.Span;
        if ((uint)elementIndex > (uint)span.Length)
        {
            ThrowHelper.ThrowIndex();
        }

        // SAFETY (I1): arena memory is native and never moves; the handle needs no pin.
        return new MemoryHandle(slice.DangerousGetPointer() + elementIndex);
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
    }
}
