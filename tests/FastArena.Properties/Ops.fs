/// The operations of a program, what each does to the model (`step`), when it may run (`pre`),
/// and how it prints.
module FastArena.Properties.Ops

open System
open System.Text
open FastArena.Properties.Model

/// Through the arena itself, or through a transaction handle (which must still be open).
type Via =
    | Direct
    | ViaTx of int

type ValueApi =
    | VAlloc
    | VHandle
    | VTry
    | VUninit
    | VTryUninit

type SliceApi =
    | SSpan
    | SZeroed
    | SUninit
    | SGen
    | SEnum
    | SSeq
    | SHandle
    | SHandleZeroed
    | STrySpan
    | STryHandle
    | STryZeroed
    | STryUninit
    | STryGen
    | STryEnum

type StrApi =
    | Utf16
    | Utf16Handle
    | TryUtf16
    | Utf8
    | TryUtf8

type RawApi =
    | Raw
    | Zeroed
    | CacheAligned
    | TryRaw
    | TryZeroed
    | TryCacheAligned

type ListStep =
    | LAdd
    | LTryAdd
    | LAddRange of int
    | LAddRangeArr of int
    | LPop
    | LTryPop
    | LClear
    | LTruncate of int
    | LReserve of int
    | LReserveExact of int
    | LTryReserve of int
    | LOther of int64 * int64

type ListEnd =
    | LFinish
    | LFinishHandle
    | LDrop
    /// `arena.Dispose()` while the list is being built, then the step on the list (it must throw
    /// ObjectDisposedException and write nothing, in every mode), then `list.Dispose()` (does nothing).
    | LAfterDispose of ListStep

type ClosureKind =
    | WithTx
    | CommitIf
    | Infallible

type BodyEnd =
    | Keep
    | Discard
    | Throw

type BadKind =
    | NegativeSize
    | BadAlignment
    | TooLarge

/// A step of an F# `arena { }` workflow (ids number its allocations and its scopes).
type WStep =
    /// `let! h = alloc value` (an int64).
    | WAlloc of id: int
    /// `do! arena { ... }`: a nested workflow, run as a savepoint; its Error or exception ends the enclosing one.
    | WNested of id: int * steps: WStep list * ending: WEnd
    /// `let! _ = Arena.attempt (arena { ... })`: its Error is a value; the enclosing workflow goes on.
    | WAttempt of id: int * steps: WStep list * ending: WEnd
    /// `do! Arena.withBudget limit (...)` or `Arena.withBudgetOr limit (fun _ -> "budget") (...)`.
    | WBudget of id: int * limit: int64 * orError: bool * steps: WStep list * ending: WEnd

/// How a workflow body ends: `return ()`, `return! Arena.error ...`, or by throwing.
and WEnd =
    | WOk
    | WError
    | WThrow

type Op =
    | AllocRaw of id: int * via: Via * size: int64 * align: int64 * api: RawApi
    | AllocValue of id: int * via: Via * elem: Elem * api: ValueApi
    | AllocSlice of id: int * via: Via * elem: Elem * count: int * api: SliceApi
    | AllocString of id: int * via: Via * text: string * api: StrApi
    | BadRaw of via: Via * bad: BadKind * tryApi: bool
    | LyingSlice of via: Via * promised: int * actual: int
    | ThrowingGen of via: Via * count: int * throwAt: int
    | List of id: int * via: Via * elem: Elem * capacity: int * steps: ListStep list * ending: ListEnd
    | TakeCheckpoint of id: int
    | Rewind of cp: int
    | RewindForeign
    | RewindDefault
    | RewindToTxStart of tx: int
    | Reset
    | Trim
    | Begin of id: int
    | Savepoint of tx: int * id: int
    | Commit of tx: int
    | Rollback of tx: int
    | DisposeTx of tx: int
    | SetLimit of tx: int * bytes: int64
    | Status of tx: int
    | Closure of id: int * kind: ClosureKind * limit: int64 option * body: (int64 * int64) list * ending: BodyEnd
    | ReadHandle of handle: int
    | DisposeArena
    | Workflow of id: int * steps: WStep list * ending: WEnd

let rec private showSteps (steps: WStep list) (ending: WEnd) =
    let one =
        function
        | WAlloc id -> sprintf "let! a%d = alloc" id
        | WNested(id, b, e) -> sprintf "do! arena#%d { %s }" id (showSteps b e)
        | WAttempt(id, b, e) -> sprintf "let! _ = Arena.attempt (arena#%d { %s })" id (showSteps b e)
        | WBudget(id, l, orError, b, e) ->
            sprintf
                "do! Arena.%s %d (arena#%d { %s })"
                (if orError then "withBudgetOr" else "withBudget")
                l
                id
                (showSteps b e)

    let last =
        match ending with
        | WOk -> "return ()"
        | WError -> "return! Arena.error"
        | WThrow -> "failwith"

    String.concat "; " (List.map one steps @ [ last ])

