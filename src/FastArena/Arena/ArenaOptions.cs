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

    /// <summary>Size in bytes of the first block, reserved by the arena's first allocation that needs bytes (construction reserves nothing). At least 1.</summary>
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
    /// given back throw on access, given-back memory is filled with <see cref="Arena.PoisonByte"/>, and
    /// two threads using one arena at the same time throw <see cref="InvalidOperationException"/> (one
    /// thread after another is fine: an arena may follow a request across an <c>await</c>). Off, it costs
    /// nothing on the allocation fast path.
    /// </summary>
    /// <remarks>
    /// Setting this property decides for one arena. Left unset, it takes the process-wide default,
    /// read once, when the first <see cref="ArenaOptions"/> is created: the environment variable
    /// <c>FASTARENA_CHECKED</c> (<c>1</c> or <c>true</c> turns checked mode on, <c>0</c> or <c>false</c>
    /// off), else the <see cref="AppContext"/> switch <c>FastArena.CheckedMode</c> (for example
    /// <c>&lt;RuntimeHostConfigurationOption Include="FastArena.CheckedMode" Value="true" /&gt;</c> in a
    /// project file, or <c>AppContext.SetSwitch</c> before the first arena), else on in Debug builds of
    /// FastArena and off in Release builds (the package). The environment variable wins over the switch,
    /// as the runtime's own <c>DOTNET_</c> variables win over its configuration file.
    /// </remarks>
    public bool CheckedMode { get; init; } = DefaultCheckedMode;

    /// <summary>
    /// Disposal tracking: values of a type <c>T : unmanaged, IDisposable</c> get <c>Dispose()</c>, once,
    /// in reverse address order, when a rewind, reset, rollback or the arena's own disposal gives their
    /// memory back. Off by default; off, it costs nothing.
    /// </summary>
    public bool TrackDisposal { get; init; }

    /// <summary>The name of the <see cref="AppContext"/> switch that turns checked mode on by default.</summary>
    public const string CheckedModeSwitch = "FastArena.CheckedMode";

    /// <summary>The name of the environment variable that turns checked mode on (<c>1</c>) or off (<c>0</c>) by default.</summary>
    public const string CheckedModeVariable = "FASTARENA_CHECKED";

    /// <summary>Checked mode for arenas whose options leave it unset; see <see cref="CheckedMode"/>. Read once.</summary>
    public static bool DefaultCheckedMode => Defaults.CheckedMode;

    // A holder, so the default is read on first use and not in textual order with Default above.
    private static class Defaults
    {
        internal static readonly bool CheckedMode = ReadDefaultCheckedMode();
    }

    private static bool ReadDefaultCheckedMode()
    {
        switch (Environment.GetEnvironmentVariable(CheckedModeVariable)?.Trim().ToLowerInvariant())
        {
            case "1" or "true":
                return true;
            case "0" or "false":
                return false;
        }

        if (AppContext.TryGetSwitch(CheckedModeSwitch, out bool enabled))
        {
            return enabled;
        }

#if DEBUG
        return true;
#else
        return false;
#endif
    }

    internal void Validate()
    {
        if (InitialBlockSize < 1 || InitialBlockSize > Arena.MaxRequestSize)
        {
            ThrowHelper.ThrowBlockSizeOutOfRange(nameof(InitialBlockSize), InitialBlockSize, ThrowHelper.Messages.InitialBlockSize);
        }

        if (MaxBlockSize < 1 || MaxBlockSize > Arena.MaxRequestSize)
        {
            ThrowHelper.ThrowBlockSizeOutOfRange(nameof(MaxBlockSize), MaxBlockSize, ThrowHelper.Messages.MaxBlockSize);
        }

        if (MaxRetainedBytes < 0)
        {
            ThrowHelper.ThrowNegative(nameof(MaxRetainedBytes), MaxRetainedBytes);
        }
    }
}
