using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastArena;

// The public allocation surface, part 1: single values and raw memory (slices and strings are in
// Arena.Slices.cs). Every method validates its arguments, then calls Bump (throwing) or TryBump
// (returning null) from Arena.Bump.cs. Contract shared by every allocation member of both files:
//  - T is unmanaged; Alloc<T> and slices honour T's natural alignment.
//  - A negative size or length, or an alignment that is not a power of two up to MaxAlignment, throws
//    ArgumentOutOfRangeException, from the Try variants too: those are bugs, not capacity conditions.
//  - A request over MaxRequestSize throws ArgumentOutOfRangeException; Try variants return false.
//  - A budget breach throws ArenaBudgetExceededException; the OS refusing a block throws
//    OutOfMemoryException; Try variants return false for both. Nothing changes when a request fails.
//  - A zero-byte request consumes nothing and returns an address aligned as asked.
public sealed unsafe partial class Arena
{
    [StructLayout(LayoutKind.Sequential)]
    private struct AlignmentProbe<T>
        where T : unmanaged
    {
        public byte Pad;
        public T Value;
    }

    /// <summary>The natural alignment of <typeparamref name="T"/>; a JIT-time constant.</summary>
    internal static nint AlignOf<T>()
        where T : unmanaged => sizeof(AlignmentProbe<T>) - sizeof(T);

    // ---------------------------------------------------------------------------------------------
    // Single values.
    // ---------------------------------------------------------------------------------------------

    /// <summary>Copies <paramref name="value"/> into the arena. O(1): a pointer bump and a store.</summary>
    /// <typeparam name="T">An unmanaged type; its natural alignment is honoured.</typeparam>
    /// <param name="value">The value to store.</param>
    /// <returns>A reference to the stored value, valid until its memory is given back.</returns>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T Alloc<T>(T value)
        where T : unmanaged
    {
        T* p = (T*)Bump(sizeof(T), AlignOf<T>());

        // SAFETY (I3): p is aligned for T and sizeof(T) bytes of it lie inside the current block.
        *p = value;
        if (DisposeInfo<T>.IsDisposable && _disposals is not null)
        {
            Track(p, 1, Position);
        }

        return ref *p;
    }

    /// <summary>Like <see cref="Alloc{T}(T)"/>, but returns a storable handle to the value.</summary>
    /// <inheritdoc cref="Alloc{T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ArenaRef<T> AllocHandle<T>(T value)
        where T : unmanaged
    {
        ref T r = ref Alloc(value);
        return MakeRef((T*)Unsafe.AsPointer(ref r));
    }

    /// <summary>Copies <paramref name="value"/> into the arena unless a budget or the operating system refuses.</summary>
    /// <param name="value">The value to store.</param>
    /// <param name="result">A handle to the stored value; default on failure.</param>
    /// <returns>False when a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAlloc<T>(T value, out ArenaRef<T> result)
        where T : unmanaged
    {
        T* p = (T*)TryBump(sizeof(T), AlignOf<T>());
        if (p == null)
        {
            result = default;
            return false;
        }

        *p = value;
        if (DisposeInfo<T>.IsDisposable && _disposals is not null)
        {
            Track(p, 1, Position);
        }

        result = MakeRef(p);
        return true;
    }

    /// <summary>Reserves room for one <typeparamref name="T"/> without initialising it (in checked mode it may hold poison).</summary>
    /// <returns>A reference to the uninitialised slot.</returns>
    /// <remarks>Disposal tracking ignores uninitialised slots: nothing is known to be there to dispose.</remarks>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T AllocUninitialized<T>()
        where T : unmanaged => ref *(T*)Bump(sizeof(T), AlignOf<T>());

    /// <summary>Reserves room for one <typeparamref name="T"/> without initialising it, unless a budget or the operating system refuses.</summary>
    /// <param name="result">A handle to the slot; default on failure.</param>
    /// <returns>False when a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocUninitialized<T>(out ArenaRef<T> result)
        where T : unmanaged
    {
        T* p = (T*)TryBump(sizeof(T), AlignOf<T>());
        result = p == null ? default : MakeRef(p);
        return p != null;
    }

    // ---------------------------------------------------------------------------------------------
    // Raw memory.
    // ---------------------------------------------------------------------------------------------

