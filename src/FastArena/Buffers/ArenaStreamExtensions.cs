namespace FastArena;

/// <summary>Reads a whole stream (a request body, a file) into arena memory, under a byte cap and the arena's budgets.</summary>
public static class ArenaStreamExtensions
{
    /// <summary>The most a single read asks of the stream when nothing says how long it is: 16 KiB.</summary>
    private const int ChunkSize = 16 * 1024;

    /// <summary>
    /// Reads <paramref name="stream"/> to its end into one contiguous run of arena bytes. A stream longer
    /// than <paramref name="maxBytes"/>, or than the arena's open budgets allow, is refused as early as can
    /// be known: before anything is read when its length is known (<paramref name="declaredLength"/>, or a
    /// seekable stream's remaining length), otherwise as soon as one byte past the cap arrives.
    /// </summary>
    /// <param name="arena">The arena that receives the bytes.</param>
    /// <param name="stream">The stream, read from its current position.</param>
    /// <param name="maxBytes">The most bytes accepted, from 0 to <see cref="int.MaxValue"/> (larger values mean <see cref="int.MaxValue"/>).</param>
    /// <param name="declaredLength">The length the stream is known to have (an HTTP Content-Length), if any.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The bytes read, a handle sized exactly (the unused tail of the buffer goes back to the arena).</returns>
    /// <remarks>
    /// On every failure (the cap, a budget, an I/O error, cancellation) the bytes already read are given back,
    /// so the arena is as it was. Reading may continue on another thread after an <c>await</c>, which checked mode
    /// allows: it reports only two threads inside the arena at once. Do not use the arena elsewhere until the read completes.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="arena"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> or <paramref name="declaredLength"/> is negative.</exception>
    /// <exception cref="ArenaBudgetExceededException">
    /// The stream is longer than <paramref name="maxBytes"/> or than an open budget allows; the arena is unchanged.
    /// </exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the arena is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public static async ValueTask<ArenaSlice<byte>> ReadToEndAsync(
        this Arena arena, Stream stream, long maxBytes = int.MaxValue, long? declaredLength = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arena);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (declaredLength is < 0)
        {
            ThrowHelper.ThrowNegative(nameof(declaredLength), declaredLength.Value);
        }

        long cap = Math.Min(maxBytes, int.MaxValue);
        long? known = declaredLength ?? (stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null);
        if (known > cap)
        {
            BufferThrowHelper.ThrowOverCap(known.Value, cap, declared: true);
        }

        Checkpoint before = arena.GetCheckpoint();
        var writer = new ArenaBufferWriter<byte>(arena, known is > 0 ? (int)known.Value : ChunkSize);
        try
        {
            if (known > 0)
            {
                // The budget refuses a known length here, before anything is read.
                writer.GetSpan((int)known.Value);
            }

            while (true)
            {
                long allowed = cap - writer.WrittenCount;
                if (allowed == 0)
                {
                    if (await HasMoreAsync(stream, cancellationToken).ConfigureAwait(false))
                    {
                        BufferThrowHelper.ThrowOverCap(cap + 1, cap, declared: false);
                    }

                    break;
                }

                Memory<byte> memory;
                if (writer.FreeCapacity > 0)
                {
                    memory = writer.GetMemory();
                }
                else
                {
                    int hint = (int)Math.Clamp(Math.Min(Math.Min(allowed, ChunkSize), arena.BudgetLeft), 1, ChunkSize);
                    bool refused = false;
                    try
                    {
                        memory = writer.GetMemory(hint);
                    }
                    catch (ArenaBudgetExceededException)
                    {
                        refused = true;
                        memory = default;
                    }

                    if (refused)
                    {
                        if (await HasMoreAsync(stream, cancellationToken).ConfigureAwait(false))
                        {
                            // Rethrown by the writer with the refused numbers; the catch below gives the bytes back.
                            writer.GetMemory(hint);
                        }

                        // The budget is spent exactly where the stream ends: everything fitted.
                        break;
                    }
                }

                if (memory.Length > allowed)
                {
                    memory = memory[..(int)allowed];
                }

                int read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
            }

            return writer.ToSlice();
        }
        catch
        {
            if (!arena.IsDisposed)
            {
                arena.Rewind(before);
            }

            throw;
        }
    }

    /// <summary>Reads one byte to learn whether the stream goes on (the byte is discarded: the caller refuses or stops).</summary>
    private static async ValueTask<bool> HasMoreAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] probe = new byte[1];
        return await stream.ReadAsync(probe, cancellationToken).ConfigureAwait(false) > 0;
    }
}
