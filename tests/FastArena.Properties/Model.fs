/// A pure, immutable reference model of an arena: the rules below are the suite's statement of the
/// documented behaviour (ArenaOptions, ArenaStats, Arena.Rewind, Transaction), stated here once (the
/// suite's README links here). The harness checks the real Arena against the model after each step.
///
/// A record with no mutable state. Every operation is a function `Model -> Model` (`Ops.step`) that also
/// says what the real call must do: succeed, return false, or throw which exception, plus any value it
/// returns (`Expect`, `Steps`, `Value`). It holds:
///
///  - Blocks: ids and sizes, the current block, the offset in it, the bytes of the blocks before
///    it, and the next growth size. The rule is `ArenaOptions`' documented one: a new arena holds no
///    block; the first request that needs bytes reserves the first block, of `InitialBlockSize` bytes
///    (a request it refuses, over a budget, reserves nothing), then is placed as in any block; growth blocks double from 2 x initial up to `MaxBlockSize`; a request
///    larger than the next growth size gets a dedicated block of exactly its size (the doubling does
///    not advance); when a request does not fit, the first retained block after the current one that is
///    big enough is swapped into place, else a new block is inserted after the current one; after a
///    rewind, reset or rollback, blocks after the current one are freed from the end while the reserved
///    bytes exceed `MaxRetainedBytes`, and when any is freed the doubling restarts from the largest
///    block kept (next growth size = min(MaxBlockSize, 2 x largest)); `Trim` frees them all. Blocks
///    are 4096-aligned, so padding is the align-up of the in-block offset.
///  - BytesAllocated: size plus padding of every live request; zero-size requests consume nothing;
///    the unused tail of a block that a request left behind is not counted. `BytesReserved` and
///    `BlockCount` follow from the blocks.
///  - Live allocations: for each id, its block id, offset, start and end positions, alignment and
///    expected bytes (a pattern derived from the id, or the values stored).
///  - Checkpoints (valid or stale) and handles (checked or not, stale or not): a rewind to
///    position `t` makes stale every checkpoint above `t` and every handle whose memory ends above `t`,
///    and gives back every allocation that ends above `t`.
///  - Transactions: the stack of open frames (start position, own limit, effective budget end,
///    blocks created at start), every transaction's status, and the last outcome recorded at each depth
///    (what `Transaction.Status` can still report). Budgets count padding; a request that moves to a
///    fresh block has none; a savepoint's budget end is capped by every enclosing one.
///  - Disposal: the arena's disposal log (entries sorted by end position, ties in insertion order)
///    and the log of values disposed so far; a rewind to `t` disposes every entry ending above `t`,
///    last first, each entry's elements last first.
module FastArena.Properties.Model

open System

/// Element types the suite allocates: size and natural alignment on x64, and whether it is disposable.
type Elem =
    | U8
    | I16
    | I32
    | I64
    | GuidE
    | Dec
    | Odd3
    | Trk
    | Chr

module Elem =
    let size =
        function
        | U8 -> 1
        | I16 -> 2
        | I32 -> 4
        | I64 -> 8
        | GuidE -> 16
        | Dec -> 16
        | Odd3 -> 3
        | Trk -> 4
        | Chr -> 2

    let align =
        function
        | U8 -> 1
        | I16 -> 2
        | I32 -> 4
        | I64 -> 8
        | GuidE -> 4
        | Dec -> 8
        | Odd3 -> 1
        | Trk -> 4
        | Chr -> 2

    let disposable e = (e = Trk)

/// Deterministic contents: what each allocation must hold, derived from its id.
module Content =
    /// The value id of element i of allocation `id` (tracked values carry it, disposal logs it).
    let trackedId (id: int) (i: int) = (id <<< 12) ||| (i &&& 0xFFF)

    /// Bytes of `count` elements of `elem` for allocation `id`.
    let elems (elem: Elem) (id: int) (count: int) : byte[] =
        let size = Elem.size elem
        let bytes = Array.zeroCreate (size * count)

        for i in 0 .. count - 1 do
            match elem with
            | Trk ->
                BitConverter.TryWriteBytes(Span<byte>(bytes, i * 4, 4), trackedId id i)
                |> ignore
            | Chr ->
                // Printable BMP characters, some outside ASCII.
                let c = uint16 (0x41 + ((id * 7 + i * 13) % 0x3000))
                BitConverter.TryWriteBytes(Span<byte>(bytes, i * 2, 2), c) |> ignore
            | _ ->
                for b in 0 .. size - 1 do
                    bytes[i * size + b] <- byte ((id * 131 + i * 31 + b * 7 + 1) % 251)

        bytes

    /// The pattern written into raw allocation `id` of `size` bytes (never all poison, never all zero).
    let raw (id: int) (size: int64) : byte[] =
        Array.init (int size) (fun i -> byte ((id * 97 + i * 11 + (i >>> 8) * 5 + 3) % 253))

