using System.Diagnostics;

namespace FastArena;

/// <summary>
/// An O(1) snapshot of an arena's position, taken by <see cref="Arena.GetCheckpoint"/> and handed to
/// <see cref="Arena.Rewind"/>. A small immutable value: copy it freely.
/// </summary>
/// <remarks>
/// A checkpoint is valid for the arena that made it until a rewind, reset or rollback goes below its
/// position; after that <see cref="Arena.Rewind"/> rejects it with an <see cref="ArgumentException"/>,
/// as it rejects a checkpoint of another arena and <c>default</c>. The arena remembers the last 1024
/// rewinds: a checkpoint made stale longer ago than that is either rejected or rewinds to the position
/// it names, which the arena still holds (see <see cref="Arena.Rewind"/>). A valid checkpoint is never
/// rejected.
/// </remarks>
[DebuggerDisplay("Checkpoint at {BytesAllocated} bytes (block {BlockIndex})")]
public readonly struct Checkpoint : IEquatable<Checkpoint>
{
    internal readonly int ArenaId;
    internal readonly int BlockIndex;
    internal readonly nint Offset;
    internal readonly long Position;
    internal readonly long Epoch;

    internal Checkpoint(int arenaId, int blockIndex, nint offset, long position, long epoch)
    {
        ArenaId = arenaId;
        BlockIndex = blockIndex;
        Offset = offset;
        Position = position;
        Epoch = epoch;
    }

    /// <summary>The arena's <see cref="ArenaStats.BytesAllocated"/> when the checkpoint was taken.</summary>
    public long BytesAllocated => Position;

    /// <inheritdoc/>
    public bool Equals(Checkpoint other) =>
        ArenaId == other.ArenaId && BlockIndex == other.BlockIndex && Offset == other.Offset
        && Position == other.Position && Epoch == other.Epoch;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Checkpoint other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ArenaId, BlockIndex, Offset, Position, Epoch);

    /// <summary>Whether two checkpoints are the same snapshot.</summary>
    public static bool operator ==(Checkpoint left, Checkpoint right) => left.Equals(right);

    /// <summary>Whether two checkpoints are different snapshots.</summary>
    public static bool operator !=(Checkpoint left, Checkpoint right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => $"Checkpoint(block {BlockIndex}, offset {Offset}, {Position} bytes)";
}
