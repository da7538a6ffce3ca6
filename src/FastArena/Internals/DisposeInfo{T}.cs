namespace FastArena;

/// <summary>What the arena knows, once per type, about disposing values of <typeparamref name="T"/>.</summary>
internal static unsafe class DisposeInfo<T>
    where T : unmanaged
{
    /// <summary>Whether <typeparamref name="T"/> implements <see cref="IDisposable"/>; a JIT-time constant.</summary>
    internal static readonly bool IsDisposable = typeof(IDisposable).IsAssignableFrom(typeof(T));

    /// <summary>Calls <c>Dispose()</c> on the <typeparamref name="T"/> at a pointer, without boxing.</summary>
    internal static readonly delegate*<void*, void> Dispose = IsDisposable ? Make() : null;

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage(
        "Trimming", "IL2060", Justification = "DisposeAt<T> is kept by the direct reference below.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage(
        "AOT", "IL3050", Justification = "T is a value type already instantiated by the caller.")]
    private static delegate*<void*, void> Make()
    {
        var method = typeof(DisposeThunk).GetMethod(nameof(DisposeThunk.DisposeAt))!.MakeGenericMethod(typeof(T));
        return (delegate*<void*, void>)method.MethodHandle.GetFunctionPointer();
    }
}

/// <summary>The generic target of <see cref="DisposeInfo{T}.Dispose"/>.</summary>
internal static unsafe class DisposeThunk
{
    /// <summary>Disposes the value at <paramref name="p"/> in place.</summary>
    public static void DisposeAt<T>(void* p)
        where T : unmanaged, IDisposable => ((T*)p)->Dispose();
}
