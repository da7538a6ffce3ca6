using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastArena;

/// <summary>
/// A bump-pointer arena: allocation in native memory that costs a pointer bump and is given back in
/// bulk, by <see cref="Rewind"/> to a <see cref="Checkpoint"/>, by <see cref="Reset"/>, by rolling
/// back a <see cref="Transaction"/>, or by <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// <para>
/// An arena is <b>not thread-safe</b>: use one per thread (or per request), or guard it yourself.
/// In <see cref="ArenaOptions.CheckedMode"/> use from another thread throws.
/// </para>
/// <para>
/// Memory handed out is valid until a rewind, reset or rollback goes below it, or the arena is
/// disposed. Touching it after that through a <c>ref</c>, <see cref="Span{T}"/> or pointer is
/// undefined behaviour; through an <see cref="ArenaRef{T}"/> or <see cref="ArenaSlice{T}"/> in
/// checked mode it throws <see cref="InvalidOperationException"/>.
/// </para>
/// </remarks>
// How it works.
//
// Memory comes in blocks from NativeBlock (page-aligned native memory). The blocks form a list; the
// block at index _current is being filled and every block before it is full (its unused tail is
// wasted). Allocating aligns _cursor up, adds the size, and compares against _limit: that is the whole
// fast path. Anything else (the block is full, a budget is hit, checked mode, the arena is disposed)
// goes to one out-of-line slow path. Blocks after _current were given back by a rewind and are reused
// before any new block is asked for. Positions are measured in "bytes allocated": a checkpoint remembers
// (block index, offset, bytes allocated), and a rewind puts the cursor back there in O(1).
//
// Invariants:
//  I1. 0 <= _current < _blockCount; _blocks[0.._blockCount) are live native blocks, each aligned to
//      NativeBlock.Alignment; _blockStart/_blockEnd are _blocks[_current]'s bounds.
//  I2. _blockStart <= _cursor <= _blockEnd.
//  I3. _limit is null (every allocation takes the slow path: checked mode or disposed) or
//      _cursor <= _limit <= _blockEnd and _limit - _cursor <= the tightest budget's remaining bytes.
//      So when the fast path finds `size <= _limit - aligned`, [aligned, aligned + size) lies inside
//      the current block and within every open budget.
//  I4. BytesAllocated (Position) == _finishedBytes + (_cursor - _blockStart), where _finishedBytes is the bytes
//      allocated in blocks [0, _current).
//  I5. _reservedBytes is the sum of the sizes of all blocks.
//  I6. _frames[0.._depth) are the open transactions, outermost first; their start positions rise;
//      _budgetEnd is the innermost frame's effective budget end (long.MaxValue when none).
//  I7. Every rewind of the cursor to a lower position is recorded in _rewinds, so stale checkpoints
//      and handles are recognised.
//  I8. The rewind log keeps the newest RewindLog.Window entries (RewindLog.cs): a live answer for
//      something made before the oldest dropped entry is only "unproven", and the arena trusts it after a
//      structural check: the checkpoint's (block, offset, position) or the handle's (address, end) must
//      name a position inside the used part of a block at or below _current (IsConsistent). So a stale
//      checkpoint older than the window is rejected or rewinds to a position the blocks still hold.
//  I9. _blocks[i].StartPosition, for i <= _current, is the position where block i starts: 0 for block 0,
//      and StartPosition(i) + bytes used in block i for block i + 1.
//  I10. While an ArenaScope is open (_scopeToken != 0) the scope owns the cursor: _cursor is where the
//       scope opened or last handed it back, _limit is null, and ThrowIfUnusable throws, so no other
//       operation can move the cursor. The scope's own cursor and limit obey I2 and I3, so its block
//       (the current one) stays allocated until the scope ends, even if the arena is disposed meanwhile.
public sealed unsafe partial class Arena : IDisposable
{
    /// <summary>The size of a cache line assumed by <see cref="AllocCacheAligned"/>: 64 bytes.</summary>
    public const int CacheLineSize = 64;