type Options =
    {
        Initial: int64
        MaxBlock: int64
        MaxRetained: int64
        Checked: bool
        Track: bool
    }

    override o.ToString() =
        sprintf
            "InitialBlockSize=%d MaxBlockSize=%d MaxRetainedBytes=%d CheckedMode=%b TrackDisposal=%b"
            o.Initial
            o.MaxBlock
            o.MaxRetained
            o.Checked
            o.Track

type Block = { Id: int; Size: int64 }

/// A position: block index, offset in that block, and BytesAllocated there (a checkpoint's content).
type Pos =
    {
        Block: int
        Offset: int64
        Position: int64
    }

type Cp = { At: Pos; Stale: bool }

type Frame =
    {
        Tx: int
        Start: Pos
        Limit: int64 option
        BudgetEnd: int64
        CreatedAtStart: int64
    }

type TxStatus =
    | Active
    | Committed
    | RolledBack

type Tx = { Depth: int; Status: TxStatus }

/// A live allocation: where it is (block id and offset), its positions, alignment and contents.
type Alloc =
    {
        BlockId: int
        Offset: int64
        Start: int64
        End: int64
        Align: int64
        Bytes: byte[]
    }

/// A storable handle. `Checked` handles know when they are stale; the others must never be read once stale.
type Handle =
    {
        Alloc: int
        End: int64
        Checked: bool
        Stale: bool
        Bytes: byte[]
    }

/// One entry of the arena's disposal log: values whose memory ends at `End`, in disposal order.
type Pending = { End: int64; Values: int list }

type Exn =
    | InvalidOp
    | Arg
    | ArgRange
    | Budget
    | Disposed
    | Body

type Expect =
    | Ok
    | Refused
    | Throws of Exn

type Model =
    {
        Opt: Options
        Blocks: Block[]
        Current: int
        Offset: int64
        Finished: int64
        NextBlockSize: int64
        BlocksCreated: int64
        NextBlockId: int
        /// Open transactions, innermost first.
        Frames: Frame list
        Txs: Map<int, Tx>
        /// Depth -> (transaction, outcome) of the last transaction that ended at that depth.
        Outcomes: Map<int, int * TxStatus>
        Allocs: Map<int, Alloc>
        Checkpoints: Map<int, Cp>
        Handles: Map<int, Handle>
        /// The disposal log, last entry first.
        Pending: Pending list
        /// Disposed value ids, most recent first.
        Disposed: int list
        DisposedCount: int
        ArenaDisposed: bool
        /// Operations run since the arena was disposed.
        DisposedSteps: int
        NextId: int
        /// What the last operation must do.
        Expect: Expect
        /// Outcomes of the sub-steps of the last operation (list scripts).
        Steps: Expect list
        /// Allocations (id, block id) the last operation gave back (checked mode: their bytes must be poison).
        Dropped: (int * int) list
        /// A number the last operation must return (Trim's freed bytes).
        Value: int64
    }

let maxRequest = 1L <<< 40

let alignUp (x: int64) (a: int64) = (x + a - 1L) &&& ~~~(a - 1L)

let create (opt: Options) =
    {
        Opt = opt
        Blocks = [||]
        Current = 0
        Offset = 0L
        Finished = 0L
        NextBlockSize = min (opt.Initial * 2L) opt.MaxBlock
        BlocksCreated = 0L
        NextBlockId = 1
        Frames = []
        Txs = Map.empty
        Outcomes = Map.empty
        Allocs = Map.empty
        Checkpoints = Map.empty
        Handles = Map.empty
        Pending = []
        Disposed = []
        DisposedCount = 0
        ArenaDisposed = false
        DisposedSteps = 0
        NextId = 1
        Expect = Ok
        Steps = []
        Dropped = []
        Value = 0L
    }

let position (m: Model) = m.Finished + m.Offset

let reserved (m: Model) =
    m.Blocks |> Array.sumBy (fun b -> b.Size)

let budgetEnd (m: Model) =
    match m.Frames with
    | f :: _ -> f.BudgetEnd
    | [] -> Int64.MaxValue

let innermostStart (m: Model) =
    match m.Frames with
    | f :: _ -> f.Start.Position
    | [] -> 0L

let here (m: Model) =
    {
        Block = m.Current
        Offset = m.Offset
        Position = position m
    }

let currentBlock (m: Model) = m.Blocks[m.Current]