let rec private stepIds (steps: WStep list) =
    steps
    |> List.collect (function
        | WAlloc id -> [ id ]
        | WNested(id, b, _)
        | WAttempt(id, b, _)
        | WBudget(id, _, _, b, _) -> id :: stepIds b)

let rec private scopeIds (steps: WStep list) =
    steps
    |> List.collect (function
        | WAlloc _ -> []
        | WNested(id, b, _)
        | WAttempt(id, b, _)
        | WBudget(id, _, _, b, _) -> id :: scopeIds b)

// -------------------------------------------------------------------------------------------------
// Printing: one readable line per operation.
// -------------------------------------------------------------------------------------------------

let private viaText =
    function
    | Direct -> "arena"
    | ViaTx tx -> sprintf "tx%d" tx

let private elemText (e: Elem) = sprintf "%A" e

let show (op: Op) =
    match op with
    | AllocRaw(id, via, size, align, api) -> sprintf "a%d = %s.%A(size %d, align %d)" id (viaText via) api size align
    | AllocValue(id, via, elem, api) -> sprintf "a%d = %s.%A<%s>()" id (viaText via) api (elemText elem)
    | AllocSlice(id, via, elem, count, api) -> sprintf "a%d = %s.%A<%s>(%d)" id (viaText via) api (elemText elem) count
    | AllocString(id, via, text, api) ->
        let escaped =
            text
            |> Seq.map (fun c ->
                if c < ' ' || c > '~' then
                    sprintf "\\u%04x" (int c)
                else
                    string c)

        sprintf "a%d = %s.%A(\"%s\")" id (viaText via) api (String.Concat escaped)
    | BadRaw(via, bad, tryApi) ->
        sprintf "%s.%s(%A) (must throw)" (viaText via) (if tryApi then "TryAllocRaw" else "AllocRaw") bad
    | LyingSlice(via, promised, actual) ->
        sprintf "%s.AllocSlice(collection with Count %d yielding %d) (must throw)" (viaText via) promised actual
    | ThrowingGen(via, count, at) -> sprintf "%s.AllocSlice(%d, generator throwing at %d)" (viaText via) count at
    | List(id, via, elem, cap, steps, ending) ->
        sprintf
            "a%d = list<%s>(%s, capacity %d) [%s] then %A"
            id
            (elemText elem)
            (viaText via)
            cap
            (steps |> List.map (sprintf "%A") |> String.concat "; ")
            ending
    | TakeCheckpoint id -> sprintf "cp%d = arena.GetCheckpoint()" id
    | Rewind cp -> sprintf "arena.Rewind(cp%d)" cp
    | RewindForeign -> "arena.Rewind(checkpoint of another arena) (must throw)"
    | RewindDefault -> "arena.Rewind(default) (must throw)"
    | RewindToTxStart tx -> sprintf "arena.Rewind(tx%d.Checkpoint)" tx
    | Reset -> "arena.Reset()"
    | Trim -> "arena.Trim()"
    | Begin id -> sprintf "tx%d = arena.BeginTransaction()" id
    | Savepoint(tx, id) -> sprintf "tx%d = tx%d.Savepoint()" id tx
    | Commit tx -> sprintf "tx%d.Commit()" tx
    | Rollback tx -> sprintf "tx%d.Rollback()" tx
    | DisposeTx tx -> sprintf "tx%d.Dispose()" tx
    | SetLimit(tx, bytes) -> sprintf "tx%d.SetLimit(%d)" tx bytes
    | Status tx -> sprintf "tx%d.Status" tx
    | Closure(id, kind, limit, body, ending) ->
        sprintf
            "tx%d = arena.%A(limit %s, body [%s] then %A)"
            id
            kind
            (match limit with
             | Some l -> string l
             | None -> "none")
            (body
             |> List.map (fun (s, a) -> sprintf "AllocRaw(%d, %d)" s a)
             |> String.concat "; ")
            ending
    | ReadHandle h -> sprintf "read handle of a%d" h
    | DisposeArena -> "arena.Dispose()"
    | Workflow(id, steps, ending) -> sprintf "Arena.run arena (arena#%d { %s })" id (showSteps steps ending)