    /// <summary>The largest alignment any allocation may ask for: 4096 bytes (a page).</summary>
    public const int MaxAlignment = NativeBlock.Alignment;

    /// <summary>The largest single request, in bytes: 1 TiB. Larger requests are rejected before any arithmetic can wrap.</summary>
    public const long MaxRequestSize = 1L << 40;

    /// <summary>The byte that checked mode writes over memory a rewind, reset or rollback gives back.</summary>
    public const byte PoisonByte = 0xDB;

    private static int s_nextId;

    private struct Block
    {
        public byte* Start;
        public nint Size;

        // I9: the position of the block's first byte (meaningful for blocks 0.._current only).
        public long StartPosition;
    }

    // Hot fields first: the fast path reads _cursor and _limit only.
    private byte* _cursor;
    private byte* _limit;
    private byte* _blockStart;
    private byte* _blockEnd;
    private long _finishedBytes;
    private long _budgetEnd = long.MaxValue;
    private int _current;

    private Block[] _blocks;
    private int _blockCount;
    private long _reservedBytes;
    private long _nextBlockSize;
    private long _blocksCreated;

    private readonly long _maxBlockSize;
    private readonly long _maxRetainedBytes;
    private readonly bool _checked;
    private readonly int _ownerThread;
    private readonly int _id;
    private readonly RewindLog _rewinds = new();
    private readonly int _registrySlot;
    private readonly int _registryGeneration;
    private readonly DisposalLog? _disposals;
    private bool _disposed;

    /// <summary>Creates an arena with a 64 KiB first block and default <see cref="ArenaOptions"/>.</summary>
    /// <exception cref="OutOfMemoryException">The operating system refused the first block.</exception>
    public Arena()
        : this(ArenaOptions.Default)
    {
    }

    /// <summary>Creates an arena whose first block holds <paramref name="initialCapacity"/> bytes.</summary>
    /// <param name="initialCapacity">Size of the first block in bytes, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCapacity"/> is below 1.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused the first block.</exception>
    public Arena(long initialCapacity)
        : this(new ArenaOptions { InitialBlockSize = initialCapacity })
    {
    }

    /// <summary>Creates an arena with the given options.</summary>
    /// <param name="options">Block sizes, retention, checked mode and disposal tracking.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="OutOfMemoryException">The operating system refused the first block.</exception>
    public Arena(ArenaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _maxBlockSize = options.MaxBlockSize;
        _maxRetainedBytes = options.MaxRetainedBytes;
        _checked = options.CheckedMode;
        _disposals = options.TrackDisposal ? new DisposalLog() : null;
        _ownerThread = Environment.CurrentManagedThreadId;
        _id = Interlocked.Increment(ref s_nextId);
        _nextBlockSize = Math.Min(options.InitialBlockSize * 2, _maxBlockSize);

        byte* first = NativeBlock.TryAllocate((nint)options.InitialBlockSize);
        if (first == null)
        {
            GC.SuppressFinalize(this);
            ThrowHelper.ThrowOutOfMemory(options.InitialBlockSize);
        }

        if (_checked)
        {
            _registrySlot = ArenaRegistry.Register(this, out _registryGeneration);
        }

        _blocks = new Block[4];
        _blocks[0] = new Block { Start = first, Size = (nint)options.InitialBlockSize };
        _blockCount = 1;
        _blocksCreated = 1;
        _reservedBytes = options.InitialBlockSize;
        EnterBlock(0);
        UpdateLimit();
    }

    /// <summary>Frees the native blocks of an arena that was never disposed, so a forgotten Dispose cannot leak forever.</summary>
    ~Arena()
    {
        FreeBlocks();
        Unregister();
    }

    /// <summary>Whether this arena runs in <see cref="ArenaOptions.CheckedMode"/>.</summary>
    public bool IsChecked => _checked;