    /// <summary>Reserves <paramref name="size"/> uninitialised bytes aligned to <paramref name="alignment"/>.</summary>
    /// <param name="size">Bytes, from 0 to <see cref="MaxRequestSize"/>. Zero consumes nothing.</param>
    /// <param name="alignment">A power of two from 1 to <see cref="MaxAlignment"/>.</param>
    /// <returns>A non-null pointer aligned as asked.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative or over <see cref="MaxRequestSize"/>, or the alignment is not a power of two up to <see cref="MaxAlignment"/>.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* AllocRaw(nint size, nint alignment)
    {
        CheckRawArguments(size, alignment);
        if (size == 0)
        {
            return ZeroSizeAddress(alignment);
        }

        if (size > MaxRequestSize)
        {
            ThrowHelper.ThrowTooLarge(nameof(size), size);
        }

        return Bump(size, alignment);
    }

    /// <summary>Reserves <paramref name="size"/> zeroed bytes aligned to <paramref name="alignment"/>.</summary>
    /// <inheritdoc cref="AllocRaw"/>
    public void* AllocZeroed(nint size, nint alignment)
    {
        void* p = AllocRaw(size, alignment);
        NativeMemory.Clear(p, (nuint)size);
        return p;
    }

    /// <summary>Reserves <paramref name="size"/> uninitialised bytes aligned to <see cref="CacheLineSize"/> (64), for SIMD and false-sharing-free data.</summary>
    /// <param name="size">Bytes, from 0 to <see cref="MaxRequestSize"/>.</param>
    /// <returns>A non-null pointer aligned to 64 bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative or over <see cref="MaxRequestSize"/>.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public void* AllocCacheAligned(nint size) => AllocRaw(size, CacheLineSize);

    /// <summary>Reserves raw bytes unless the size is too large or a budget or the operating system refuses.</summary>
    /// <param name="size">Bytes, not negative. Zero consumes nothing.</param>
    /// <param name="alignment">A power of two from 1 to <see cref="MaxAlignment"/>.</param>
    /// <param name="result">A non-null aligned pointer; null on failure.</param>
    /// <returns>False when the size is over <see cref="MaxRequestSize"/> or a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative or the alignment is not a power of two up to <see cref="MaxAlignment"/>.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocRaw(nint size, nint alignment, out void* result)
    {
        CheckRawArguments(size, alignment);
        if (size == 0)
        {
            result = ZeroSizeAddress(alignment);
            return true;
        }

        if (size > MaxRequestSize)
        {
            ThrowIfUnusable();
            result = null;
            return false;
        }

        result = TryBump(size, alignment);
        return result != null;
    }

    /// <summary>Reserves zeroed bytes unless the size is too large or a budget or the operating system refuses.</summary>
    /// <inheritdoc cref="TryAllocRaw"/>
    public bool TryAllocZeroed(nint size, nint alignment, out void* result)
    {
        if (!TryAllocRaw(size, alignment, out result))
        {
            return false;
        }

        NativeMemory.Clear(result, (nuint)size);
        return true;
    }

    /// <summary>Reserves cache-line-aligned bytes unless the size is too large or a budget or the operating system refuses.</summary>
    /// <param name="size">Bytes, not negative.</param>
    /// <param name="result">A pointer aligned to 64 bytes; null on failure.</param>
    /// <returns>False when the size is over <see cref="MaxRequestSize"/> or a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocCacheAligned(nint size, out void* result) => TryAllocRaw(size, CacheLineSize, out result);


    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckRawArguments(nint size, nint alignment)
    {
        if (size < 0)
        {
            ThrowHelper.ThrowNegative(nameof(size), size);
        }

        if (!BitOperations.IsPow2(alignment) || alignment > MaxAlignment)
        {
            ThrowHelper.ThrowBadAlignment(nameof(alignment), alignment);
        }
    }

    private void* ZeroSizeAddress(nint alignment)
    {
        ThrowIfUnusable();

        // SAFETY (I2, I14): the address is never dereferenced for zero bytes. With no block yet the
        // cursor is null, and the alignment itself is a non-null address aligned as asked.
        return _cursor == null ? (void*)alignment : AlignedCursor(alignment);
    }
}