/// The highest id an operation introduces (its entities take id, id + 1, ...).
let lastId (op: Op) =
    match op with
    | AllocRaw(id, _, _, _, _)
    | AllocValue(id, _, _, _)
    | AllocSlice(id, _, _, _, _)
    | AllocString(id, _, _, _)
    | TakeCheckpoint id
    | Begin id
    | Savepoint(_, id) -> id
    | List(id, _, _, _, steps, _) ->
        id
        + (steps
           |> List.sumBy (function
               | LOther _ -> 1
               | _ -> 0))
    | Closure(id, _, _, body, _) -> id + body.Length
    | Workflow(id, steps, _) -> List.max (id :: stepIds steps)
    | _ -> 0

// -------------------------------------------------------------------------------------------------
// The model's view of each operation.
// -------------------------------------------------------------------------------------------------

/// The exception (if any) that validating `via` throws before anything else happens.
let viaFailure (via: Via) (m: Model) =
    if m.ArenaDisposed then
        Some Disposed
    else
        match via with
        | Direct -> None
        | ViaTx tx -> if txActive m tx then None else Some InvalidOp

let private fail (tryApi: bool) (e: Exn) (m: Model) =
    if tryApi && e = Budget then
        expect Refused m
    else
        expect (Throws e) m

/// A raw request of `size` bytes: records allocation `id` with `bytes` on success.
let private request (id: int) (size: int64) (align: int64) (bytes: byte[]) (tryApi: bool) (m: Model) =
    match bump m size align with
    | Error e -> fail tryApi e m, None
    | Result.Ok(m, p) -> addAlloc id p size align bytes m, Some p

/// Element values of lists and unknown-count sequences.
let listValueBytes (elem: Elem) (values: int list) =
    match elem with
    | Trk ->
        values
        |> List.toArray
        |> Array.collect (fun (v: int) -> BitConverter.GetBytes v)
    | _ ->
        values
        |> List.toArray
        |> Array.collect (fun (v: int) -> BitConverter.GetBytes(int64 v))

/// The state of an ArenaList while its script runs.
type ListState =
    {
        Elem: Elem
        /// (block index, block id, offset, position) of the buffer.
        Buf: (int * int * int64 * int64) option
        Cap: int
        /// Element values, last first.
        Items: int list
        Before: Pos
        Seq: int
    }

let private listNewest (st: ListState) (m: Model) =
    match st.Buf with
    | Some(bidx, bid, soff, spos) ->
        let bytes = int64 st.Cap * int64 (Elem.size st.Elem)

        bidx = m.Current
        && m.Blocks[bidx].Id = bid
        && soff + bytes = m.Offset
        && spos >= innermostStart m
    | None -> false

let private listGrowTo (capacity: int) (st: ListState, m: Model) : Result<ListState * Model, Exn> =
    let esize = int64 (Elem.size st.Elem)
    let bytes = int64 capacity * esize
    let extra = bytes - int64 st.Cap * esize

    if
        listNewest st m
        && extra <= (currentBlock m).Size - m.Offset
        && extra <= budgetEnd m - position m
    then
        Result.Ok({ st with Cap = capacity }, { m with Offset = m.Offset + extra })
    else
        let before = here m

        match bump m bytes (int64 (Elem.align st.Elem)) with
        | Error e -> Error e
        | Result.Ok(m2, p) ->
            Result.Ok(
                { st with
                    Buf = Some(m2.Current, p.BlockId, p.Offset, p.Start)
                    Cap = capacity
                    Before = before
                },
                m2
            )

let private listGrow (additional: int) (st: ListState, m: Model) =
    let required = st.Items.Length + additional
    let doubled = max 4 (st.Cap * 2)
    listGrowTo (max required doubled) (st, m)

let private push (n: int) (id: int) (st: ListState) =
    let values = [ for k in 0 .. n - 1 -> Content.trackedId id (st.Seq + k) ]

    { st with
        Items = List.rev values @ st.Items
        Seq = st.Seq + n
    }

