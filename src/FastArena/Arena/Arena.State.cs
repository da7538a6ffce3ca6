using System.Diagnostics.CodeAnalysis;

namespace FastArena;

// The arena's state: every field, with the invariant it keeps written next to it. The other files of
// the arena (Arena/*.cs, Transactions/Arena.*.cs, Handles/Arena.Handles.cs, Collections/Arena.ListSupport.cs)
// cite these invariants by number in their `// SAFETY (In):` lines.
//
// How it works. Memory comes in blocks from NativeBlock (page-aligned native memory). A new arena holds
// none: its cursor and limit are null, so the first allocation takes the slow path, which reserves the
// first block (I14). The blocks form a list; the block at index _current is being filled and every block before it is full (its unused
// tail is wasted). Allocating aligns _cursor up, adds the size, and compares against _limit: that is
// the whole fast path (Arena.Bump.cs). Anything else (the block is full, a budget is hit, checked mode,
// the arena is disposed) goes to one out-of-line slow path. Blocks after _current were given back by a
// rewind and are reused before any new block is asked for. Positions are measured in "bytes
// allocated": a checkpoint remembers (block index, offset, position), and a rewind puts the cursor back
// there in O(1) (Arena.Rewind.cs). Transactions are frames on a stack kept here (_frames), operated on
// by Transactions/Arena.FrameStack.cs.
public sealed unsafe partial class Arena
{
    private static int s_nextId;

    /// <summary>One native block of the list.</summary>
    private struct Block
    {
        public byte* Start;
        public nint Size;

        // I9: the position of the block's first byte (meaningful for blocks 0.._current only).
        public long StartPosition;
    }

    // ---- The fast path's fields (hot, first: the fast path reads _cursor and _limit only). ----

    // I2. _blockStart <= _cursor <= _blockEnd.
    private byte* _cursor;

    // I3. _limit is null (every allocation takes the slow path: checked mode or disposed) or
    //     _cursor <= _limit <= _blockEnd and _limit - _cursor <= the tightest budget's remaining bytes.
    //     So when the fast path finds `size <= _limit - aligned`, [aligned, aligned + size) lies inside
    //     the current block and within every open budget. With no transaction open (_depth == 0, so no
    //     budget: I6) a non-null _limit is _blockEnd: every assignment computes it so (UpdateLimit with
    //     no budget, EndInnermost at depth 0, TryReserveFirstBlock via UpdateLimit), and the rewind and
    //     reset fast paths, which stay in the current block at depth 0, leave it as it is.
    private byte* _limit;

    // I1. _blockStart/_blockEnd are the bounds of _blocks[_current] (null, like _cursor, while the arena
    //     holds no block: I14).
    private byte* _blockStart;
    private byte* _blockEnd;

    // I4. Position (BytesAllocated) == _finishedBytes + (_cursor - _blockStart), where _finishedBytes is
    //     the bytes allocated in blocks [0, _current).
    private long _finishedBytes;

    // I6 (with the frame stack below): the innermost frame's effective budget end; long.MaxValue when none.
    private long _budgetEnd = long.MaxValue;

    // I1. 0 <= _current < _blockCount, or _current == 0 == _blockCount before the first block (I14).
    private int _current;

    // ---- The block list. ----

    // I1. _blocks[0.._blockCount) are live native blocks, each aligned to NativeBlock.Alignment.
    // I9. _blocks[i].StartPosition, for i <= _current, is the position where block i starts: 0 for
    //     block 0, and StartPosition(i) + bytes used in block i for block i + 1.
    // I12. One (block, offset) per position: the cursor never rests at offset 0 of a block after
    //     _current's predecessor ended at the same position (a block is entered only by an allocation
    //     that takes bytes from it at once, and an empty ArenaList gives its whole buffer back), so a
    //     checkpoint's (block, offset) is determined by its position.
    // I14. No block until the first allocation that needs bytes: a new arena has _blockCount == 0, the
    //     shared empty _blocks array, null _cursor, _blockStart, _blockEnd and _limit (so by I3 every
    //     allocation takes the slow path) and position 0. The slow path reserves block 0
    //     (TryReserveFirstBlock, InitialBlockSize bytes) before it places the request, and undoes that
    //     reservation when the request still fails, so a failure leaves the arena without a block as it
    //     was. From then on _blockCount >= 1 until Dispose. Zero-byte requests never reserve it.
    //     Code that reads _blocks[i] for i <= _current first checks _blockCount (IsConsistent, RewindTo,
    //     Dispose, DiffOf).
    private static readonly Block[] s_noBlocks = [];
    private Block[] _blocks = s_noBlocks;
    private int _blockCount;

