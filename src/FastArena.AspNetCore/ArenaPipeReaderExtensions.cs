using System.Buffers;
using System.IO.Pipelines;

namespace FastArena.AspNetCore;

/// <summary>Reads a <see cref="PipeReader"/> (a request body) into arena memory under a byte cap and the arena's budgets.</summary>
public static class ArenaPipeReaderExtensions
{
    /// <summary>
    /// Reads <paramref name="reader"/> to its end into one contiguous run of arena bytes. A declared length over
    /// <paramref name="maxBytes"/> or the arena's open budgets is refused before anything is read; otherwise
    /// the first read that would pass the cap stops the reading (those bytes are not copied).
    /// </summary>
    /// <param name="arena">The arena that receives the bytes.</param>
    /// <param name="reader">The reader; what was read is consumed, the reader is not completed.</param>
    /// <param name="maxBytes">The most bytes accepted, from 0 to <see cref="int.MaxValue"/> (larger values mean <see cref="int.MaxValue"/>).</param>
    /// <param name="declaredLength">The length the body is known to have (Content-Length), if any.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The bytes, a handle sized exactly (the unused tail of the buffer goes back to the arena).</returns>
    /// <remarks>On every failure the bytes already copied are given back, so the arena is as it was.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="arena"/> or <paramref name="reader"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> or <paramref name="declaredLength"/> is negative.</exception>
    /// <exception cref="ArenaBudgetExceededException">The body is longer than <paramref name="maxBytes"/> or than an open budget allows; the arena is unchanged.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled, or the read was cancelled; the arena is unchanged.</exception>
    public static async ValueTask<ArenaSlice<byte>> ReadToEndAsync(
        this Arena arena, PipeReader reader, long maxBytes = int.MaxValue, long? declaredLength = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arena);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (declaredLength is long negative && negative < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(declaredLength), negative, "'declaredLength' must not be negative.");
        }

        long cap = Math.Min(maxBytes, int.MaxValue);
        if (declaredLength > cap)
        {
            throw new ArenaBudgetExceededException($"The body declares {declaredLength} bytes, more than the {cap} allowed; nothing was read.");
        }

        Checkpoint before = arena.GetCheckpoint();
        var writer = new ArenaBufferWriter<byte>(arena, declaredLength is > 0 ? (int)declaredLength.Value : 4096);
        try
        {
            if (declaredLength > 0)
            {
                // The budget refuses a declared length here, before anything is read.
                writer.GetSpan((int)declaredLength.Value);
            }

            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    if (result.IsCanceled)
                    {
                        throw new OperationCanceledException("The read of the body was cancelled.");
                    }

                    if (writer.WrittenCount + buffer.Length > cap)
                    {
                        throw new ArenaBudgetExceededException($"The body holds more than the {cap} bytes allowed; reading stopped there and the bytes read were given back.");
                    }

                    foreach (ReadOnlyMemory<byte> segment in buffer)
                    {
                        writer.Write(segment.Span);
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted)
                {
                    break;
                }
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
}