/// Runs one list step: the new state and the step's outcome.
let private listStep (id: int) (otherId: int) (st: ListState, m: Model) (step: ListStep) =
    let count = st.Items.Length

    let withGrowth (needed: bool) (grow: ListState * Model -> Result<ListState * Model, Exn>) tryApi after =
        if not needed then
            after (st, m), Ok
        else
            match grow (st, m) with
            | Error e -> (st, m), (if tryApi then Refused else Throws e)
            | Result.Ok(st2, m2) -> after (st2, m2), Ok

    match step with
    | LAdd
    | LTryAdd ->
        let tryApi = (step = LTryAdd)

        let (st2, m2), o =
            withGrowth (count = st.Cap) (listGrow 1) tryApi (fun (s, m) -> push 1 id s, m)

        // A failed add still uses up its value number, as the harness does.
        (if o = Ok then st2 else { st2 with Seq = st2.Seq + 1 }), m2, o
    | LAddRange n
    | LAddRangeArr n ->
        let (st2, m2), o =
            withGrowth (n > st.Cap - count) (listGrow n) false (fun (s, m) -> push n id s, m)

        (if o = Ok then st2 else { st2 with Seq = st2.Seq + n }), m2, o
    | LPop
    | LTryPop ->
        match st.Items with
        | [] -> st, m, (if step = LPop then Throws InvalidOp else Refused)
        | _ :: rest -> { st with Items = rest }, m, Ok
    | LClear -> { st with Items = [] }, m, Ok
    | LTruncate k ->
        if k > count then
            st, m, Throws ArgRange
        else
            { st with
                Items = List.skip (count - k) st.Items
            },
            m,
            Ok
    | LReserve n ->
        let (st2, m2), o = withGrowth (n > st.Cap - count) (listGrow n) false (fun x -> x)
        st2, m2, o
    | LReserveExact n ->
        let (st2, m2), o =
            withGrowth (n > st.Cap - count) (listGrowTo (count + n)) false (fun x -> x)

        st2, m2, o
    | LTryReserve n ->
        let (st2, m2), o = withGrowth (n > st.Cap - count) (listGrow n) true (fun x -> x)
        st2, m2, o
    | LOther(size, align) ->
        match bump m size align with
        | Error e -> st, m, Throws e
        | Result.Ok(m2, p) -> st, addAlloc otherId p size align (Content.raw otherId size) m2, Ok

/// Ends a list: Finish (optionally as a handle) or Dispose without Finish.
let private listEnd (id: int) (ending: ListEnd) (st: ListState, m: Model) =
    let esize = int64 (Elem.size st.Elem)

    match st.Buf with
    | None ->
        match ending with
        | LFinishHandle -> addHandle id 0L true [||] m
        | _ -> m
    | Some(_, bid, soff, spos) ->
        let count = st.Items.Length
        let values = List.rev st.Items

        match ending with
        | LAfterDispose _ -> m // runList disposes the arena instead
        | LDrop ->
            let m =
                if m.Opt.Track && Elem.disposable st.Elem then
                    logDisposed st.Items m
                else
                    m

            if listNewest st m && st.Before.Position >= innermostStart m then
                rewindTo st.Before m
            else
                m
        | LFinish
        | LFinishHandle when count = 0 ->
            // An empty list keeps nothing: like Dispose, it gives the whole buffer back when it is the newest.
            let m =
                if listNewest st m && st.Before.Position >= innermostStart m then
                    rewindTo st.Before m
                else
                    m

            if ending = LFinishHandle then
                addHandle id 0L true [||] m
            else
                m
        | LFinish
        | LFinishHandle ->
            let elementsEnd = spos + int64 count * esize

            let m =
                if count < st.Cap && listNewest st m then
                    rewindTo
                        {
                            Block = m.Current
                            Offset = soff + int64 count * esize
                            Position = elementsEnd
                        }
                        m
                else
                    m

            let bytes = listValueBytes st.Elem values

            let m =
                if count > 0 then
                    addAlloc
                        id
                        {
                            BlockId = bid
                            Offset = soff
                            Start = spos
                        }
                        (int64 count * esize)
                        (int64 (Elem.align st.Elem))
                        bytes
                        m
                else
                    m

            let m =
                if m.Opt.Track && Elem.disposable st.Elem && count > 0 then
                    track
                        {
                            End = elementsEnd
                            Values = [ for i in count - 1 .. -1 .. 0 -> values[i] ]
                        }
                        m
                else
                    m

            if ending = LFinishHandle then
                addHandle id elementsEnd (count = 0) bytes m
            else
                m

/// `arena.Dispose()`: tracked values are disposed, every allocation and frame is gone.
let private disposeArena (m: Model) =
    let m = disposeAbove -1L m

    { m with
        ArenaDisposed = true
        Frames = []
        Allocs = Map.empty
    }

let private newList (elem: Elem) (m: Model) =
    {
        Elem = elem
        Buf = None
        Cap = 0
        Items = []
        Before = here m
        Seq = 0
    }

