namespace FastArena;

/// <summary>
/// Settings of an <see cref="Arena"/>, fixed when the arena is created.
/// </summary>
/// <remarks>
/// Block sizes follow one rule: the first block has <see cref="InitialBlockSize"/> bytes; each
/// growth block after it doubles the previous growth size, starting at twice the first, up to
/// <see cref="MaxBlockSize"/>. A request larger than the next growth size gets a block of exactly its
/// own size, which does not advance the doubling. When a rewind, reset or <see cref="Arena.Trim"/> frees
/// retained blocks, the doubling restarts from the largest block kept, so the next growth block is one
/// the retention cap can keep.
/// </remarks>
public sealed class ArenaOptions
{
    /// <summary>The default size of the first block: 64 KiB.</summary>
    public const int DefaultInitialBlockSize = 64 * 1024;

    /// <summary>The default largest growth block: 16 MiB.</summary>
    public const long DefaultMaxBlockSize = 16L * 1024 * 1024;

    /// <summary>The default retention cap: 64 MiB.</summary>
    public const long DefaultMaxRetainedBytes = 64L * 1024 * 1024;

    /// <summary>Options with every default; the settings of <c>new Arena()</c>.</summary>
    public static ArenaOptions Default { get; } = new();

    /// <summary>Size in bytes of the first block, reserved when the arena is created. At least 1.</summary>
    public long InitialBlockSize { get; init; } = DefaultInitialBlockSize;

    /// <summary>The cap on the doubling of growth blocks, in bytes. At least 1.</summary>
    public long MaxBlockSize { get; init; } = DefaultMaxBlockSize;

    /// <summary>
    /// After a <see cref="Arena.Rewind"/> or <see cref="Arena.Reset"/>, blocks beyond the one in use are
    /// kept for reuse while the arena's <see cref="ArenaStats.BytesReserved"/> stays at or under this
    /// many bytes; blocks above it are freed, last first. The block in use is never freed.
    /// </summary>
    public long MaxRetainedBytes { get; init; } = DefaultMaxRetainedBytes;

    /// <summary>
    /// Checked mode: handles (<see cref="ArenaRef{T}"/>, <see cref="ArenaSlice{T}"/>) whose memory was
    /// given back throw on access, given-back memory is filled with <see cref="Arena.PoisonByte"/>, and use
    /// from a thread other than the creator throws. On by default in Debug builds of FastArena, off in
    /// Release builds. Off, it costs nothing on the allocation fast path.
    /// </summary>
    public bool CheckedMode { get; init; } = DefaultCheckedMode;

    /// <summary>
    /// Disposal tracking: values of a type <c>T : unmanaged, IDisposable</c> get <c>Dispose()</c>, once,
    /// in reverse address order, when a rewind, reset, rollback or the arena's own disposal gives their
    /// memory back. Off by default; off, it costs nothing.
    /// </summary>
    public bool TrackDisposal { get; init; }

#if DEBUG
    private const bool DefaultCheckedMode = true;
#else
    private const bool DefaultCheckedMode = false;
#endif

    internal void Validate()
    {
        if (InitialBlockSize < 1 || InitialBlockSize > Arena.MaxRequestSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(InitialBlockSize), InitialBlockSize, "The first block must hold between 1 byte and Arena.MaxRequestSize.");
        }

        if (MaxBlockSize < 1 || MaxBlockSize > Arena.MaxRequestSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxBlockSize), MaxBlockSize, "The growth cap must be between 1 byte and Arena.MaxRequestSize.");
        }

        if (MaxRetainedBytes < 0)
        {
            ThrowHelper.ThrowNegative(nameof(MaxRetainedBytes), MaxRetainedBytes);
        }
    }
}