    /// <summary>Whether this arena runs <c>Dispose()</c> on tracked values (<see cref="ArenaOptions.TrackDisposal"/>).</summary>
    public bool TracksDisposal => _disposals is not null;

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Bytes in use, as defined by <see cref="ArenaStats.BytesAllocated"/>. O(1).</summary>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public long BytesAllocated
    {
        get
        {
            ThrowIfUnusable();
            return Position;
        }
    }

    /// <summary>Number of blocks held, in use or retained. O(1).</summary>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public int BlockCount
    {
        get
        {
            ThrowIfUnusable();
            return _blockCount;
        }
    }

    /// <summary>The current position: bytes allocated (I4). Internal callers know the arena is alive.</summary>
    internal long Position => _finishedBytes + (_cursor - _blockStart);

    /// <summary>Whether the fast paths may run: false in checked mode and once disposed (I3). One load.</summary>
    internal bool HasFastPath
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _limit != null;
    }

    /// <summary>A snapshot of the arena's memory use. O(1).</summary>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public ArenaStats Stats
    {
        get
        {
            ThrowIfUnusable();
            return new ArenaStats(Position, _reservedBytes, _blockCount);
        }
    }

    /// <summary>Takes an O(1) snapshot of the current position for a later <see cref="Rewind"/>.</summary>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public Checkpoint GetCheckpoint()
    {
        // A non-null limit means unchecked, not disposed and no scope open (I3, I10): nothing to check.
        if (_limit == null)
        {
            ThrowIfUnusable();
        }

        return CurrentCheckpoint();
    }

    /// <summary>
    /// Gives back everything allocated since <paramref name="checkpoint"/> was taken: the cursor returns
    /// there in O(1) and blocks stay for reuse (up to <see cref="ArenaOptions.MaxRetainedBytes"/>).
    /// </summary>
    /// <param name="checkpoint">A checkpoint of this arena that no rewind has gone below since.</param>
    /// <remarks>
    /// Stale checkpoints are always detected when a rewind, reset or rollback went below them within the
    /// last 1024 rewinds; the arena keeps no more history than that, so its memory stays bounded. An older
    /// stale checkpoint is either rejected or names a position the arena still holds (its block is in use
    /// and the position lies in the block's used part): the rewind then goes there, and never into
    /// memory the arena gave back. A valid checkpoint is never rejected, however old.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The checkpoint is <c>default</c>, belongs to another arena, or is stale (a rewind, reset or rollback
    /// already went below it). The arena is unchanged.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The checkpoint lies before the start of an open transaction: end the transaction first. The
    /// arena is unchanged.
    /// </exception>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the rewind completed.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public void Rewind(Checkpoint checkpoint)
    {
        // The common case, a checkpoint of this arena taken since the last rewind (so, by I7, nothing went
        // below it: it is live and at or below the cursor), in the current block, with no transaction open
        // (so no budget: I6), on an unchecked arena that is usable (a non-null limit: I3, I10), tracks no
        // disposal and has nothing to trim: move the cursor, record the rewind, and the limit is the block's end.
        if (checkpoint.Epoch == _rewinds.Epoch && checkpoint.ArenaId == _id && _limit != null && _depth == 0
            && checkpoint.BlockIndex == _current && _disposals is null && _reservedBytes <= _maxRetainedBytes)
        {
            Debug.Assert(checkpoint.Position <= Position && _finishedBytes == checkpoint.Position - checkpoint.Offset);

            // SAFETY (I1, I2, I3): the target lies in the current block at or below the cursor; with no
            // transaction open the fast-path limit is the block's end.
            _cursor = _blockStart + checkpoint.Offset;
            _rewinds.Record(checkpoint.Position);
            _limit = _blockEnd;
            return;
        }

        RewindSlow(checkpoint);
    }

    // By value, not `in`: taking the checkpoint's address would keep the caller's copy on the stack.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RewindSlow(Checkpoint checkpoint)
    {
        ThrowIfUnusable();
        ValidateCheckpoint(checkpoint, nameof(checkpoint));
        if (_depth > 0 && checkpoint.Position < _frames[_depth - 1].Start.Position)
        {
            ThrowHelper.ThrowInvalidOperation(
                "The checkpoint lies before the start of an open transaction; commit or roll back the transaction first.");
        }

        RewindTo(checkpoint);
    }

    /// <summary>
    /// Gives back every allocation. Blocks stay for reuse (up to <see cref="ArenaOptions.MaxRetainedBytes"/>),
    /// so a warm arena makes no operating system calls. O(number of blocks).
    /// </summary>
    /// <exception cref="InvalidOperationException">A transaction is open; the arena is unchanged.</exception>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the reset completed.</exception>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public void Reset()
    {
        // The common case of a request loop: one block in use, nothing to dispose, poison or trim.
        // A non-null limit means unchecked and not disposed (I3).
        if (_current == 0 && _depth == 0 && _limit != null && _disposals is null && _reservedBytes <= _maxRetainedBytes)
        {
            Debug.Assert(_finishedBytes == 0 && _budgetEnd == long.MaxValue);

            // SAFETY (I1, I2, I3): block 0 is live; its start is a valid cursor, and with no transaction
            // open the fast-path limit is the block's end.
            _cursor = _blockStart;
            _limit = _blockEnd;
            _rewinds.RecordReset();
            return;
        }

        ResetSlow();
    }

    private void ResetSlow()
    {
        ThrowIfUnusable();
        if (_depth > 0)
        {
            ThrowHelper.ThrowInvalidOperation("Reset is not allowed while a transaction is open; end the transaction first.");
        }

        RewindTo(new Checkpoint(_id, 0, 0, 0, _rewinds.Epoch));
    }

    /// <summary>
    /// Frees every retained block after the one in use, whatever <see cref="ArenaOptions.MaxRetainedBytes"/> says.
    /// Call it after <see cref="Reset"/> to return an arena to its first block.
    /// </summary>
    /// <returns>The number of bytes returned to the operating system.</returns>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public long Trim()
    {
        ThrowIfUnusable();
        return TrimTo(0);
    }

    /// <summary>
    /// Frees every block. Tracked values are disposed first (highest address first). Afterwards every
    /// member throws <see cref="ObjectDisposedException"/> (<see cref="BytesAllocated"/>,
    /// <see cref="BlockCount"/> and <see cref="Stats"/> included), except <see cref="IsDisposed"/>,
    /// <see cref="IsChecked"/>, <see cref="TracksDisposal"/> and <see cref="ToString"/>; so does every
    /// <see cref="ArenaList{T}"/>, <see cref="Transaction"/> and checked-mode handle of the arena. A second
    /// Dispose does nothing.
    /// </summary>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the arena is disposed all the same.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        List<Exception>? errors = null;
        _disposals?.DisposeAbove(-1, ref errors);
        _disposed = true;
        _depth = 0;
        _fastToken = 0;
        Unregister();
        if (_scopeToken != 0)
        {
            // SAFETY (I10): an open scope may still bump inside the current block, so that block is freed
            // when the scope ends (or by the finalizer, if the scope never ends); the others go now.
            FreeBlocksExceptCurrent();
        }
        else
        {
            FreeBlocks();
            GC.SuppressFinalize(this);
        }

        if (errors is not null)
        {
            throw new AggregateException("Dispose() of tracked arena values threw.", errors);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        _disposed ? "Arena (disposed)" : $"Arena: {Position} of {_reservedBytes} bytes in {_blockCount} blocks, depth {_depth}";

    // ---------------------------------------------------------------------------------------------
    // The fast path and the slow path.
    // ---------------------------------------------------------------------------------------------

    /// <summary>Bumps the cursor for <paramref name="size"/> bytes at <paramref name="alignment"/>; throws on failure.</summary>
    /// <remarks>Callers have checked: 0 &lt;= size &lt;= MaxRequestSize, alignment a power of two &lt;= MaxAlignment.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* Bump(nint size, nint alignment)
    {
        Debug.Assert(size >= 0 && size <= MaxRequestSize && BitOperations.IsPow2(alignment) && alignment <= MaxAlignment);

        // SAFETY (I2): see AlignedCursor.
        byte* aligned = AlignedCursor(alignment);

        // SAFETY (I3): when this holds, [aligned, aligned + size) is inside the current block and every
        // budget. The subtraction is signed, so a pad that overshoots _limit (or a null _limit) fails it.
        if (size <= _limit - aligned)
        {
            _cursor = aligned + size;
            return aligned;
        }

        return BumpSlow(size, alignment);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* BumpSlow(nint size, nint alignment)
    {
        AllocFailure failure = TryBumpSlow(size, alignment, out byte* result);
        if (failure != AllocFailure.None)
        {
            ThrowFailure(failure, size, alignment);
        }

        return result;
    }

    /// <summary>Like <see cref="Bump"/>, but reports a budget or capacity failure instead of throwing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* TryBump(nint size, nint alignment)
    {
        // SAFETY (I2, I3): as in Bump.
        byte* aligned = AlignedCursor(alignment);
        if (size <= _limit - aligned)
        {
            _cursor = aligned + size;
            return aligned;
        }

        return TryBumpSlow(size, alignment, out byte* result) == AllocFailure.None ? result : null;
    }

    private enum AllocFailure
    {
        None,
        Budget,
        OutOfMemory,
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private AllocFailure TryBumpSlow(nint size, nint alignment, out byte* result)
    {
        ThrowIfUnusable();
        result = null;
        long position = Position;
        byte* aligned = AlignedCursor(alignment);
        bool fitsHere = size <= _blockEnd - aligned;
        long charge = Charge(aligned, size);
        if (charge > _budgetEnd - position)
        {
            return AllocFailure.Budget;
        }

        if (!fitsHere)
        {
            if (!TryMoveToBlockFor(size))
            {
                return AllocFailure.OutOfMemory;
            }

            aligned = _cursor;
            Debug.Assert(((nint)aligned & (alignment - 1)) == 0, "blocks are page-aligned");
        }

        // SAFETY (I2): [aligned, aligned + size) was just shown to fit in the current block.
        _cursor = aligned + size;
        UpdateLimit();
        result = aligned;
        return AllocFailure.None;
    }

    /// <summary>
    /// The bytes a request would consume from here: padding plus size when it fits in the current
    /// block; the size alone when it moves to a fresh, page-aligned block. Budgets count this.
    /// </summary>
    private long Charge(byte* aligned, nint size) => size <= _blockEnd - aligned ? (aligned - _cursor) + size : size;

    /// <summary>The cursor rounded up to <paramref name="alignment"/>, a power of two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* AlignedCursor(nint alignment) =>
        // SAFETY (I2): _cursor points into a live block (or is a stale pointer when _limit is null), so
        // rounding it up cannot overflow: blocks never sit within MaxAlignment of the address space's end.
        (byte*)(((nint)_cursor + (alignment - 1)) & ~(alignment - 1));

    /// <remarks>Called after a failed <see cref="TryBumpSlow"/>, which left the arena unchanged, so the charge is the refused one.</remarks>
    [DoesNotReturn]
    private void ThrowFailure(AllocFailure failure, nint size, nint alignment)
    {
        if (failure == AllocFailure.Budget)
        {
            throw new ArenaBudgetExceededException(Charge(AlignedCursor(alignment), size), Math.Max(0, _budgetEnd - Position));
        }

        ThrowHelper.ThrowOutOfMemory(size);
    }

    /// <summary>
    /// Makes the next block current, choosing a retained block that can hold <paramref name="size"/>
    /// bytes, or reserving a new one. False when the operating system refuses.
    /// </summary>
    private bool TryMoveToBlockFor(nint size)
    {
        int next = _current + 1;
        int found = -1;
        for (int i = next; i < _blockCount; i++)
        {
            if (_blocks[i].Size >= size)
            {
                found = i;
                break;
            }
        }

        if (found >= 0)
        {
            (_blocks[next], _blocks[found]) = (_blocks[found], _blocks[next]);
        }
        else
        {
            bool dedicated = size > _nextBlockSize;
            nint blockSize = dedicated ? size : (nint)_nextBlockSize;
            blockSize = Math.Max(blockSize, 1);
            byte* memory = NativeBlock.TryAllocate(blockSize);
            if (memory == null)
            {
                return false;
            }

            if (!dedicated)
            {
                _nextBlockSize = Math.Min(_nextBlockSize * 2, _maxBlockSize);
            }

            if (_blockCount == _blocks.Length)
            {
                Array.Resize(ref _blocks, _blockCount * 2);
            }

            Array.Copy(_blocks, next, _blocks, next + 1, _blockCount - next);
            _blocks[next] = new Block { Start = memory, Size = blockSize };
            _blockCount++;
            _blocksCreated++;
            _reservedBytes += blockSize;
        }

        _finishedBytes += _cursor - _blockStart;

        // I9: the block starts where the previous one's used part ended.
        _blocks[next].StartPosition = _finishedBytes;
        EnterBlock(next);
        return true;
    }

    private void EnterBlock(int index)
    {
        _current = index;
        _blockStart = _blocks[index].Start;
        _blockEnd = _blockStart + _blocks[index].Size;
        _cursor = _blockStart;
    }

    /// <summary>Re-establishes I3 after the cursor, block or budget changed outside the fast path.</summary>
    private void UpdateLimit()
    {
        if (_checked || _disposed)
        {
            _limit = null;
            return;
        }

        long budgetLeft = _budgetEnd - Position;
        long blockLeft = _blockEnd - _cursor;
        _limit = _cursor + (nint)Math.Max(0, Math.Min(blockLeft, budgetLeft));
        Debug.Assert(_limit >= _cursor && _limit <= _blockEnd);
    }

    // ---------------------------------------------------------------------------------------------
    // Positions, rewinds and retention.
    // ---------------------------------------------------------------------------------------------

    private Checkpoint CurrentCheckpoint() =>
        new(_id, _current, (nint)(_cursor - _blockStart), Position, _rewinds.Epoch);

    /// <summary>A checkpoint at <paramref name="p"/>, which lies in the current block at or below the cursor.</summary>
    internal Checkpoint CheckpointAt(byte* p)
    {
        Debug.Assert(p >= _blockStart && p <= _cursor);
        nint offset = (nint)(p - _blockStart);
        return new Checkpoint(_id, _current, offset, _finishedBytes + offset, _rewinds.Epoch);
    }

    private void ValidateCheckpoint(in Checkpoint checkpoint, string paramName)
    {
        if (checkpoint.ArenaId != _id)
        {
            ThrowHelper.ThrowArgument(
                checkpoint.ArenaId == 0 ? "The checkpoint is default: take one with GetCheckpoint()." : "The checkpoint belongs to another arena.",
                paramName);
        }

        if (!IsRewindable(checkpoint))
        {
            ThrowHelper.ThrowArgument(
                "The checkpoint is stale: a Rewind, Reset or rollback already went below it.", paramName);
        }

        Debug.Assert(checkpoint.Position <= Position && checkpoint.BlockIndex <= _current);
    }

    /// <summary>
    /// Whether the arena may rewind to <paramref name="checkpoint"/> (of this arena): the rewind log says it
    /// is live, or (older than the log's window) says nothing against it and its structure checks out (I8).
    /// </summary>
    private bool IsRewindable(in Checkpoint checkpoint)
    {
        switch (_rewinds.Check(checkpoint.Epoch, checkpoint.Position))
        {
            case RewindLog.Liveness.Live:
                Debug.Assert(IsConsistent(checkpoint), "I8: an exactly live checkpoint names a held position");
                return true;
            case RewindLog.Liveness.Unproven:
                return IsConsistent(checkpoint);
            default:
                return false;
        }
    }

    /// <summary>
    /// I8's structural check, O(1): the checkpoint's block is at or below the current one, that block
    /// starts at Position - Offset (I9), and the offset lies inside the block's used part.
    /// </summary>
    private bool IsConsistent(in Checkpoint checkpoint)
    {
        int index = checkpoint.BlockIndex;
        if ((uint)index > (uint)_current || checkpoint.Offset < 0)
        {
            return false;
        }

        long start = _blocks[index].StartPosition;
        long used = index == _current ? _cursor - _blockStart : _blocks[index + 1].StartPosition - start;
        return checkpoint.Offset <= used && start + checkpoint.Offset == checkpoint.Position;
    }

    /// <summary>
    /// I8's structural check for a handle or list buffer, O(blocks): the <paramref name="bytes"/> bytes at
    /// <paramref name="start"/> end at position <paramref name="end"/> inside the used part of a block at or below the current one.
    /// </summary>
    private bool IsConsistent(byte* start, long bytes, long end)
    {
        for (int i = _current; i >= 0; i--)
        {
            long first = _blocks[i].StartPosition;
            if (end - bytes < first)
            {
                continue;
            }

            long used = i == _current ? _cursor - _blockStart : _blocks[i + 1].StartPosition - first;
            return end - first <= used && _blocks[i].Start + (end - first - bytes) == start;
        }

        return false;
    }

    /// <summary>Whether memory made at <paramref name="epoch"/>, [start, start + bytes) ending at position <paramref name="end"/>, is still the arena's (I7, I8).</summary>
    private bool IsRangeLive(long epoch, byte* start, long bytes, long end) =>
        _rewinds.Check(epoch, end) switch
        {
            RewindLog.Liveness.Live => true,
            RewindLog.Liveness.Unproven => IsConsistent(start, bytes, end),
            _ => false,
        };

    /// <summary>
    /// Moves the cursor back to a validated checkpoint at or below the current position: runs tracked
    /// disposals, poisons in checked mode, records the rewind (I7), trims retention, restores I3.
    /// </summary>
    internal void RewindTo(in Checkpoint target)
    {
        Debug.Assert(target.Position <= Position && target.BlockIndex <= _current);
        Debug.Assert(_depth == 0 || target.Position >= _frames[_depth - 1].Start.Position);

        // The common case (a rollback or rewind within the current block of an unchecked, untracked
        // arena with nothing to trim): move the cursor, record the rewind (I7), restore I3.
        if (target.BlockIndex == _current && _disposals is null && !_checked && _reservedBytes <= _maxRetainedBytes)
        {
            Debug.Assert(_finishedBytes == target.Position - target.Offset);

            // SAFETY (I1, I2): the target lies in the current block, at or below the cursor.
            _cursor = _blockStart + target.Offset;
            _rewinds.Record(target.Position);
            UpdateLimit();
            return;
        }

        List<Exception>? errors = null;
        _disposals?.DisposeAbove(target.Position, ref errors);

        if (_checked)
        {
            Poison(target);
        }

        _finishedBytes = target.Position - target.Offset;
        Debug.Assert(_blocks[target.BlockIndex].StartPosition == _finishedBytes, "I9");
        EnterBlock(target.BlockIndex);
        _cursor = _blockStart + target.Offset;
        _rewinds.Record(target.Position);
        TrimTo(_maxRetainedBytes);
        UpdateLimit();
        Debug.Assert(Position == target.Position);

        if (errors is not null)
        {
            throw new AggregateException("Dispose() of tracked arena values threw during a rewind.", errors);
        }
    }

    private void Poison(in Checkpoint target)
    {
        for (int i = target.BlockIndex; i <= _current; i++)
        {
            byte* start = _blocks[i].Start + (i == target.BlockIndex ? target.Offset : 0);
            byte* end = i == _current ? _cursor : _blocks[i].Start + _blocks[i].Size;
            for (byte* chunk = start; chunk < end; chunk += int.MaxValue)
            {
                // SAFETY (I1, I2): [chunk, end) lies inside block i, which is live.
                new Span<byte>(chunk, (int)Math.Min(end - chunk, int.MaxValue)).Fill(PoisonByte);
            }
        }
    }

    /// <summary>
    /// Frees retained blocks, last first, while more than <paramref name="cap"/> bytes are reserved.
    /// When it frees any, the doubling restarts from the largest block kept, so the next growth block
    /// is one the cap can keep (a spike does not leave a growth size behind that every round must
    /// reserve and free again).
    /// </summary>
    private long TrimTo(long cap)
    {
        long freed = 0;
        while (_reservedBytes > cap && _blockCount - 1 > _current)
        {
            Block last = _blocks[--_blockCount];
            _blocks[_blockCount] = default;
            NativeBlock.Free(last.Start, last.Size);
            _reservedBytes -= last.Size;
            freed += last.Size;
        }

        if (freed > 0)
        {
            nint largest = 0;
            for (int i = 0; i < _blockCount; i++)
            {
                largest = Math.Max(largest, _blocks[i].Size);
            }

            _nextBlockSize = Math.Min(_maxBlockSize, 2L * largest);
        }

        return freed;
    }

    private void Unregister()
    {
        if (_registrySlot != 0)
        {
            ArenaRegistry.Unregister(_registrySlot);
        }
    }

    private void FreeBlocksExceptCurrent()
    {
        Block kept = _blocks[_current];
        kept.StartPosition = 0;
        for (int i = 0; i < _blockCount; i++)
        {
            if (i != _current)
            {
                NativeBlock.Free(_blocks[i].Start, _blocks[i].Size);
            }

            _blocks[i] = default;
        }

        _blocks[0] = kept;
        _blockCount = 1;
        _current = 0;
        _reservedBytes = kept.Size;

        // SAFETY (I3): a null limit sends every allocation to the slow path, which sees _disposed.
        _limit = null;
    }

    private void FreeBlocks()
    {
        Block[]? blocks = _blocks;
        if (blocks is null)
        {
            return;
        }

        for (int i = 0; i < _blockCount; i++)
        {
            NativeBlock.Free(blocks[i].Start, blocks[i].Size);
            blocks[i] = default;
        }

        _blockCount = 0;
        _reservedBytes = 0;

        // SAFETY (I3): a null limit sends every allocation to the slow path, which sees _disposed.
        _limit = null;
        _cursor = _blockStart = _blockEnd = null;
        _disposed = true;
    }

    // ---------------------------------------------------------------------------------------------
    // Checks shared by every public member.
    // ---------------------------------------------------------------------------------------------

    /// <summary>Throws when the arena is disposed, or, in checked mode, used from a foreign thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ThrowIfUnusable()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowDisposed();
        }

        if (_scopeToken != 0)
        {
            // SAFETY (I10): the open scope owns the cursor.
            ThrowHelper.ThrowScopeOpen();
        }

        if (_checked && Environment.CurrentManagedThreadId != _ownerThread)
        {
            ThrowHelper.ThrowWrongThread(_ownerThread);
        }
    }

    /// <summary>Checked mode: throws unless the handle's arena is alive and its memory was not given back.</summary>
    internal static void ValidateHandle(int slot, int generation, long epoch, void* start, long bytes, long end)
    {
        Arena? arena = ArenaRegistry.Find(slot, generation);
        if (arena is null)
        {
            ThrowHelper.ThrowDisposed();
        }

        arena.ThrowIfUnusable();
        if (!arena.IsRangeLive(epoch, (byte*)start, bytes, end))
        {
            ThrowHelper.ThrowStaleHandle();
        }
    }

    /// <summary>Checked mode: whether the handle's arena is alive and its memory was not given back.</summary>
    internal static bool IsHandleLive(int slot, int generation, long epoch, void* start, long bytes, long end) =>
        ArenaRegistry.Find(slot, generation) is { } arena && !arena._disposed && arena.IsRangeLive(epoch, (byte*)start, bytes, end);

    internal long Epoch => _rewinds.Epoch;
}