/// AllocSlice of a sequence whose count is unknown: grows an ArenaList, then finishes it.
let private seqSlice (id: int) (elem: Elem) (count: int) (m: Model) =
    let rec adds k (st, m) =
        if k = count then
            Result.Ok(st, m)
        else
            match listStep id 0 (st, m) LAdd with
            | st, m, Ok -> adds (k + 1) (st, m)
            | st, m, _ -> Error(st, m)

    let start = here m

    match adds 0 (newList elem m, m) with
    | Result.Ok(st, m) -> listEnd id LFinish (st, m) |> expect Ok
    | Error(_, m) ->
        // Every buffer the growing list left behind goes back: the arena returns to where the request
        // started (the bug "a refused unknown-count AllocSlice leaves its abandoned buffers behind").
        // The copies are not disposed: the arena never owned them (as on the known-count path).
        let m =
            if start.Position < position m && start.Position >= innermostStart m then
                rewindTo start m
            else
                m

        expect (Throws Budget) m

let private runList id via elem capacity steps ending (m: Model) =
    match viaFailure via m with
    | Some e -> expect (Throws e) m
    | None ->
        let st = newList elem m

        let start =
            if capacity > 0 then
                listGrowTo capacity (st, m)
            else
                Result.Ok(st, m)

        match start with
        | Error e -> expect (Throws e) m
        | Result.Ok(st, m) ->
            let mutable state = (st, m)
            let mutable outcomes = []
            let mutable other = id + 1

            for step in steps do
                let s, m2, o = listStep id other state step

                match step with
                | LOther _ -> other <- other + 1
                | _ -> ()

                state <- (s, m2)
                outcomes <- o :: outcomes

            match ending with
            | LAfterDispose _ ->
                // The arena goes while the list is open: the step after it throws, the list's Dispose does nothing.
                { disposeArena (snd state) with
                    Expect = Ok
                    Steps = List.rev (Throws Disposed :: outcomes)
                }
            | _ ->
                let m = listEnd id ending state

                { m with
                    Expect = Ok
                    Steps = List.rev outcomes
                }

/// Slices whose elements disposal tracking registers: every initialised slice (zeroed ones hold
/// default values, which are values too); only uninitialised slices are ignored.
let private sliceTracked =
    function
    | SSpan
    | SGen
    | SEnum
    | SSeq
    | SHandle
    | SZeroed
    | SHandleZeroed
    | STrySpan
    | STryHandle
    | STryZeroed
    | STryGen
    | STryEnum -> true
    | _ -> false

let private sliceTry =
    function
    | STrySpan
    | STryHandle
    | STryZeroed
    | STryUninit
    | STryGen
    | STryEnum -> true
    | _ -> false

let private sliceHandle =
    function
    | SHandle
    | SHandleZeroed
    | STryHandle -> true
    | _ -> false

type private WResult =
    | ROk
    | RErr
    | RExn of Exn

/// Runs a workflow scope: a transaction that Ok commits and Error or an exception rolls back.
let rec private wScope (tx: int) (limit: int64 option) (steps: WStep list) (ending: WEnd) (m: Model) =
    let m = openTx tx m

    let m =
        match limit with
        | Some l -> setLimit tx l m
        | None -> m

    let m, r = wBody steps ending m
    (if r = ROk then commit tx m else rollback tx m), r

and private wBody (steps: WStep list) (ending: WEnd) (m: Model) =
    match steps with
    | [] ->
        m,
        (match ending with
         | WOk -> ROk
         | WError -> RErr
         | WThrow -> RExn Body)
    | s :: rest ->
        let m, r =
            match s with
            | WAlloc id ->
                let bytes = Content.elems I64 id 1

                match bump m 8L 8L with
                | Error e -> m, RExn e
                | Result.Ok(m, p) -> addAlloc id p 8L 8L bytes m |> addHandle id (p.Start + 8L) false bytes, ROk
            | WNested(tx, b, e) -> wScope tx None b e m
            | WAttempt(tx, b, e) ->
                match wScope tx None b e m with
                | m, RExn x -> m, RExn x
                | m, _ -> m, ROk
            | WBudget(tx, l, orError, b, e) ->
                match wScope tx (Some l) b e m with
                | m, RExn Budget when orError -> m, RErr
                | m, r -> m, r

        if r = ROk then wBody rest ending m else m, r

/// Runs `f` unless the arena is disposed (then ObjectDisposedException).
let private disposedOr (m: Model) (f: Model -> Model) =
    if m.ArenaDisposed then expect (Throws Disposed) m else f m

/// Runs `f` unless the arena is disposed or transaction `tx` has ended (then InvalidOperationException).
let private activeTx (m: Model) (tx: int) (f: Model -> Model) =
    disposedOr m (fun m -> if txActive m tx then f m else expect (Throws InvalidOp) m)

