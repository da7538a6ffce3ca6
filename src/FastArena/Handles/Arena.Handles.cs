using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastArena;

// What the storable handles need from the arena: finding it from a registry slot and checking that
// their memory is still the arena's (I7, I8). Construction of handles is in Arena.Slices.cs.
public sealed unsafe partial class Arena
{
    /// <summary>Checked mode: throws unless the handle's arena is alive and its memory was not given back.</summary>
    internal static void ValidateHandle(int slot, int generation, long epoch, void* start, long bytes, long end)
    {
        Arena? arena = ArenaRegistry.Find(slot, generation);
        if (arena is null)
        {
            ThrowHelper.ThrowDisposed();
        }

        arena.ThrowIfUnusable();
        if (!arena.IsRangeLive(epoch, (byte*)start, bytes, end))
        {
            ThrowHelper.ThrowStaleHandle();
        }
    }

    /// <summary>Checked mode: whether the handle's arena is alive and its memory was not given back.</summary>
    internal static bool IsHandleLive(int slot, int generation, long epoch, void* start, long bytes, long end) =>
        ArenaRegistry.Find(slot, generation) is { } arena && !arena._disposed && arena.IsRangeLive(epoch, (byte*)start, bytes, end);

    internal long Epoch => _rewinds.Epoch;

    // Handles and disposal entries remember the arena position where their memory ends. Every caller
    // computes it as BytesAllocated right after its own bump, before anything else can allocate.

    internal ArenaRef<T> MakeRef<T>(T* p, long end)
        where T : unmanaged =>
        _checked ? new ArenaRef<T>(p, _registrySlot, _registryGeneration, _rewinds.Epoch, end) : new ArenaRef<T>(p);

    // The end is the current position, read only in checked mode: an unchecked handle is a bare pointer,
    // and the position's loads (after the caller's store through the new pointer) would be wasted.
    internal ArenaRef<T> MakeRef<T>(T* p)
        where T : unmanaged =>
        _checked ? new ArenaRef<T>(p, _registrySlot, _registryGeneration, _rewinds.Epoch, Position) : new ArenaRef<T>(p);

    internal ArenaSlice<T> MakeSlice<T>(Span<T> span, long end)
        where T : unmanaged
    {
        T* p = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
        return _checked && span.Length > 0
            ? new ArenaSlice<T>(p, span.Length, _registrySlot, _registryGeneration, _rewinds.Epoch, end)
            : new ArenaSlice<T>(p, span.Length);
    }

    // As MakeRef(T*): the end is the current position, read only in checked mode.
    internal ArenaSlice<T> MakeSlice<T>(Span<T> span)
        where T : unmanaged =>
        _checked ? MakeSlice(span, Position) : new ArenaSlice<T>((T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)), span.Length);
}