    // I5. _reservedBytes is the sum of the sizes of all blocks.
    private long _reservedBytes;
    private long _nextBlockSize;
    private long _blocksCreated;

    // ---- Settings, identity, the rewind log, disposal. ----

    private readonly long _initialBlockSize;
    private readonly long _maxBlockSize;
    private readonly long _maxRetainedBytes;

    // The retention cap as the rewind fast paths see it: _maxRetainedBytes, or -1 when the arena is
    // checked or tracks disposal (so `_reservedBytes <= _fastRewindCap`, one compare, says "nothing to
    // poison, dispose or trim").
    private readonly long _fastRewindCap;
    private readonly bool _checked;
    private readonly int _id;

    // I7. Every rewind of the cursor to a lower position is recorded in _rewinds, so stale checkpoints
    //     and handles are recognised.
    // I8. The log keeps the newest RewindLog.Window entries (Internals/RewindLog.cs): a live answer for
    //     something made before the oldest dropped entry is only "unproven", and the arena trusts it after
    //     a structural check: the checkpoint's (block, offset, position) or the handle's (address, end)
    //     must name a position inside the used part of a block at or below _current (IsConsistent). So
    //     a stale checkpoint older than the window is rejected or rewinds to a position the blocks hold.
    private readonly RewindLog _rewinds = new();
    private readonly int _registrySlot;
    private readonly int _registryGeneration;
    private readonly DisposalLog? _disposals;
    private bool _disposed;

    // I15. _finalizer is non-null whenever the arena holds a native block or a registry slot (it is made
    //     with the first block, or at construction in checked mode); its finalizer frees what a forgotten
    //     arena still holds. The Arena itself has no finalizer, so constructing one is an ordinary
    //     allocation. Dispose suppresses it unless a scope keeps the current block (I10).
    private ArenaFinalizer? _finalizer;

    // I13. Checked mode: the managed thread id of the thread inside a mutating operation of the arena
    //     (an allocation's slow path, a rewind, a transaction's begin or end, a budget change, Dispose),
    //     0 when none. Taken with a compare-exchange on entry and cleared on exit, so one arena may move
    //     between threads (a request across an await) but two threads inside it at once is reported as
    //     InvalidOperationException before either changes anything. Unchecked arenas never touch it.
    private int _user;

    // I10. While an ArenaScope is open (_scopeToken != 0) the scope owns the cursor: _cursor is where the
    //     scope opened or last handed it back, _limit is null, and ThrowIfUnusable throws, so no other
    //     operation can move the cursor. The scope's own cursor and limit obey I2 and I3, so its block
    //     (the current one) stays allocated until the scope ends, even if the arena is disposed meanwhile.
    //     (Scopes/Arena.Scope.cs.)
    // The token of the open scope, 0 when none; tokens are never reused.
    private long _scopeToken;
    private long _nextScopeToken;

    // ---- The frame stack (Transactions/Arena.FrameStack.cs). ----

    /// <summary>An open transaction.</summary>
    private struct Frame
    {
        public Checkpoint Start;
        public long Limit;
        public long BudgetEnd;
        public long Token;
        public long BlocksCreatedAtStart;
    }

    /// <summary>How the last transaction to end at a depth ended.</summary>
    private struct Outcome
    {
        public long Token;
        public TransactionStatus Status;
    }

    // I6. _frames[0.._depth) are the open transactions, outermost first; their start positions rise;
    //     _budgetEnd is the innermost frame's effective budget end (long.MaxValue when none). Tokens
    //     are never reused, so a handle (depth, token) is live while _frames[depth - 1].Token == token.
    // Both stacks start empty and shared (construction allocates no array for them): the first
    // BeginTransaction gives the arena its own.
    private static readonly Frame[] s_noFrames = [];
    private static readonly Outcome[] s_noOutcomes = [];

    private Frame[] _frames = s_noFrames;
    private Outcome[] _outcomes = s_noOutcomes;
    private int _depth;
    private long _nextToken;

    // I11. The fast token: the innermost open frame's token when the arena is unchecked and not
    //     disposed, else 0 (tokens start at 1). A handle whose token equals it is open and innermost,
    //     so its members skip the full validation; every other handle, and every handle of a checked
    //     arena, takes the full path.
    private long _fastToken;
}