/// Allocations: raw memory, values, slices, strings, and the requests the arena refuses.
let private stepAllocation (op: Op) (m: Model) : Model =
    match op with
    | AllocRaw(id, via, size, align, api) ->
        match viaFailure via m with
        | Some e -> expect (Throws e) m
        | None ->
            let tryApi =
                match api with
                | TryRaw
                | TryZeroed
                | TryCacheAligned -> true
                | _ -> false

            let align =
                match api with
                | CacheAligned
                | TryCacheAligned -> 64L
                | _ -> align

            if size = 0L then
                m
            elif size > maxRequest then
                expect (if tryApi then Refused else Throws ArgRange) m
            else
                fst (request id size align (Content.raw id size) tryApi m)
    | AllocValue(id, via, elem, api) ->
        match viaFailure via m with
        | Some e -> expect (Throws e) m
        | None ->
            let size = int64 (Elem.size elem)
            let tryApi = (api = VTry || api = VTryUninit)
            let bytes = Content.elems elem id 1

            match request id size (int64 (Elem.align elem)) bytes tryApi m with
            | m, None -> m
            | m, Some p ->
                let m =
                    match api with
                    | VAlloc
                    | VHandle
                    | VTry -> trackElems elem id 1 (p.Start + size) m
                    | _ -> m

                match api with
                | VHandle
                | VTry
                | VTryUninit -> addHandle id (p.Start + size) false bytes m
                | _ -> m
    | AllocSlice(id, via, elem, count, api) ->
        match viaFailure via m with
        | Some e -> expect (Throws e) m
        | None when api = SSeq -> seqSlice id elem count m
        | None ->
            let size = int64 (count * Elem.size elem)
            let bytes = Content.elems elem id count

            if size = 0L then
                if sliceHandle api then addHandle id 0L true [||] m else m
            else
                match request id size (int64 (Elem.align elem)) bytes (sliceTry api) m with
                | m, None -> m
                | m, Some p ->
                    let m =
                        if sliceTracked api then
                            trackElems elem id count (p.Start + size) m
                        else
                            m

                    if sliceHandle api then
                        addHandle id (p.Start + size) false bytes m
                    else
                        m
    | AllocString(id, via, text, api) ->
        match viaFailure via m with
        | Some e -> expect (Throws e) m
        | None ->
            let bytes, align =
                match api with
                | Utf8
                | TryUtf8 -> Encoding.UTF8.GetBytes text, 1L
                | _ -> Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan()).ToArray(), 2L

            let tryApi = (api = TryUtf16 || api = TryUtf8)

            if bytes.Length = 0 then
                if api = Utf16Handle then addHandle id 0L true [||] m else m
            else
                match request id (int64 bytes.Length) align bytes tryApi m with
                | m, Some p when api = Utf16Handle -> addHandle id (p.Start + int64 bytes.Length) false bytes m
                | m, _ -> m
    | BadRaw(via, bad, tryApi) ->
        match via with
        | ViaTx tx when not (txActive m tx) -> expect (Throws InvalidOp) m
        | _ ->
            match bad with
            | TooLarge when tryApi -> expect Refused m
            | _ -> expect (Throws ArgRange) m
    | LyingSlice(via, promised, _) ->
        match viaFailure via m with
        | Some e -> expect (Throws e) m
        | None ->
            let before = here m

            if promised = 0 then
                expect (Throws InvalidOp) m
            else
                match bump m (int64 promised * 8L) 8L with
                | Error e -> expect (Throws e) m
                | Result.Ok(m2, _) -> rewindTo before m2 |> expect (Throws InvalidOp)
    | ThrowingGen(via, count, _) ->
        match viaFailure via m with
        | Some e -> expect (Throws e) m
        | None ->
            let before = here m

            match bump m (int64 count * 8L) 8L with
            | Error e -> expect (Throws e) m
            | Result.Ok(m2, _) -> rewindTo before m2 |> expect (Throws Body)
    | other -> failwithf "not an allocation: %s" (show other)

