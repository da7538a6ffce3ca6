using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace FastArena;

// The public allocation surface, part 2: slices and strings, with the contract written once at the top
// of Arena.Values.cs. Also the registration of allocated values for disposal tracking.
public sealed unsafe partial class Arena
{
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
            ThrowHelper.ThrowNegativeCount(count);
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
                    ThrowHelper.ThrowSequenceLonger(count);
                }

                span[written++] = item;
            }

            if (written != span.Length)
            {
                ThrowHelper.ThrowSequenceShorter(written, count);
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
        return MakeSlice(span);
    }

    /// <summary>Like <see cref="AllocSlice{T}(int)"/>, but returns a storable handle.</summary>
    /// <inheritdoc cref="AllocSlice{T}(int)"/>
    public ArenaSlice<T> AllocSliceHandle<T>(int length)
        where T : unmanaged
    {
        Span<T> span = AllocSlice<T>(length);
        return MakeSlice(span);
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
        result = ok ? MakeSlice(span) : default;
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
            GiveBack(before);

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

    private void Track<T>(T* p, int count, long end)
        where T : unmanaged
    {
        int entered = Enter();
        try
        {
            Debug.Assert(_disposals is not null && DisposeInfo<T>.IsDisposable);
            _disposals.Add((byte*)p, count, sizeof(T), end, DisposeInfo<T>.Dispose);
        }
        finally
        {
            Exit(entered);
        }
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