let expect e (m: Model) = { m with Expect = e }

/// Where a successful request landed.
type Placement =
    {
        BlockId: int
        Offset: int64
        Start: int64
    }

/// Makes the next block current for a request of `size` bytes: a retained block big enough, or a new one.
let moveToBlockFor (m: Model) (size: int64) =
    let next = m.Current + 1

    let found =
        seq { next .. m.Blocks.Length - 1 }
        |> Seq.tryFind (fun i -> m.Blocks[i].Size >= size)

    let m =
        match found with
        | Some i ->
            let blocks = Array.copy m.Blocks
            let t = blocks[next]
            blocks[next] <- blocks[i]
            blocks[i] <- t
            { m with Blocks = blocks }
        | None ->
            let dedicated = size > m.NextBlockSize
            let blockSize = if dedicated then size else m.NextBlockSize
            let blocks = Array.insertAt next { Id = m.NextBlockId; Size = blockSize } m.Blocks

            { m with
                Blocks = blocks
                NextBlockId = m.NextBlockId + 1
                BlocksCreated = m.BlocksCreated + 1L
                NextBlockSize =
                    if dedicated then
                        m.NextBlockSize
                    else
                        min (m.NextBlockSize * 2L) m.Opt.MaxBlock
            }

    { m with
        Finished = m.Finished + m.Offset
        Current = next
        Offset = 0L
    }

/// With no block yet, reserves the first one (id 0, `InitialBlockSize` bytes), current, at offset 0.
let reserveFirst (m: Model) =
    if m.Blocks.Length > 0 then
        m
    else
        { m with
            Blocks = [| { Id = 0; Size = m.Opt.Initial } |]
            BlocksCreated = m.BlocksCreated + 1L
        }

/// Bumps `size` (> 0) bytes at `align`: the placement, or Error Budget. With no block yet the first
/// block is reserved first; at its offset 0 the charge is the size alone, as for a fresh block, so a
/// refused request (whose model is dropped) reserved nothing.
let bump (m: Model) (size: int64) (align: int64) : Result<Model * Placement, Exn> =
    let m = reserveFirst m
    let blk = currentBlock m
    let aligned = alignUp m.Offset align
    let fits = aligned + size <= blk.Size
    let charge = if fits then aligned - m.Offset + size else size

    if charge > budgetEnd m - position m then
        Error Budget
    elif fits then
        Result.Ok(
            { m with Offset = aligned + size },
            {
                BlockId = blk.Id
                Offset = aligned
                Start = m.Finished + aligned
            }
        )
    else
        let m = moveToBlockFor m size

        Result.Ok(
            { m with Offset = size },
            {
                BlockId = (currentBlock m).Id
                Offset = 0L
                Start = m.Finished
            }
        )

/// Frees blocks after the current one, last first, while more than `cap` bytes are reserved.
let trimTo (cap: int64) (m: Model) =
    let mutable blocks = m.Blocks
    let mutable total = Array.sumBy (fun (b: Block) -> b.Size) blocks

    while total > cap && blocks.Length - 1 > m.Current do
        total <- total - blocks[blocks.Length - 1].Size
        blocks <- Array.sub blocks 0 (blocks.Length - 1)

    if blocks.Length = m.Blocks.Length then
        m
    else
        // Freeing restarts the doubling from the largest block kept.
        let largest = blocks |> Array.map (fun b -> b.Size) |> Array.max

        { m with
            Blocks = blocks
            NextBlockSize = min m.Opt.MaxBlock (2L * largest)
        }

/// Adds a tracked entry to the disposal log (kept sorted by end, ties in insertion order).
let track (entry: Pending) (m: Model) =
    let rec insert (pending: Pending list) =
        match pending with
        | e :: rest when e.End > entry.End -> e :: insert rest
        | _ -> entry :: pending

    { m with Pending = insert m.Pending }

/// Logs disposed values (given in disposal order).
let logDisposed (values: int list) (m: Model) =
    { m with
        Disposed = List.rev values @ m.Disposed
        DisposedCount = m.DisposedCount + values.Length
    }

/// Disposes every tracked entry whose memory ends above `target`.
let disposeAbove (target: int64) (m: Model) =
    let rec go (pending: Pending list) (m: Model) =
        match pending with
        | e :: rest when e.End > target -> go rest (logDisposed e.Values m)
        | _ -> { m with Pending = pending }

    go m.Pending m