/// Positions: checkpoints, rewinds, Reset and Trim.
let private stepPosition (op: Op) (m: Model) : Model =
    match op with
    | TakeCheckpoint id ->
        disposedOr m (fun m ->
            { m with
                Checkpoints = m.Checkpoints.Add(id, { At = here m; Stale = false })
            })
    | Rewind cp ->
        disposedOr m (fun m ->
            let c = m.Checkpoints[cp]

            if c.Stale then
                expect (Throws Arg) m
            elif c.At.Position < innermostStart m then
                expect (Throws InvalidOp) m
            else
                rewindTo c.At m)
    | RewindForeign
    | RewindDefault -> disposedOr m (expect (Throws Arg))
    | RewindToTxStart tx ->
        activeTx m tx (fun m ->
            let start = (m.Frames |> List.find (fun f -> f.Tx = tx)).Start

            if start.Position < innermostStart m then
                expect (Throws InvalidOp) m
            else
                rewindTo start m)
    | Reset ->
        disposedOr m (fun m ->
            if not m.Frames.IsEmpty then
                expect (Throws InvalidOp) m
            else
                rewindTo
                    {
                        Block = 0
                        Offset = 0L
                        Position = 0L
                    }
                    m)
    | Trim ->
        disposedOr m (fun m ->
            let after = trimTo 0L m

            { after with
                Value = reserved m - reserved after
            })
    | other -> failwithf "not a position operation: %s" (show other)

/// Transactions: begin, savepoints, commit, rollback, Dispose, budgets and status.
let private stepTransaction (op: Op) (m: Model) : Model =
    match op with
    | Begin id -> disposedOr m (openTx id)
    | Savepoint(tx, id) ->
        activeTx m tx (fun m ->
            if isInnermost m tx then
                openTx id m
            else
                expect (Throws InvalidOp) m)
    | Commit tx ->
        activeTx m tx (fun m ->
            if isInnermost m tx then
                commit tx m
            else
                expect (Throws InvalidOp) m)
    | Rollback tx -> activeTx m tx (rollback tx)
    | DisposeTx tx ->
        if not m.ArenaDisposed && txActive m tx then
            rollback tx m
        else
            m
    | SetLimit(tx, bytes) ->
        activeTx m tx (fun m ->
            if bytes < 0L then
                expect (Throws ArgRange) m
            else
                setLimit tx bytes m)
    | Status tx ->
        match txStatus tx m with
        | Result.Ok s ->
            { m with
                Value =
                    match s with
                    | Active -> 0L
                    | Committed -> 1L
                    | RolledBack -> 2L
            }
        | Error e -> expect (Throws e) m
    | other -> failwithf "not a transaction operation: %s" (show other)

/// Scoped runs: the closure APIs (WithTransaction, CommitIf, WithTransactionInfallible) and F# workflows.
let private stepScope (op: Op) (m: Model) : Model =
    match op with
    | Closure(id, kind, limit, body, ending) ->
        disposedOr m (fun m ->
            let m = openTx id m

            let m =
                match limit with
                | Some l -> setLimit id l m
                | None -> m

            // Run the body until an allocation fails.
            let rec run (j: int) (body: (int64 * int64) list) (m: Model) =
                match body with
                | [] -> m, None
                | (size, align) :: rest ->
                    let aid = id + 1 + j

                    match bump m size align with
                    | Error e -> m, Some e
                    | Result.Ok(m, p) -> run (j + 1) rest (addAlloc aid p size align (Content.raw aid size) m)

            let m, failure = run 0 body m

            let failure =
                match failure with
                | Some e -> Some e
                | None when ending = Throw -> Some Body
                | None -> None

            match kind, failure with
            | Infallible, Some e -> commit id m |> expect (Throws e)
            | Infallible, None -> commit id m
            | _, Some e -> rollback id m |> expect (Throws e)
            | CommitIf, None when ending = Discard -> rollback id m |> expect Refused
            | _, None -> commit id m)
    | Workflow(id, steps, ending) ->
        disposedOr m (fun m ->
            let m, r = wScope id None steps ending m
            // The workflow's own transactions are not the program's: forget them (their outcomes stay).
            let m =
                { m with
                    Txs = List.fold (fun (txs: Map<int, Tx>) t -> txs.Remove t) m.Txs (id :: scopeIds steps)
                }

            // Memory an inner scope gave back may hold later allocations of the same workflow: no poison check.
            let m = { m with Dropped = [] }

            match r with
            | ROk -> m
            | RErr -> expect Refused m
            | RExn e -> expect (Throws e) m)
    | other -> failwithf "not a scoped run: %s" (show other)

/// Handles and the arena's own lifetime: reading a handle, disposing the arena.
let private stepLifetime (op: Op) (m: Model) : Model =
    match op with
    | ReadHandle h ->
        let handle = m.Handles[h]

        if handle.Checked && m.ArenaDisposed then
            expect (Throws Disposed) m
        elif handle.Checked && handle.Stale then
            expect (Throws InvalidOp) m
        else
            m
    | DisposeArena -> if m.ArenaDisposed then m else disposeArena m
    | other -> failwithf "not a lifetime operation: %s" (show other)

