using System.Runtime.CompilerServices;

namespace FastArena;

// The allocation members of a transaction, described once: each checks that the transaction is open
// (one compare for the innermost open transaction of an unchecked arena: the fast token, I11), then
// does exactly what the arena's member of the same name does; the allocation lands in the innermost
// open transaction. Each inherits the arena member's documentation and adds the one exception of its
// own from Transaction.Allocation.xml.
public readonly unsafe partial struct Transaction
{
    /// <inheritdoc cref="Arena.Alloc{T}(T)"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T Alloc<T>(T value)
        where T : unmanaged => ref Live.Alloc(value);

    /// <inheritdoc cref="Arena.AllocHandle{T}(T)"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public ArenaRef<T> AllocHandle<T>(T value)
        where T : unmanaged => Live.AllocHandle(value);

    /// <inheritdoc cref="Arena.TryAlloc{T}(T, out ArenaRef{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAlloc<T>(T value, out ArenaRef<T> result)
        where T : unmanaged => Live.TryAlloc(value, out result);

    /// <inheritdoc cref="Arena.AllocUninitialized{T}"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public ref T AllocUninitialized<T>()
        where T : unmanaged => ref Live.AllocUninitialized<T>();

    /// <inheritdoc cref="Arena.TryAllocUninitialized{T}(out ArenaRef{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocUninitialized<T>(out ArenaRef<T> result)
        where T : unmanaged => Live.TryAllocUninitialized(out result);

    /// <inheritdoc cref="Arena.AllocSlice{T}(ReadOnlySpan{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public Span<T> AllocSlice<T>(ReadOnlySpan<T> source)
        where T : unmanaged => Live.AllocSlice(source);

    /// <inheritdoc cref="Arena.AllocSlice{T}(int)"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public Span<T> AllocSlice<T>(int length)
        where T : unmanaged => Live.AllocSlice<T>(length);

    /// <inheritdoc cref="Arena.AllocSliceUninitialized{T}(int)"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public Span<T> AllocSliceUninitialized<T>(int length)
        where T : unmanaged => Live.AllocSliceUninitialized<T>(length);

    /// <inheritdoc cref="Arena.AllocSlice{T}(int, Func{int, T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public Span<T> AllocSlice<T>(int length, Func<int, T> generator)
        where T : unmanaged => Live.AllocSlice(length, generator);

    /// <inheritdoc cref="Arena.AllocSlice{T}(IEnumerable{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public Span<T> AllocSlice<T>(IEnumerable<T> items)
        where T : unmanaged => Live.AllocSlice(items);

    /// <inheritdoc cref="Arena.AllocSliceHandle{T}(ReadOnlySpan{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public ArenaSlice<T> AllocSliceHandle<T>(ReadOnlySpan<T> source)
        where T : unmanaged => Live.AllocSliceHandle(source);

    /// <inheritdoc cref="Arena.AllocSliceHandle{T}(int)"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public ArenaSlice<T> AllocSliceHandle<T>(int length)
        where T : unmanaged => Live.AllocSliceHandle<T>(length);

    /// <inheritdoc cref="Arena.TryAllocSlice{T}(ReadOnlySpan{T}, out Span{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocSlice<T>(ReadOnlySpan<T> source, out Span<T> result)
        where T : unmanaged => Live.TryAllocSlice(source, out result);

    /// <inheritdoc cref="Arena.TryAllocSliceHandle{T}(ReadOnlySpan{T}, out ArenaSlice{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocSliceHandle<T>(ReadOnlySpan<T> source, out ArenaSlice<T> result)
        where T : unmanaged => Live.TryAllocSliceHandle(source, out result);

    /// <inheritdoc cref="Arena.TryAllocSlice{T}(int, out Span{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocSlice<T>(int length, out Span<T> result)
        where T : unmanaged => Live.TryAllocSlice(length, out result);

    /// <inheritdoc cref="Arena.TryAllocSliceUninitialized{T}(int, out Span{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocSliceUninitialized<T>(int length, out Span<T> result)
        where T : unmanaged => Live.TryAllocSliceUninitialized(length, out result);

    /// <inheritdoc cref="Arena.TryAllocSlice{T}(int, Func{int, T}, out Span{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocSlice<T>(int length, Func<int, T> generator, out Span<T> result)
        where T : unmanaged => Live.TryAllocSlice(length, generator, out result);

    /// <inheritdoc cref="Arena.TryAllocSlice{T}(IEnumerable{T}, out Span{T})"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocSlice<T>(IEnumerable<T> items, out Span<T> result)
        where T : unmanaged => Live.TryAllocSlice(items, out result);

    /// <inheritdoc cref="Arena.AllocString"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public ReadOnlySpan<char> AllocString(ReadOnlySpan<char> text) => Live.AllocString(text);

    /// <inheritdoc cref="Arena.AllocStringHandle"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public ArenaSlice<char> AllocStringHandle(ReadOnlySpan<char> text) => Live.AllocStringHandle(text);

    /// <inheritdoc cref="Arena.TryAllocString"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocString(ReadOnlySpan<char> text, out ReadOnlySpan<char> result) => Live.TryAllocString(text, out result);

    /// <inheritdoc cref="Arena.AllocUtf8"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public ReadOnlySpan<byte> AllocUtf8(ReadOnlySpan<char> text) => Live.AllocUtf8(text);

    /// <inheritdoc cref="Arena.TryAllocUtf8"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocUtf8(ReadOnlySpan<char> text, out ReadOnlySpan<byte> result) => Live.TryAllocUtf8(text, out result);

    /// <inheritdoc cref="Arena.AllocRaw"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public void* AllocRaw(nint size, nint alignment) => Live.AllocRaw(size, alignment);

    /// <inheritdoc cref="Arena.AllocZeroed"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public void* AllocZeroed(nint size, nint alignment) => Live.AllocZeroed(size, alignment);

    /// <inheritdoc cref="Arena.AllocCacheAligned"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public void* AllocCacheAligned(nint size) => Live.AllocCacheAligned(size);

    /// <inheritdoc cref="Arena.TryAllocRaw"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocRaw(nint size, nint alignment, out void* result) => Live.TryAllocRaw(size, alignment, out result);

    /// <inheritdoc cref="Arena.TryAllocZeroed"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocZeroed(nint size, nint alignment, out void* result) => Live.TryAllocZeroed(size, alignment, out result);

    /// <inheritdoc cref="Arena.TryAllocCacheAligned"/>
    /// <include file="Transaction.Allocation.xml" path="doc/ended/*"/>
    public bool TryAllocCacheAligned(nint size, out void* result) => Live.TryAllocCacheAligned(size, out result);
}
