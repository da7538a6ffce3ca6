namespace FastArena;

/// <summary>Settings of an <see cref="ArenaPool"/>, fixed when the pool is created.</summary>
public sealed class ArenaPoolOptions
{
    /// <summary>The default retention cap of a pooled arena: 1 MiB.</summary>
    public const long DefaultMaxRetainedBytesPerArena = 1024 * 1024;

    /// <summary>The default delay after which an idle pooled arena is freed on a gen2 collection: 30 seconds.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The options every pooled arena is created with. Their <see cref="ArenaOptions.MaxRetainedBytes"/> is the
    /// retention cap a returned arena is trimmed to. Default: 64 KiB first block, 1 MiB retained, checked
    /// mode as in <see cref="ArenaOptions.Default"/>.
    /// </summary>
    public ArenaOptions ArenaOptions { get; init; } = new() { MaxRetainedBytes = DefaultMaxRetainedBytesPerArena };

    /// <summary>
    /// The most idle arenas the pool's shared (per-core) stacks keep; a return beyond it disposes the arena.
    /// Each thread also keeps at most one arena in its own slot, outside this count, which gen2 trimming
    /// frees once it has been idle for <see cref="IdleTimeout"/>. At least 0; default 4 per processor.
    /// </summary>
    public int MaxPooledArenas { get; init; } = 4 * Environment.ProcessorCount;

    /// <summary>
    /// On a gen2 garbage collection, pooled arenas idle for longer than this are disposed; under high memory
    /// pressure (90% of the GC's high-memory-load threshold) every idle arena is. <see cref="TimeSpan.Zero"/>
    /// frees every idle arena on every gen2 collection. Default: <see cref="DefaultIdleTimeout"/>.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ArenaOptions, nameof(ArenaOptions));
        ArenaOptions.Validate();
        if (MaxPooledArenas < 0)
        {
            ThrowHelper.ThrowNegative(nameof(MaxPooledArenas), MaxPooledArenas);
        }

        if (IdleTimeout < TimeSpan.Zero)
        {
            ThrowHelper.ThrowNegative(nameof(IdleTimeout), IdleTimeout.Ticks);
        }
    }
}