/// The model's step: the state after `op`, with what the real arena must do in Expect/Steps/Value.
/// One function per family of operations; this one clears the per-operation fields and dispatches.
let step (op: Op) (m0: Model) : Model =
    let m =
        { m0 with
            Expect = Ok
            Steps = []
            Dropped = []
            Value = 0L
            DisposedSteps = (if m0.ArenaDisposed then m0.DisposedSteps + 1 else 0)
            NextId = max m0.NextId (lastId op + 1)
        }

    match op with
    | AllocRaw _
    | AllocValue _
    | AllocSlice _
    | AllocString _
    | BadRaw _
    | LyingSlice _
    | ThrowingGen _ -> stepAllocation op m
    | TakeCheckpoint _
    | Rewind _
    | RewindForeign
    | RewindDefault
    | RewindToTxStart _
    | Reset
    | Trim -> stepPosition op m
    | Begin _
    | Savepoint _
    | Commit _
    | Rollback _
    | DisposeTx _
    | SetLimit _
    | Status _ -> stepTransaction op m
    | Closure _
    | Workflow _ -> stepScope op m
    | ReadHandle _
    | DisposeArena -> stepLifetime op m
    | List(id, via, elem, capacity, steps, ending) -> runList id via elem capacity steps ending m

/// Whether `op` may run in state `m` (it refers only to things that exist, and is defined behaviour).
let pre (op: Op) (m: Model) =
    let hasTx tx = m.Txs.ContainsKey tx

    let viaOk =
        function
        | Direct -> true
        | ViaTx tx -> hasTx tx

    match op with
    | AllocRaw(_, via, _, _, _)
    | AllocValue(_, via, _, _)
    | AllocSlice(_, via, _, _, _)
    | AllocString(_, via, _, _)
    | List(_, via, _, _, _, _)
    | LyingSlice(via, _, _)
    | ThrowingGen(via, _, _) -> viaOk via
    | BadRaw(via, _, _) -> viaOk via && not m.ArenaDisposed
    | Rewind cp -> m.Checkpoints.ContainsKey cp
    | RewindToTxStart tx
    | Savepoint(tx, _)
    | Commit tx
    | Rollback tx
    | DisposeTx tx
    | SetLimit(tx, _)
    | Status tx -> hasTx tx
    | ReadHandle h ->
        match m.Handles.TryFind h with
        | Some handle -> handle.Checked || not (handle.Stale || m.ArenaDisposed)
        | None -> false
    | TakeCheckpoint _
    | RewindForeign
    | RewindDefault
    | Reset
    | Trim
    | Begin _
    | Closure _
    | Workflow _
    | DisposeArena -> true

// -------------------------------------------------------------------------------------------------
// Shrinking inside an operation.
// -------------------------------------------------------------------------------------------------

let rec private shrinkSteps (steps: WStep list) : seq<WStep list> =
    seq {
        for i in 0 .. steps.Length - 1 do
            yield List.removeAt i steps

        for i in 0 .. steps.Length - 1 do
            match steps[i] with
            | WAlloc _ -> ()
            | WNested(id, b, e) ->
                for b2 in shrinkSteps b do
                    yield List.updateAt i (WNested(id, b2, e)) steps
            | WAttempt(id, b, e) ->
                for b2 in shrinkSteps b do
                    yield List.updateAt i (WAttempt(id, b2, e)) steps
            | WBudget(id, l, o, b, e) ->
                for b2 in shrinkSteps b do
                    yield List.updateAt i (WBudget(id, l, o, b2, e)) steps
    }

/// Simpler versions of one operation (fewer steps, smaller sizes), for the shrinker.
let shrinkOp (op: Op) : seq<Op> =
    seq {
        match op with
        | Workflow(id, steps, ending) ->
            for s in shrinkSteps steps do
                yield Workflow(id, s, ending)
        | List(id, via, elem, cap, steps, ending) ->
            for i in 0 .. steps.Length - 1 do
                yield List(id, via, elem, cap, List.removeAt i steps, ending)

            if cap > 0 then
                yield List(id, via, elem, 0, steps, ending)
        | Closure(id, kind, limit, body, ending) ->
            for i in 0 .. body.Length - 1 do
                yield Closure(id, kind, limit, List.removeAt i body, ending)
        | AllocRaw(id, via, size, align, api) when size > 1L -> yield AllocRaw(id, via, size / 2L, align, api)
        | AllocSlice(id, via, elem, count, api) when count > 1 -> yield AllocSlice(id, via, elem, count / 2, api)
        | AllocString(id, via, text, api) when text.Length > 1 ->
            yield AllocString(id, via, text.Substring(0, text.Length / 2), api)
        | _ -> ()
    }
