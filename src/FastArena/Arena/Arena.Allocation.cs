using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace FastArena;

// The public allocation surface. Every method validates its arguments, then calls Bump (throwing) or
// TryBump (returning null) from Arena.cs. Contract shared by all of them:
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
        return MakeRef((T*)Unsafe.AsPointer(ref r), Position);
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

        result = MakeRef(p, Position);
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
        result = p == null ? default : MakeRef(p, Position);
        return p != null;
    }

    // ---------------------------------------------------------------------------------------------
    // Slices.
    // ---------------------------------------------------------------------------------------------

    /// <summary>Copies <paramref name="source"/> into the arena with one block copy.</summary>
    /// <param name="source">The elements to copy.</param>
    /// <returns>The arena copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The slice is larger than <see cref="MaxRequestSize"/>.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Span<T> AllocSlice<T>(ReadOnlySpan<T> source)
        where T : unmanaged
    {
        Span<T> span = AllocSliceUninitialized<T>(source.Length);
        source.CopyTo(span);
        TrackSpan(span, Position);
        return span;
    }

    /// <summary>Allocates <paramref name="length"/> zeroed elements.</summary>
    /// <param name="length">Number of elements, not negative.</param>
    /// <returns>The zeroed slice. With disposal tracking on, its elements are disposed when their memory is given back.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or the slice is larger than <see cref="MaxRequestSize"/>.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Span<T> AllocSlice<T>(int length)
        where T : unmanaged
    {
        Span<T> span = AllocSliceUninitialized<T>(length);
        span.Clear();

        // Zeroed values are values: the caller fills them in, and disposal tracking disposes them.
        TrackSpan(span, Position);
        return span;
    }

    /// <summary>Allocates <paramref name="length"/> elements without initialising them (in checked mode they may hold poison).</summary>
    /// <param name="length">Number of elements, not negative.</param>
    /// <returns>The uninitialised slice. Disposal tracking ignores it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or the slice is larger than <see cref="MaxRequestSize"/>.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Span<T> AllocSliceUninitialized<T>(int length)
        where T : unmanaged
    {
        nint size = SliceSize<T>(length);
        if (size == 0)
        {
            ThrowIfUnusable();
            return default;
        }

        if (size > MaxRequestSize)
        {
            ThrowHelper.ThrowTooLarge(nameof(length), size);
        }

        return new Span<T>(Bump(size, AlignOf<T>()), length);
    }

    /// <summary>Allocates <paramref name="length"/> elements, element <c>i</c> being <c>generator(i)</c>, in order.</summary>
    /// <param name="length">Number of elements, not negative.</param>
    /// <param name="generator">Makes element <c>i</c>. If it throws, the slice's bytes are given back and the exception propagates.</param>
    /// <returns>The filled slice.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or the slice is larger than <see cref="MaxRequestSize"/>.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Span<T> AllocSlice<T>(int length, Func<int, T> generator)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(generator);
        Checkpoint before = GetCheckpoint();
        Span<T> span = AllocSliceUninitialized<T>(length);
        Generate(span, generator, before);
        return span;
    }

    /// <summary>
    /// Copies a sequence into the arena: in one pass straight into place when its count is known
    /// without enumerating (a collection), otherwise by growing an <see cref="ArenaList{T}"/>.
    /// </summary>
    /// <param name="items">The elements.</param>
    /// <returns>The arena copy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// The collection yielded fewer or more items than its <c>Count</c> promised. The bytes are given back.
    /// </exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Span<T> AllocSlice<T>(IEnumerable<T> items)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!System.Linq.Enumerable.TryGetNonEnumeratedCount(items, out int count))
        {
            Checkpoint start = GetCheckpoint();
            var list = new ArenaList<T>(this);
            try
            {
                list.AddRange(items);
                return list.Finish();
            }
            catch
            {
                // Every buffer the growing list left behind goes back, not only the newest: rewind to
                // where the request started. As on the known-count path, the arena never owned these
                // copies (the list was not finished), so nothing is disposed.
                GiveBack(start);
                throw;
            }
        }

        if (count < 0)
        {
            ThrowHelper.ThrowInvalidOperation($"The collection reported a negative Count ({count}).");
        }

        Checkpoint before = GetCheckpoint();
        Span<T> span = AllocSliceUninitialized<T>(count);
        long end = Position;
        int written = 0;
        try
        {
            foreach (T item in items)
            {
                if (written == span.Length)
                {
                    ThrowHelper.ThrowInvalidOperation($"The sequence yielded more than the {count} items its Count promised.");
                }

                span[written++] = item;
            }

            if (written != span.Length)
            {
                ThrowHelper.ThrowInvalidOperation($"The sequence yielded {written} items but its Count promised {count}.");
            }
        }
        catch
        {
            GiveBack(before);
            throw;
        }

        TrackSpan(span, end);
        return span;
    }

    /// <summary>Like <see cref="AllocSlice{T}(ReadOnlySpan{T})"/>, but returns a storable handle.</summary>
    /// <inheritdoc cref="AllocSlice{T}(ReadOnlySpan{T})"/>
    public ArenaSlice<T> AllocSliceHandle<T>(ReadOnlySpan<T> source)
        where T : unmanaged
    {
        Span<T> span = AllocSlice(source);
        return MakeSlice(span, Position);
    }

    /// <summary>Like <see cref="AllocSlice{T}(int)"/>, but returns a storable handle.</summary>
    /// <inheritdoc cref="AllocSlice{T}(int)"/>
    public ArenaSlice<T> AllocSliceHandle<T>(int length)
        where T : unmanaged
    {
        Span<T> span = AllocSlice<T>(length);
        return MakeSlice(span, Position);
    }

    /// <summary>Copies <paramref name="source"/> into the arena unless a budget or the operating system refuses.</summary>
    /// <param name="source">The elements to copy.</param>
    /// <param name="result">The arena copy; empty on failure.</param>
    /// <returns>False when the slice is too large or a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocSlice<T>(ReadOnlySpan<T> source, out Span<T> result)
        where T : unmanaged
    {
        if (!TryAllocSliceUninitialized(source.Length, out result))
        {
            return false;
        }

        source.CopyTo(result);
        TrackSpan(result, Position);
        return true;
    }

    /// <summary>Like <see cref="TryAllocSlice{T}(ReadOnlySpan{T}, out Span{T})"/>, but hands out a storable handle.</summary>
    /// <param name="source">The elements to copy.</param>
    /// <param name="result">A handle to the arena copy; default on failure.</param>
    /// <returns>False when the slice is too large or a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocSliceHandle<T>(ReadOnlySpan<T> source, out ArenaSlice<T> result)
        where T : unmanaged
    {
        bool ok = TryAllocSlice(source, out Span<T> span);
        result = ok ? MakeSlice(span, Position) : default;
        return ok;
    }

    /// <summary>Allocates <paramref name="length"/> zeroed elements unless a budget or the operating system refuses.</summary>
    /// <param name="length">Number of elements, not negative.</param>
    /// <param name="result">The zeroed slice; empty on failure.</param>
    /// <returns>False when the slice is too large or a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocSlice<T>(int length, out Span<T> result)
        where T : unmanaged
    {
        if (!TryAllocSliceUninitialized(length, out result))
        {
            return false;
        }

        result.Clear();
        TrackSpan(result, Position);
        return true;
    }

    /// <summary>Allocates <paramref name="length"/> uninitialised elements unless a budget or the operating system refuses.</summary>
    /// <param name="length">Number of elements, not negative.</param>
    /// <param name="result">The slice; empty on failure.</param>
    /// <returns>False when the slice is too large or a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocSliceUninitialized<T>(int length, out Span<T> result)
        where T : unmanaged
    {
        result = default;
        nint size = SliceSize<T>(length);
        if (size == 0)
        {
            ThrowIfUnusable();
            return true;
        }

        if (size > MaxRequestSize)
        {
            ThrowIfUnusable();
            return false;
        }

        byte* p = TryBump(size, AlignOf<T>());
        if (p == null)
        {
            return false;
        }

        result = new Span<T>(p, length);
        return true;
    }

    /// <summary>Allocates <paramref name="length"/> generated elements unless a budget or the operating system refuses.</summary>
    /// <param name="length">Number of elements, not negative.</param>
    /// <param name="generator">Makes element <c>i</c>. If it throws, the bytes are given back and the exception propagates.</param>
    /// <param name="result">The filled slice; empty on failure.</param>
    /// <returns>False when the slice is too large or a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocSlice<T>(int length, Func<int, T> generator, out Span<T> result)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(generator);
        Checkpoint before = GetCheckpoint();
        if (!TryAllocSliceUninitialized(length, out result))
        {
            return false;
        }

        Generate(result, generator, before);
        return true;
    }

    /// <summary>Copies a sequence into the arena unless a budget or the operating system refuses.</summary>
    /// <param name="items">The elements.</param>
    /// <param name="result">The arena copy; empty on failure.</param>
    /// <returns>False when a budget or the operating system refused; the bytes are then given back.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The collection yielded fewer or more items than its <c>Count</c> promised.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocSlice<T>(IEnumerable<T> items, out Span<T> result)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(items);
        Checkpoint before = GetCheckpoint();
        try
        {
            result = AllocSlice(items);
            return true;
        }
        catch (Exception e) when (e is ArenaBudgetExceededException or OutOfMemoryException)
        {
            if (Position != before.Position)
            {
                GiveBack(before);
            }

            result = default;
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Strings.
    // ---------------------------------------------------------------------------------------------

    /// <summary>Copies UTF-16 text into the arena.</summary>
    /// <param name="text">The characters to copy.</param>
    /// <returns>The arena copy.</returns>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public ReadOnlySpan<char> AllocString(ReadOnlySpan<char> text) => AllocSlice(text);

    /// <summary>Like <see cref="AllocString"/>, but returns a storable handle.</summary>
    /// <inheritdoc cref="AllocString"/>
    public ArenaSlice<char> AllocStringHandle(ReadOnlySpan<char> text) => AllocSliceHandle(text);

    /// <summary>Copies UTF-16 text into the arena unless a budget or the operating system refuses.</summary>
    /// <param name="text">The characters to copy.</param>
    /// <param name="result">The arena copy; empty on failure.</param>
    /// <returns>False when a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocString(ReadOnlySpan<char> text, out ReadOnlySpan<char> result)
    {
        bool ok = TryAllocSlice(text, out Span<char> span);
        result = span;
        return ok;
    }

    /// <summary>Transcodes UTF-16 text to UTF-8 straight into the arena (ill-formed surrogates become U+FFFD).</summary>
    /// <param name="text">The characters to encode.</param>
    /// <returns>The UTF-8 bytes.</returns>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public ReadOnlySpan<byte> AllocUtf8(ReadOnlySpan<char> text)
    {
        Span<byte> bytes = AllocSliceUninitialized<byte>(Encoding.UTF8.GetByteCount(text));
        int written = Encoding.UTF8.GetBytes(text, bytes);
        Debug.Assert(written == bytes.Length);
        return bytes;
    }

    /// <summary>Transcodes UTF-16 text to UTF-8 into the arena unless a budget or the operating system refuses.</summary>
    /// <param name="text">The characters to encode.</param>
    /// <param name="result">The UTF-8 bytes; empty on failure.</param>
    /// <returns>False when a budget or the operating system refused; the arena is then unchanged.</returns>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public bool TryAllocUtf8(ReadOnlySpan<char> text, out ReadOnlySpan<byte> result)
    {
        if (!TryAllocSliceUninitialized(Encoding.UTF8.GetByteCount(text), out Span<byte> bytes))
        {
            result = default;
            return false;
        }

        Encoding.UTF8.GetBytes(text, bytes);
        result = bytes;
        return true;
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

    // ---------------------------------------------------------------------------------------------
    // Helpers.
    // ---------------------------------------------------------------------------------------------

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint SliceSize<T>(int length)
        where T : unmanaged
    {
        if (length < 0)
        {
            ThrowHelper.ThrowNegative(nameof(length), length);
        }

        // Cannot overflow: both factors are below 2^31.
        return (nint)length * sizeof(T);
    }

    private void* ZeroSizeAddress(nint alignment)
    {
        ThrowIfUnusable();

        // SAFETY (I2): the address is never dereferenced for zero bytes.
        return AlignedCursor(alignment);
    }

    /// <summary>
    /// Fills a slice just allocated (ending at the current position) with <c>generator(i)</c> and tracks it;
    /// if the generator throws, gives the bytes back to <paramref name="before"/> and rethrows.
    /// </summary>
    private void Generate<T>(Span<T> span, Func<int, T> generator, in Checkpoint before)
        where T : unmanaged
    {
        long end = Position;
        try
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = generator(i);
            }
        }
        catch
        {
            GiveBack(before);
            throw;
        }

        TrackSpan(span, end);
    }

    /// <summary>
    /// The one give-back: undoes a failed request or an abandoned buffer by rewinding to
    /// <paramref name="before"/>, when anything was taken since, the checkpoint is still rewindable (I7, I8)
    /// and it does not lie before the innermost open transaction's start. Otherwise does nothing.
    /// </summary>
    internal void GiveBack(in Checkpoint before)
    {
        if (!_disposed && before.Position < Position && before.Position >= InnermostStart && IsRewindable(before))
        {
            RewindTo(before);
        }
    }

    // Handles and disposal entries remember the arena position where their memory ends. Every caller
    // computes it as BytesAllocated right after its own bump, before anything else can allocate.

    internal ArenaRef<T> MakeRef<T>(T* p, long end)
        where T : unmanaged =>
        _checked ? new ArenaRef<T>(p, _registrySlot, _registryGeneration, _rewinds.Epoch, end) : new ArenaRef<T>(p);

    internal ArenaSlice<T> MakeSlice<T>(Span<T> span, long end)
        where T : unmanaged
    {
        T* p = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
        return _checked && span.Length > 0
            ? new ArenaSlice<T>(p, span.Length, _registrySlot, _registryGeneration, _rewinds.Epoch, end)
            : new ArenaSlice<T>(p, span.Length);
    }

    private void Track<T>(T* p, int count, long end)
        where T : unmanaged
    {
        Debug.Assert(_disposals is not null && DisposeInfo<T>.IsDisposable);
        _disposals.Add((byte*)p, count, sizeof(T), end, DisposeInfo<T>.Dispose);
    }

    /// <summary>Registers the elements of <paramref name="span"/>, whose memory ends at position <paramref name="end"/>, for disposal.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TrackSpan<T>(Span<T> span, long end)
        where T : unmanaged
    {
        if (DisposeInfo<T>.IsDisposable && _disposals is not null && span.Length > 0)
        {
            Track((T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)), span.Length, end);
        }
    }
}
