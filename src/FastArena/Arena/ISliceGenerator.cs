namespace FastArena;

/// <summary>
/// Makes the elements of a slice, for <see cref="Arena.AllocSlice{T, TGenerator}(int, TGenerator)"/>. Implement it
/// on a <c>struct</c>: the JIT then specialises the allocation for it and inlines <see cref="Generate"/>, which
/// a <see cref="Func{T, TResult}"/> delegate never allows.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <example>
/// <code>
/// struct Squares : ISliceGenerator&lt;int&gt; { public int Generate(int index) =&gt; index * index; }
/// Span&lt;int&gt; squares = arena.AllocSlice&lt;int, Squares&gt;(100, default);
/// </code>
/// </example>
public interface ISliceGenerator<T>
    where T : unmanaged
{
    /// <summary>Makes element <paramref name="index"/>; called once per element, in order from 0.</summary>
    /// <param name="index">The element's index.</param>
    /// <returns>The element.</returns>
    T Generate(int index);
}
