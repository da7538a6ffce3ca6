namespace FastArena;

// Slices made by a struct generator: the same contract as AllocSlice(int, Func<int, T>) (element i is
// generator.Generate(i), in order; if it throws, the slice's bytes are given back and the exception
// propagates), but the generator is a type parameter constrained to a struct, so the JIT compiles one
// copy of the loop per generator type and inlines Generate into it.
public sealed unsafe partial class Arena
{
    /// <summary>Allocates <paramref name="length"/> elements, element <c>i</c> being <c>generator.Generate(i)</c>, in order.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <typeparam name="TGenerator">A struct generator; the JIT inlines its <see cref="ISliceGenerator{T}.Generate"/>.</typeparam>
    /// <param name="length">Number of elements, not negative.</param>
    /// <param name="generator">Makes the elements (passed by value: a copy runs). If it throws, the slice's bytes are given back and the exception propagates.</param>
    /// <returns>The filled slice.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or the slice is larger than <see cref="MaxRequestSize"/>.</exception>
    /// <exception cref="ArenaBudgetExceededException">An open transaction's budget would be exceeded.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused a new block.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Span<T> AllocSlice<T, TGenerator>(int length, TGenerator generator)
        where T : unmanaged
        where TGenerator : struct, ISliceGenerator<T>
    {
        Checkpoint before = GetCheckpoint();
        Span<T> span = AllocSliceUninitialized<T>(length);
        long end = BytesAllocated;
        try
        {
            // SAFETY (I3): the span was just allocated with `length` elements; the pointer loop skips the
            // span's bounds checks the JIT cannot always remove once Generate is inlined.
            fixed (T* p = span)
            {
                for (int i = 0; i < span.Length; i++)
                {
                    p[i] = generator.Generate(i);
                }
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
}