/// Moves the cursor back to `target`: disposals, staleness, the position, retention.
let rewindTo (target: Pos) (m: Model) =
    let t = target.Position
    let m = disposeAbove t m
    let dropped, kept = m.Allocs |> Map.partition (fun _ a -> a.End > t)

    { m with
        Finished = t - target.Offset
        Current = target.Block
        Offset = target.Offset
        Allocs = kept
        Dropped = (dropped |> Map.toList |> List.map (fun (id, a) -> id, a.BlockId)) @ m.Dropped
        Checkpoints =
            m.Checkpoints
            |> Map.map (fun _ c -> if c.At.Position > t then { c with Stale = true } else c)
        Handles =
            m.Handles
            |> Map.map (fun _ h -> if h.End > t then { h with Stale = true } else h)
    }
    |> trimTo m.Opt.MaxRetained

/// Records a live allocation (and, with disposal tracking, its tracked values).
let addAlloc (id: int) (p: Placement) (size: int64) (align: int64) (bytes: byte[]) (m: Model) =
    { m with
        Allocs =
            m.Allocs.Add(
                id,
                {
                    BlockId = p.BlockId
                    Offset = p.Offset
                    Start = p.Start
                    End = p.Start + size
                    Align = align
                    Bytes = bytes
                }
            )
    }

let trackElems (elem: Elem) (id: int) (count: int) (endPos: int64) (m: Model) =
    if m.Opt.Track && Elem.disposable elem && count > 0 then
        track
            {
                End = endPos
                Values = [ for i in count - 1 .. -1 .. 0 -> Content.trackedId id i ]
            }
            m
    else
        m

let addHandle (id: int) (endPos: int64) (isEmpty: bool) (bytes: byte[]) (m: Model) =
    { m with
        Handles =
            m.Handles.Add(
                id,
                {
                    Alloc = id
                    End = endPos
                    Checked = m.Opt.Checked && not isEmpty
                    Stale = false
                    Bytes = bytes
                }
            )
    }

// -------------------------------------------------------------------------------------------------
// Transactions.
// -------------------------------------------------------------------------------------------------

let txActive (m: Model) (tx: int) =
    match m.Txs.TryFind tx with
    | Some t -> t.Status = Active
    | None -> false

let isInnermost (m: Model) (tx: int) =
    match m.Frames with
    | f :: _ -> f.Tx = tx
    | [] -> false

let openTx (id: int) (m: Model) =
    let frame =
        {
            Tx = id
            Start = here m
            Limit = None
            BudgetEnd = budgetEnd m
            CreatedAtStart = m.BlocksCreated
        }

    { m with
        Frames = frame :: m.Frames
        Txs =
            m.Txs.Add(
                id,
                {
                    Depth = m.Frames.Length + 1
                    Status = Active
                }
            )
    }

/// Ends the frames from the innermost down to `tx` (inclusive), recording outcomes.
let endFrames (tx: int) (status: TxStatus) (m: Model) =
    let rec go (frames: Frame list) (m: Model) =
        match frames with
        | f :: rest ->
            let s = if f.Tx = tx then status else RolledBack
            let depth = frames.Length

            let m =
                { m with
                    Txs = m.Txs.Add(f.Tx, { Depth = depth; Status = s })
                    Outcomes = m.Outcomes.Add(depth, (f.Tx, s))
                }

            if f.Tx = tx then { m with Frames = rest }, f else go rest m
        | [] -> failwith "endFrames: no such frame"

    go m.Frames m

let commit (tx: int) (m: Model) = fst (endFrames tx Committed m)

let rollback (tx: int) (m: Model) =
    let m, frame = endFrames tx RolledBack m
    rewindTo frame.Start m

/// Sets a limit on `tx` and recomputes the budget ends of it and the frames inside it.
let setLimit (tx: int) (bytes: int64) (m: Model) =
    // Frames outermost first.
    let frames = List.rev m.Frames

    let rec go (outer: int64) (frames: Frame list) =
        match frames with
        | [] -> []
        | f :: rest ->
            let f = if f.Tx = tx then { f with Limit = Some bytes } else f

            let endPos =
                match f.Limit with
                | None -> outer
                | Some l -> min outer (f.Start.Position + l)

            { f with BudgetEnd = endPos } :: go endPos rest

    { m with
        Frames = List.rev (go Int64.MaxValue frames)
    }

/// What tx.Status reports, or the exception it throws.
let txStatus (tx: int) (m: Model) : Result<TxStatus, Exn> =
    match m.Txs.TryFind tx with
    | Some t when t.Status = Active && not m.ArenaDisposed -> Result.Ok Active
    | Some t ->
        match m.Outcomes.TryFind t.Depth with
        | Some(id, s) when id = tx -> Result.Ok s
        | _ -> Error(if m.ArenaDisposed then Disposed else InvalidOp)
    | None -> Error InvalidOp
