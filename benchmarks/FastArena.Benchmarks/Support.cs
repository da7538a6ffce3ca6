using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastArena.Benchmarks;

/// <summary>A heap object holding one long: what GC <c>new</c> allocates in the baselines.</summary>
public sealed class LongBox(long value)
{
    /// <summary>The value.</summary>
    public long Value = value;
}

/// <summary>
/// What most benchmark classes share: a warm arena and a floor buffer, made in the class's
/// <c>[GlobalSetup]</c> (which sizes the floor for its rows) and freed here. The benchmark methods still
/// copy the fields into locals (<c>Arena arena = _arena;</c>) before their loops: a field read inside a loop
/// is reloaded after every store through an unmanaged pointer, and the local makes that explicit.
/// </summary>
public abstract class WarmArenaBenchmark
{
    /// <summary>The warm arena (its first block reserved), reused with Reset by every row.</summary>
    protected Arena _arena = null!;

    /// <summary>The floor's buffer.</summary>
    protected FloorBuffer _floor = null!;

    /// <summary>Creates the arena and a floor buffer of <paramref name="floorBytes"/> bytes.</summary>
    /// <param name="floorBytes">Enough for one invocation of the class's floor rows.</param>
    protected void CreateWarm(nint floorBytes)
    {
        _arena = new Arena();
        _floor = new FloorBuffer(floorBytes);
    }

    /// <summary>Frees native memory.</summary>
    [BenchmarkDotNet.Attributes.GlobalCleanup]
    public void Cleanup()
    {
        _arena.Dispose();
        _floor.Dispose();
    }
}

/// <summary>
/// The floor: a preallocated native buffer and a bare pointer bump with no checks at all (no limit, no
/// budget, no block change). Nothing real can allocate faster; it is the physical limit of the idea.
/// </summary>
public sealed unsafe class FloorBuffer : IDisposable
{
    /// <summary>Allocates the buffer.</summary>
    /// <param name="bytes">Its size.</param>
    public FloorBuffer(nint bytes)
    {
        Start = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        Cursor = Start;
    }

    /// <summary>The buffer's first byte.</summary>
    public byte* Start { get; private set; }

    /// <summary>Where the next allocation goes.</summary>
    public byte* Cursor;

    /// <summary>Aligns the cursor up and bumps it by <paramref name="size"/>, with no check.</summary>
    /// <param name="size">Bytes.</param>
    /// <param name="alignment">A power of two.</param>
    /// <returns>The allocation.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Bump(nint size, nint alignment)
    {
        byte* p = (byte*)(((nint)Cursor + (alignment - 1)) & ~(alignment - 1));
        Cursor = p + size;
        return p;
    }

    /// <summary>Gives everything back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Reset() => Cursor = Start;

    /// <summary>A cursor over this buffer held in a local (see <see cref="LocalFloor"/>): the floor of a register-held cursor.</summary>
    /// <returns>The local cursor; <see cref="LocalFloor.Dispose"/> writes it back.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LocalFloor Local() => new(this);

    /// <summary>Frees the buffer.</summary>
    public void Dispose()
    {
        NativeMemory.AlignedFree(Start);
        Start = null;
    }
}

/// <summary>
/// The floor with the cursor in a local: a <c>ref struct</c> copy of <see cref="FloorBuffer.Cursor"/> that the
/// JIT promotes to a register, so a store through an allocated pointer cannot make it reload the cursor.
/// This is what the Rust floor gets for free (a <c>&amp;mut</c> cursor cannot alias the stored value).
/// </summary>
public unsafe ref struct LocalFloor
{
    private readonly FloorBuffer _owner;
    private byte* _cursor;

    /// <summary>Takes the buffer's cursor.</summary>
    /// <param name="owner">The buffer.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LocalFloor(FloorBuffer owner)
    {
        _owner = owner;
        _cursor = owner.Cursor;
    }

    /// <summary>Aligns the local cursor up and bumps it by <paramref name="size"/>, with no check.</summary>
    /// <param name="size">Bytes.</param>
    /// <param name="alignment">A power of two.</param>
    /// <returns>The allocation.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Bump(nint size, nint alignment)
    {
        byte* p = (byte*)(((nint)_cursor + (alignment - 1)) & ~(alignment - 1));
        _cursor = p + size;
        return p;
    }

    /// <summary>The local cursor, to save and restore (a checkpoint).</summary>
    public byte* Cursor
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        readonly get => _cursor;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => _cursor = value;
    }

    /// <summary>Gives everything back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Reset() => _cursor = _owner.Start;

    /// <summary>Writes the cursor back to the buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose() => _owner.Cursor = _cursor;
}
