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
/// An arena may move from thread to thread (a request continuing after an <c>await</c>), one at a time.
/// In <see cref="ArenaOptions.CheckedMode"/> two threads inside one arena at once throw
/// <see cref="InvalidOperationException"/> before either changes anything.
/// </para>
/// <para>
/// Memory handed out is valid until a rewind, reset or rollback goes below it, or the arena is
/// disposed. Touching it after that through a <c>ref</c>, <see cref="Span{T}"/> or pointer is
/// undefined behaviour; through an <see cref="ArenaRef{T}"/> or <see cref="ArenaSlice{T}"/> in
/// checked mode it throws <see cref="InvalidOperationException"/>.
/// </para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
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

    /// <summary>Creates an arena with default <see cref="ArenaOptions"/>: its first allocation reserves a 64 KiB first block.</summary>
    /// <remarks>Construction reserves no native memory (<see cref="BlockCount"/> is 0 until the first allocation that needs bytes).</remarks>
    public Arena()
        : this(ArenaOptions.Default)
    {
    }

    /// <summary>Creates an arena whose first block, reserved by its first allocation, holds <paramref name="initialCapacity"/> bytes.</summary>
    /// <param name="initialCapacity">Size of the first block in bytes, at least 1.</param>
    /// <remarks>Construction reserves no native memory (<see cref="BlockCount"/> is 0 until the first allocation that needs bytes).</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCapacity"/> is below 1.</exception>
    public Arena(long initialCapacity)
        : this(new ArenaOptions { InitialBlockSize = initialCapacity })
    {
    }

    /// <summary>Creates an arena with the given options.</summary>
    /// <param name="options">Block sizes, retention, checked mode and disposal tracking.</param>
    /// <remarks>
    /// Construction reserves no native memory: the first allocation that needs bytes reserves the first
    /// block (<see cref="ArenaOptions.InitialBlockSize"/> bytes), so <see cref="BlockCount"/> and
    /// <see cref="ArenaStats.BytesReserved"/> are 0 until then, and an operating system that refuses that
    /// block is reported by the allocation (<see cref="OutOfMemoryException"/>, the arena unchanged).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public Arena(ArenaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _initialBlockSize = options.InitialBlockSize;
        _maxBlockSize = options.MaxBlockSize;
        _maxRetainedBytes = options.MaxRetainedBytes;
        _checked = options.CheckedMode;
        _disposals = options.TrackDisposal ? new DisposalLog() : null;
        _fastRewindCap = _checked || _disposals is not null ? -1 : _maxRetainedBytes;
        _id = Interlocked.Increment(ref s_nextId);
        _nextBlockSize = Math.Min(options.InitialBlockSize * 2, _maxBlockSize);

        if (_checked)
        {
            // I15: the registry slot is given back by the finalizer of a forgotten arena.
            _finalizer = new ArenaFinalizer(this);
            _registrySlot = ArenaRegistry.Register(this, out _registryGeneration);
        }

        ArenaMetrics.ArenaCreated(this);

        // I14: no block yet; the null cursor and limit send the first allocation to the slow path.
    }

    /// <summary>
    /// Frees what a forgotten arena still holds (its native blocks, its registry slot), so a forgotten
    /// Dispose cannot leak forever. A separate object (I15), made only once there is something to free:
    /// an arena that never reserved a block and is unchecked costs the GC an ordinary object.
    /// </summary>
    private sealed class ArenaFinalizer(Arena arena)
    {
        ~ArenaFinalizer()
        {
            arena.FreeBlocks();
            arena.Unregister();
        }
    }

    /// <summary>
    /// I14: reserves block 0 (<see cref="ArenaOptions.InitialBlockSize"/> bytes) and enters it. False, with
    /// nothing changed, when the operating system refuses.
    /// </summary>
    private bool TryReserveFirstBlock()
    {
        Debug.Assert(_blockCount == 0 && !_disposed && _scopeToken == 0);
        byte* first = NativeBlock.TryAllocate((nint)_initialBlockSize);
        if (first == null)
        {
            return false;
        }

        // I15: from here on the arena holds native memory.
        _finalizer ??= new ArenaFinalizer(this);
        if (_blocks.Length == 0)
        {
            _blocks = new Block[4];
        }

        _blocks[0] = new Block { Start = first, Size = (nint)_initialBlockSize };
        _blockCount = 1;
        _blocksCreated++;
        _reservedBytes = _initialBlockSize; // I5
        EnterBlock(0);
        return true;
    }

    /// <summary>I14: undoes <see cref="TryReserveFirstBlock"/> when the request that reserved it failed after all.</summary>
    private void ReleaseFirstBlock()
    {
        Debug.Assert(_blockCount == 1 && _current == 0 && _cursor == _blockStart);
        NativeBlock.Free(_blocks[0].Start, _blocks[0].Size);
        _blocks[0] = default;
        _blockCount = 0;
        _blocksCreated--;
        _reservedBytes = 0;

        // SAFETY (I3, I14): back to no block: null pointers send every allocation to the slow path.
        _cursor = _blockStart = _blockEnd = _limit = null;
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

    /// <summary>Number of blocks held, in use or retained: 0 until the first allocation that needs bytes reserves the first block. O(1).</summary>
    /// <exception cref="ObjectDisposedException">The arena was disposed.</exception>
    public int BlockCount
    {
        get
        {
            ThrowIfUnusable();
            return _blockCount;
        }
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
    /// Frees every block. Tracked values are disposed first (highest address first). Afterwards every
    /// member throws <see cref="ObjectDisposedException"/> (<see cref="BytesAllocated"/>,
    /// <see cref="BlockCount"/> and <see cref="Stats"/> included), except <see cref="IsDisposed"/>,
    /// <see cref="IsChecked"/>, <see cref="TracksDisposal"/> and <see cref="ToString"/>; so does every
    /// <see cref="ArenaList{T}"/>, <see cref="Transaction"/> and checked-mode handle of the arena. A second
    /// Dispose does nothing.
    /// </summary>
    /// <exception cref="AggregateException">Disposal tracking is on and some <c>Dispose()</c> threw; the arena is disposed all the same. Never thrown while another exception is unwinding or being handled on this thread (a <c>using</c> scope left by an exception, a <c>catch</c> block): cleanup never replaces that exception.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // Checked mode: a thread inside the arena makes Dispose throw (I13) before anything is freed.
        Exit(Enter());
        List<Exception>? errors = null;
        _disposals?.DisposeAbove(-1, ref errors);
        _disposed = true;
        _depth = 0;
        _fastToken = 0;
        Unregister();
        if (_scopeToken != 0 && _blockCount > 0)
        {
            // SAFETY (I10): an open scope may still bump inside the current block, so that block is freed
            // when the scope ends (or by the finalizer, if the scope never ends); the others go now.
            FreeBlocksExceptCurrent();
        }
        else
        {
            FreeBlocks();
            SuppressFinalizer();
        }

        if (errors is not null)
        {
            ThrowHelper.ReportDisposeFailures(ThrowHelper.Messages.ArenaDisposeFailed, errors);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        _disposed ? "Arena (disposed)" : $"Arena: {Position} of {_reservedBytes} bytes in {_blockCount} blocks, depth {_depth}";

    /// <summary>Nothing is left for the finalizer to free (I15).</summary>
    private void SuppressFinalizer()
    {
        if (_finalizer is not null)
        {
            GC.SuppressFinalize(_finalizer);
        }
    }

    private void Unregister()
    {
        if (_registrySlot != 0)
        {
            ArenaRegistry.Unregister(_registrySlot, _registryGeneration);
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

        if (_checked)
        {
            // I13: another thread inside the arena right now is a race.
            int user = Volatile.Read(ref _user);
            if (user != 0 && user != Environment.CurrentManagedThreadId)
            {
                ThrowHelper.ThrowConcurrentUse(user);
            }
        }
    }

    /// <summary>
    /// Checked mode: marks the arena as used by this thread for the length of a mutating operation (I13)
    /// and returns what <see cref="Exit"/> needs; 0 in unchecked mode and when this thread already holds it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Enter() => _checked ? EnterChecked() : 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int EnterChecked()
    {
        int me = Environment.CurrentManagedThreadId;
        int user = Interlocked.CompareExchange(ref _user, me, 0);
        if (user == 0)
        {
            return me;
        }

        if (user != me)
        {
            ThrowHelper.ThrowConcurrentUse(user);
        }

        return 0; // nested on the same thread (a tracked Dispose() that allocates): the outer Exit releases
    }

    /// <summary>Releases what <see cref="Enter"/> took, if anything.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Exit(int entered)
    {
        if (entered != 0)
        {
            Volatile.Write(ref _user, 0);
        }
    }

    /// <summary>Checked mode: whether another thread is inside the arena right now (I13).</summary>
    internal bool IsUsedElsewhere =>
        _checked && Volatile.Read(ref _user) is var user && user != 0 && user != Environment.CurrentManagedThreadId;
}
