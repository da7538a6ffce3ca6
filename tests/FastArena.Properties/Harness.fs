/// The real side of the state machine: runs each operation on a real Arena, then checks everything
/// the model predicts (outcome, stats, depth, contents, addresses, overlap, alignment, handles,
/// budgets, the disposal log).
module FastArena.Properties.Harness

#nowarn "9" "51"

open System
open System.Collections
open System.Collections.Generic
open System.Runtime.CompilerServices
open System.Runtime.InteropServices
open System.Threading
open FSharp.NativeInterop
open FastArena
open FastArena.Properties.Model
open FastArena.Properties.Ops
open FastArena.Properties.Workflows

/// Where tracked values report their disposal: the log of the harness running on this thread.
[<AbstractClass; Sealed>]
type Sink =
    [<ThreadStatic; DefaultValue>]
    static val mutable private current: ResizeArray<int> | null

    static member Current
        with get () = Sink.current
        and set (v: ResizeArray<int> | null) = Sink.current <- v

/// A disposable unmanaged value: Dispose() logs its id.
[<Struct>]
type Tracked =
    val Id: int
    new(id) = { Id = id }

    interface IDisposable with
        member x.Dispose() =
            match Sink.Current with
            | null -> ()
            | log -> log.Add x.Id

/// Three bytes, alignment 1.
[<Struct; StructLayout(LayoutKind.Sequential)>]
type ThreeBytes =
    val A: byte
    val B: byte
    val C: byte

/// A collection whose Count lies about what it yields.
type LyingCollection(promised: int, actual: int) =
    let items = Array.init actual int64

    interface ICollection<int64> with
        member _.Count = promised
        member _.IsReadOnly = true
        member _.Add _ = raise (NotSupportedException())
        member _.Clear() = raise (NotSupportedException())
        member _.Contains x = Array.contains x items
        member _.CopyTo(array, index) = items.CopyTo(array, index)
        member _.Remove _ = raise (NotSupportedException())

    interface IEnumerable<int64> with
        member _.GetEnumerator() =
            (items :> IEnumerable<int64>).GetEnumerator()

    interface IEnumerable with
        member _.GetEnumerator() = items.GetEnumerator()

/// Counters for the report: programs and operations run in this process.
type Counters() =
    static let mutable programs = 0L
    static let mutable operations = 0L

    /// Counts a program; every 1,000th prints a progress line to stderr (a default run makes about 10,000).
    static member Program() =
        let n = Interlocked.Increment(&programs)

        if n % 1000L = 0L then
            eprintfn "properties: %d programs run" n

    static member Operation() =
        Interlocked.Increment(&operations) |> ignore

    static member Programs = Interlocked.Read(&programs)
    static member Operations = Interlocked.Read(&operations)

/// Coverage: how often each kind of operation ended in each outcome (printed with FASTARENA_PROPERTY_STATS=1).
type Coverage() =
    static let counts = System.Collections.Concurrent.ConcurrentDictionary<string, int64>()

    static let tag =
        Microsoft.FSharp.Reflection.FSharpValue.PreComputeUnionTagReader(typeof<Op>)

    static let names =
        Microsoft.FSharp.Reflection.FSharpType.GetUnionCases(typeof<Op>)
        |> Array.map (fun c -> c.Name)

    static member Add (op: Op) (outcome: string) =
        let key = names[tag (box op)] + " -> " + outcome
        counts.AddOrUpdate(key, 1L, (fun _ n -> n + 1L)) |> ignore

    static member Report() =
        counts
        |> Seq.sortBy (fun kv -> kv.Key)
        |> Seq.map (fun kv -> sprintf "%10d  %s" kv.Value kv.Key)

/// An exception the arena must never throw.
exception Unexpected of exn

type HandleBox =
    {
        Read: unit -> byte[]
        IsLive: unit -> bool
    }

/// The real arena and everything the program made on it, by id.
type Harness(opt: Options) =
    let arena =
        new Arena(
            ArenaOptions(
                InitialBlockSize = opt.Initial,
                MaxBlockSize = opt.MaxBlock,
                MaxRetainedBytes = opt.MaxRetained,
                CheckedMode = opt.Checked,
                TrackDisposal = opt.Track
            )
        )

    let log = ResizeArray<int>()

    do
        Sink.Current <- log
        Counters.Program()

    member _.Arena = arena
    member _.Log = log
    member val Failed = false with get, set
    member val Allocs = Dictionary<int, struct (nativeint * int)>()
    member val Checkpoints = Dictionary<int, Checkpoint>()
    member val Txs = Dictionary<int, Transaction>()
    member val Handles = Dictionary<int, HandleBox>()
    /// Block id -> base address, learnt from the allocations seen so far.
    member val Bases = Dictionary<int, nativeint>()
    override _.ToString() = "arena"

let private classify (e: exn) =
    let t = e.GetType()

    if t = typeof<ArenaBudgetExceededException> then Budget
    elif t = typeof<ObjectDisposedException> then Disposed
    elif t = typeof<ArgumentOutOfRangeException> then ArgRange
    elif t = typeof<ArgumentException> then Arg
    elif t = typeof<InvalidOperationException> then InvalidOp
    elif t = typeof<BodyFailure> then Body
    else raise (Unexpected e)

let private attempt (f: unit -> Expect) =
    try
        f ()
    with
    | Unexpected _ -> reraise ()
    | e -> Throws(classify e)

let inline private ofVoid (p: voidptr) =
    NativePtr.toNativeInt (NativePtr.ofVoidPtr<byte> p)

let inline private toVoid (p: nativeint) =
    NativePtr.toVoidPtr (NativePtr.ofNativeInt<byte> p)

let private spanPtr (s: Span<'T>) =
    if s.IsEmpty then
        0n
    else
        ofVoid (Unsafe.AsPointer(&MemoryMarshal.GetReference s))

let private roPtr (s: ReadOnlySpan<'T>) =
    if s.IsEmpty then
        0n
    else
        ofVoid (Unsafe.AsPointer(&MemoryMarshal.GetReference s))

let private spanInfo (s: Span<'T>) = struct (spanPtr s, s.Length)

let private bytesAt (p: nativeint) (n: int) = ReadOnlySpan<byte>(toVoid p, n)

let private allZero (p: nativeint) (n: int) =
    let s = bytesAt p n
    s.IndexOfAnyExcept(0uy) < 0

/// Calls a function generic in the element type of `Elem`.
type IElemFn<'R> =
    abstract Invoke<'T when 'T: unmanaged and 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> : unit -> 'R

let private withElem (e: Elem) (f: IElemFn<'R>) =
    match e with
    | U8 -> f.Invoke<byte>()
    | I16 -> f.Invoke<int16>()
    | I32 -> f.Invoke<int>()
    | I64 -> f.Invoke<int64>()
    | GuidE -> f.Invoke<Guid>()
    | Dec -> f.Invoke<decimal>()
    | Odd3 -> f.Invoke<ThreeBytes>()
    | Trk -> f.Invoke<Tracked>()
    | Chr -> f.Invoke<char>()

let private toArray<'T when 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> (bytes: byte[]) =
    MemoryMarshal.Cast<byte, 'T>(ReadOnlySpan bytes).ToArray()

let private bytesOf (s: ReadOnlySpan<'T>) = MemoryMarshal.AsBytes(s).ToArray()

/// What an operation did on the real arena.
type Actual =
    {
        Outcome: Expect
        Steps: Expect list
        Value: int64
    }

/// Records allocation `id` at `p` and, if the model `m` keeps it, writes its contents when `write`.
let private record (h: Harness) (m: Model) (id: int) (p: nativeint) (n: int) (write: bool) =
    h.Allocs[id] <- struct (p, n)

    if write then
        match m.Allocs.TryFind id with
        | Some a when a.Bytes.Length = n -> a.Bytes.AsSpan().CopyTo(Span<byte>(toVoid p, n))
        | _ -> ()

let private zeroCheck (errors: ResizeArray<string>) (id: int) (p: nativeint) (n: int) =
    if n > 0 && not (allZero p n) then
        errors.Add(sprintf "a%d: zeroed allocation is not zero" id)

let private addHandle (h: Harness) (id: int) (read: unit -> byte[]) (isLive: unit -> bool) =
    h.Handles[id] <- { Read = read; IsLive = isLive }

let private result o = { Outcome = o; Steps = []; Value = 0L }

// One function per family of operations. Each runs `op` on the real arena; `m` is the model after the
// operation (it holds the expected contents).

/// Raw memory and single values.
let private execValue (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    let arena = h.Arena
    let tx id = h.Txs[id]
    let record = record h m
    let zeroCheck = zeroCheck errors
    let addHandle = addHandle h

    match op with
    | AllocRaw(id, via, size, align, api) ->
        let n = nativeint size
        let a = nativeint align
        let mutable p = ofVoid (NativePtr.toVoidPtr (NativePtr.nullPtr<byte>))

        let o =
            attempt (fun () ->
                let mutable q = NativePtr.toVoidPtr (NativePtr.nullPtr<byte>)

                let ok =
                    match api, via with
                    | Raw, Direct ->
                        q <- arena.AllocRaw(n, a)
                        true
                    | Raw, ViaTx t ->
                        q <- (tx t).AllocRaw(n, a)
                        true
                    | Zeroed, Direct ->
                        q <- arena.AllocZeroed(n, a)
                        true
                    | Zeroed, ViaTx t ->
                        q <- (tx t).AllocZeroed(n, a)
                        true
                    | CacheAligned, Direct ->
                        q <- arena.AllocCacheAligned(n)
                        true
                    | CacheAligned, ViaTx t ->
                        q <- (tx t).AllocCacheAligned(n)
                        true
                    | TryRaw, Direct -> arena.TryAllocRaw(n, a, &q)
                    | TryRaw, ViaTx t -> (tx t).TryAllocRaw(n, a, &q)
                    | TryZeroed, Direct -> arena.TryAllocZeroed(n, a, &q)
                    | TryZeroed, ViaTx t -> (tx t).TryAllocZeroed(n, a, &q)
                    | TryCacheAligned, Direct -> arena.TryAllocCacheAligned(n, &q)
                    | TryCacheAligned, ViaTx t -> (tx t).TryAllocCacheAligned(n, &q)

                p <- ofVoid q
                if ok then Ok else Refused)

        if o = Ok then
            let align =
                match api with
                | CacheAligned
                | TryCacheAligned -> 64n
                | _ -> a

            if p = 0n then
                errors.Add(sprintf "a%d: null address" id)
            elif p % align <> 0n then
                errors.Add(sprintf "a%d: address %x not aligned to %d" id p align)

            if size > 0L then
                match api with
                | Zeroed
                | TryZeroed -> zeroCheck id p (int size)
                | _ -> ()

                record id p (int size) true

        result o
    | AllocValue(id, via, elem, api) ->
        let bytes = Content.elems elem id 1

        withElem
            elem
            { new IElemFn<Actual> with
                member _.Invoke<'T when 'T: unmanaged and 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType>() =
                    let v = MemoryMarshal.Read<'T>(ReadOnlySpan bytes)
                    let n = bytes.Length

                    let handle (hnd: ArenaRef<'T>) =
                        let p = NativePtr.toNativeInt (hnd.DangerousGetPointer())
                        record id p n false

                        addHandle id (fun () -> bytesOf (ReadOnlySpan [| hnd.Value |])) (fun () -> hnd.IsLive)

                    let o =
                        attempt (fun () ->
                            match api with
                            | VAlloc ->
                                let r =
                                    match via with
                                    | Direct -> &arena.Alloc<'T>(v)
                                    | ViaTx t -> &(tx t).Alloc<'T>(v)

                                record id (ofVoid (Unsafe.AsPointer(&r))) n false
                                Ok
                            | VHandle ->
                                let hnd =
                                    match via with
                                    | Direct -> arena.AllocHandle<'T>(v)
                                    | ViaTx t -> (tx t).AllocHandle<'T>(v)

                                handle hnd
                                Ok
                            | VTry ->
                                let mutable hnd = ArenaRef<'T>()

                                let ok =
                                    match via with
                                    | Direct -> arena.TryAlloc<'T>(v, &hnd)
                                    | ViaTx t -> (tx t).TryAlloc<'T>(v, &hnd)

                                if ok then
                                    handle hnd
                                    Ok
                                else
                                    Refused
                            | VUninit ->
                                let r =
                                    match via with
                                    | Direct -> &arena.AllocUninitialized<'T>()
                                    | ViaTx t -> &(tx t).AllocUninitialized<'T>()

                                r <- v
                                record id (ofVoid (Unsafe.AsPointer(&r))) n false
                                Ok
                            | VTryUninit ->
                                let mutable hnd = ArenaRef<'T>()

                                let ok =
                                    match via with
                                    | Direct -> arena.TryAllocUninitialized<'T>(&hnd)
                                    | ViaTx t -> (tx t).TryAllocUninitialized<'T>(&hnd)

                                if ok then
                                    hnd.Value <- v
                                    handle hnd
                                    Ok
                                else
                                    Refused)

                    result o
            }
    | other -> failwithf "not a raw or value allocation: %s" (show other)

/// Slices and strings.
let private execSlice (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    let arena = h.Arena
    let tx id = h.Txs[id]
    let record = record h m
    let zeroCheck = zeroCheck errors
    let addHandle = addHandle h

    match op with
    | AllocSlice(id, via, elem, count, api) ->
        let bytes =
            if api = SSeq then
                listValueBytes elem [ for k in 0 .. count - 1 -> Content.trackedId id k ]
            else
                Content.elems elem id count

        withElem
            elem
            { new IElemFn<Actual> with
                member _.Invoke<'T when 'T: unmanaged and 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType>() =
                    let arr = toArray<'T> bytes
                    let n = bytes.Length

                    let got (struct (p: nativeint, length: int)) (zeroed: bool) (fill: bool) =
                        if length <> count then
                            errors.Add(sprintf "a%d: slice of %d elements, expected %d" id length count)
                        elif n > 0 then
                            if zeroed then
                                zeroCheck id p n

                            record id p n fill

                    let handle (hs: ArenaSlice<'T>) (zeroed: bool) =
                        got (struct (NativePtr.toNativeInt (hs.DangerousGetPointer()), hs.Length)) zeroed zeroed
                        addHandle id (fun () -> bytesOf (ReadOnlySpan(hs.ToArray()))) (fun () -> hs.IsLive)

                    let gen = Func<int, 'T>(fun i -> arr[i])

                    let o =
                        attempt (fun () ->
                            let target: Choice<Arena, Transaction> =
                                match via with
                                | Direct -> Choice1Of2 arena
                                | ViaTx t -> Choice2Of2(tx t)

                            let mutable s = Span<'T>()
                            let mutable hs = ArenaSlice<'T>()

                            match api, target with
                            | SSpan, Choice1Of2 a -> got (spanInfo (a.AllocSlice(ReadOnlySpan arr))) false false
                            | SSpan, Choice2Of2 t -> got (spanInfo (t.AllocSlice(ReadOnlySpan arr))) false false
                            | SZeroed, Choice1Of2 a -> got (spanInfo (a.AllocSlice<'T>(count))) true true
                            | SZeroed, Choice2Of2 t -> got (spanInfo (t.AllocSlice<'T>(count))) true true
                            | SUninit, Choice1Of2 a -> got (spanInfo (a.AllocSliceUninitialized<'T>(count))) false true
                            | SUninit, Choice2Of2 t -> got (spanInfo (t.AllocSliceUninitialized<'T>(count))) false true
                            | SGen, Choice1Of2 a -> got (spanInfo (a.AllocSlice(count, gen))) false false
                            | SGen, Choice2Of2 t -> got (spanInfo (t.AllocSlice(count, gen))) false false
                            | SEnum, Choice1Of2 a -> got (spanInfo (a.AllocSlice(arr :> seq<'T>))) false false
                            | SEnum, Choice2Of2 t -> got (spanInfo (t.AllocSlice(arr :> seq<'T>))) false false
                            | SSeq, Choice1Of2 a -> got (spanInfo (a.AllocSlice(Seq.map (fun x -> x) arr))) false false
                            | SSeq, Choice2Of2 t -> got (spanInfo (t.AllocSlice(Seq.map (fun x -> x) arr))) false false
                            | SHandle, Choice1Of2 a -> handle (a.AllocSliceHandle(ReadOnlySpan arr)) false
                            | SHandle, Choice2Of2 t -> handle (t.AllocSliceHandle(ReadOnlySpan arr)) false
                            | SHandleZeroed, Choice1Of2 a -> handle (a.AllocSliceHandle<'T>(count)) true
                            | SHandleZeroed, Choice2Of2 t -> handle (t.AllocSliceHandle<'T>(count)) true
                            | _ ->
                                let ok, zeroed, fill =
                                    match api, target with
                                    | STrySpan, Choice1Of2 a -> a.TryAllocSlice(ReadOnlySpan arr, &s), false, false
                                    | STrySpan, Choice2Of2 t -> t.TryAllocSlice(ReadOnlySpan arr, &s), false, false
                                    | STryZeroed, Choice1Of2 a -> a.TryAllocSlice<'T>(count, &s), true, true
                                    | STryZeroed, Choice2Of2 t -> t.TryAllocSlice<'T>(count, &s), true, true
                                    | STryUninit, Choice1Of2 a ->
                                        a.TryAllocSliceUninitialized<'T>(count, &s), false, true
                                    | STryUninit, Choice2Of2 t ->
                                        t.TryAllocSliceUninitialized<'T>(count, &s), false, true
                                    | STryGen, Choice1Of2 a -> a.TryAllocSlice(count, gen, &s), false, false
                                    | STryGen, Choice2Of2 t -> t.TryAllocSlice(count, gen, &s), false, false
                                    | STryEnum, Choice1Of2 a -> a.TryAllocSlice(arr :> seq<'T>, &s), false, false
                                    | STryEnum, Choice2Of2 t -> t.TryAllocSlice(arr :> seq<'T>, &s), false, false
                                    | STryHandle, Choice1Of2 a ->
                                        a.TryAllocSliceHandle(ReadOnlySpan arr, &hs), false, false
                                    | STryHandle, Choice2Of2 t ->
                                        t.TryAllocSliceHandle(ReadOnlySpan arr, &hs), false, false
                                    | _ -> failwith "unreachable"

                                if ok then
                                    if api = STryHandle then
                                        handle hs false
                                    else
                                        got (spanInfo s) zeroed fill

                            if
                                api <> STrySpan
                                && api <> STryZeroed
                                && api <> STryUninit
                                && api <> STryGen
                                && api <> STryEnum
                                && api <> STryHandle
                            then
                                Ok
                            elif count = 0 || h.Allocs.ContainsKey id || h.Handles.ContainsKey id then
                                Ok
                            else
                                Refused)

                    result o
            }
    | AllocString(id, via, text, api) ->
        let o =
            attempt (fun () ->
                let span = text.AsSpan()

                let got (p: nativeint) (n: int) =
                    if n > 0 then
                        record id p n false

                match api, via with
                | Utf16, Direct ->
                    let s = arena.AllocString(span)
                    got (roPtr s) (s.Length * 2)
                    Ok
                | Utf16, ViaTx t ->
                    let s = (tx t).AllocString(span)
                    got (roPtr s) (s.Length * 2)
                    Ok
                | Utf16Handle, _ ->
                    let hs =
                        match via with
                        | Direct -> arena.AllocStringHandle(span)
                        | ViaTx t -> (tx t).AllocStringHandle(span)

                    got (NativePtr.toNativeInt (hs.DangerousGetPointer())) (hs.Length * 2)
                    addHandle id (fun () -> bytesOf (ReadOnlySpan(hs.ToArray()))) (fun () -> hs.IsLive)
                    Ok
                | TryUtf16, _ ->
                    let mutable s = ReadOnlySpan<char>()

                    let ok =
                        match via with
                        | Direct -> arena.TryAllocString(span, &s)
                        | ViaTx t -> (tx t).TryAllocString(span, &s)

                    if ok then
                        got (roPtr s) (s.Length * 2)
                        Ok
                    else
                        Refused
                | Utf8, _ ->
                    let s =
                        match via with
                        | Direct -> arena.AllocUtf8(span)
                        | ViaTx t -> (tx t).AllocUtf8(span)

                    got (roPtr s) s.Length
                    Ok
                | TryUtf8, _ ->
                    let mutable s = ReadOnlySpan<byte>()

                    let ok =
                        match via with
                        | Direct -> arena.TryAllocUtf8(span, &s)
                        | ViaTx t -> (tx t).TryAllocUtf8(span, &s)

                    if ok then
                        got (roPtr s) s.Length
                        Ok
                    else
                        Refused)

        result o
    | other -> failwithf "not a slice or string allocation: %s" (show other)

/// Requests the arena refuses: bad sizes and alignments, lying collections, throwing generators.
let private execRefused (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    let arena = h.Arena
    let tx id = h.Txs[id]
    let record = record h m
    let zeroCheck = zeroCheck errors
    let addHandle = addHandle h

    match op with
    | BadRaw(via, bad, tryApi) ->
        let size, align =
            match bad with
            | NegativeSize -> -1n, 8n
            | BadAlignment -> 16n, 24n
            | TooLarge -> nativeint (maxRequest + 1L), 8n

        attempt (fun () ->
            let mutable q = NativePtr.toVoidPtr (NativePtr.nullPtr<byte>)

            match via, tryApi with
            | Direct, false ->
                arena.AllocRaw(size, align) |> ignore
                Ok
            | ViaTx t, false ->
                (tx t).AllocRaw(size, align) |> ignore
                Ok
            | Direct, true -> if arena.TryAllocRaw(size, align, &q) then Ok else Refused
            | ViaTx t, true -> if (tx t).TryAllocRaw(size, align, &q) then Ok else Refused)
        |> result
    | LyingSlice(via, promised, actual) ->
        attempt (fun () ->
            let items = LyingCollection(promised, actual) :> seq<int64>

            let s =
                match via with
                | Direct -> arena.AllocSlice(items)
                | ViaTx t -> (tx t).AllocSlice(items)

            ignore s.Length
            Ok)
        |> result
    | ThrowingGen(via, count, at) ->
        attempt (fun () ->
            let gen =
                Func<int, int64>(fun i -> if i = at then raise (BodyFailure()) else int64 i)

            let s =
                match via with
                | Direct -> arena.AllocSlice(count, gen)
                | ViaTx t -> (tx t).AllocSlice(count, gen)

            ignore s.Length
            Ok)
        |> result
    | other -> failwithf "not a refused request: %s" (show other)

/// Lists: a list's whole life, from its creation to Finish, FinishHandle or Dispose.
let private execList (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    let arena = h.Arena
    let tx id = h.Txs[id]
    let record = record h m
    let zeroCheck = zeroCheck errors
    let addHandle = addHandle h

    match op with
    | List(id, via, elem, capacity, steps, ending) ->
        withElem
            elem
            { new IElemFn<Actual> with
                member _.Invoke<'T when 'T: unmanaged and 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType>() =
                    let value (k: int) =
                        MemoryMarshal.Read<'T>(ReadOnlySpan(listValueBytes elem [ Content.trackedId id k ]))

                    let mutable list = ArenaList<'T>()
                    let mutable opened = Ok

                    try
                        match via with
                        | Direct ->
                            list <-
                                if capacity > 0 then
                                    new ArenaList<'T>(arena, capacity)
                                else
                                    new ArenaList<'T>(arena)
                        | ViaTx t ->
                            list <- new ArenaList<'T>(tx t)

                            if capacity > 0 then
                                try
                                    list.ReserveExact capacity
                                with _ ->
                                    list.Dispose()
                                    reraise ()
                    with
                    | Unexpected _ -> reraise ()
                    | e -> opened <- Throws(classify e)

                    if opened <> Ok then
                        result opened
                    else
                        let outcomes = ResizeArray<Expect>()
                        let mutable next = 0
                        let mutable other = id + 1

                        // LAfterDispose: the arena goes just before one more step on the open list.
                        let allSteps, disposeAt =
                            match ending with
                            | LAfterDispose s -> steps @ [ s ], steps.Length
                            | _ -> steps, -1

                        for i in 0 .. allSteps.Length - 1 do
                            let step = allSteps[i]

                            if i = disposeAt then
                                arena.Dispose()

                            let o =
                                try
                                    match step with
                                    | LAdd ->
                                        next <- next + 1
                                        list.Add(value (next - 1))
                                        Ok
                                    | LTryAdd ->
                                        next <- next + 1
                                        if list.TryAdd(value (next - 1)) then Ok else Refused
                                    | LAddRange n ->
                                        let arr = Array.init n (fun k -> value (next + k))
                                        next <- next + n
                                        list.AddRange(ReadOnlySpan arr)
                                        Ok
                                    | LAddRangeArr n ->
                                        let arr = Array.init n (fun k -> value (next + k))
                                        next <- next + n
                                        list.AddRange(arr :> seq<'T>)
                                        Ok
                                    | LPop ->
                                        list.Pop() |> ignore
                                        Ok
                                    | LTryPop ->
                                        let mutable x = Unchecked.defaultof<'T>
                                        if list.TryPop(&x) then Ok else Refused
                                    | LClear ->
                                        list.Clear()
                                        Ok
                                    | LTruncate k ->
                                        list.Truncate k
                                        Ok
                                    | LReserve n ->
                                        list.Reserve n
                                        Ok
                                    | LReserveExact n ->
                                        list.ReserveExact n
                                        Ok
                                    | LTryReserve n -> if list.TryReserve n then Ok else Refused
                                    | LOther(size, align) ->
                                        let oid = other
                                        other <- other + 1
                                        let q = arena.AllocRaw(nativeint size, nativeint align)
                                        record oid (ofVoid q) (int size) true
                                        Ok
                                with
                                | Unexpected _ -> reraise ()
                                | e ->
                                    match step with
                                    | LOther _ -> ()
                                    | _ -> ()

                                    Throws(classify e)

                            outcomes.Add o

                        let count = list.Count

                        match ending with
                        | LFinish ->
                            let s = list.Finish()

                            if s.Length <> count then
                                errors.Add "Finish: wrong length"
                            elif count > 0 then
                                record id (spanPtr s) (count * sizeof<'T>) false
                        | LFinishHandle ->
                            let hs = list.FinishHandle()

                            if count > 0 then
                                record id (NativePtr.toNativeInt (hs.DangerousGetPointer())) (count * sizeof<'T>) false

                            addHandle id (fun () -> bytesOf (ReadOnlySpan(hs.ToArray()))) (fun () -> hs.IsLive)
                        | LDrop
                        | LAfterDispose _ -> list.Dispose()

                        {
                            Outcome = Ok
                            Steps = List.ofSeq outcomes
                            Value = 0L
                        }
            }
    | other -> failwithf "not a list: %s" (show other)

/// Positions: checkpoints, rewinds, Reset and Trim.
let private execPosition (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    let arena = h.Arena
    let tx id = h.Txs[id]
    let record = record h m
    let zeroCheck = zeroCheck errors
    let addHandle = addHandle h

    match op with
    | TakeCheckpoint id ->
        attempt (fun () ->
            h.Checkpoints[id] <- arena.GetCheckpoint()
            Ok)
        |> result
    | Rewind cp ->
        attempt (fun () ->
            arena.Rewind(h.Checkpoints[cp])
            Ok)
        |> result
    | RewindForeign ->
        attempt (fun () ->
            let cp =
                use other = new Arena(64L)
                other.GetCheckpoint()

            arena.Rewind cp
            Ok)
        |> result
    | RewindDefault ->
        attempt (fun () ->
            arena.Rewind(Checkpoint())
            Ok)
        |> result
    | RewindToTxStart t ->
        attempt (fun () ->
            arena.Rewind((tx t).Checkpoint)
            Ok)
        |> result
    | Reset ->
        attempt (fun () ->
            arena.Reset()
            Ok)
        |> result
    | Trim ->
        let mutable freed = 0L

        let o =
            attempt (fun () ->
                freed <- arena.Trim()
                Ok)

        {
            Outcome = o
            Steps = []
            Value = freed
        }
    | other -> failwithf "not a position operation: %s" (show other)

/// Transactions: begin, savepoints, commit, rollback, Dispose, budgets and status.
let private execTransaction (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    let arena = h.Arena
    let tx id = h.Txs[id]
    let record = record h m
    let zeroCheck = zeroCheck errors
    let addHandle = addHandle h

    match op with
    | Begin id ->
        attempt (fun () ->
            h.Txs[id] <- arena.BeginTransaction()
            Ok)
        |> result
    | Savepoint(t, id) ->
        attempt (fun () ->
            h.Txs[id] <- (tx t).Savepoint()
            Ok)
        |> result
    | Commit t ->
        attempt (fun () ->
            (tx t).Commit()
            Ok)
        |> result
    | Rollback t ->
        attempt (fun () ->
            (tx t).Rollback()
            Ok)
        |> result
    | DisposeTx t ->
        attempt (fun () ->
            (tx t).Dispose()
            Ok)
        |> result
    | SetLimit(t, bytes) ->
        attempt (fun () ->
            (tx t).SetLimit bytes
            Ok)
        |> result
    | Status t ->
        let mutable v = 0L

        let o =
            attempt (fun () ->
                v <-
                    match (tx t).Status with
                    | TransactionStatus.Active -> 0L
                    | TransactionStatus.Committed -> 1L
                    | _ -> 2L

                Ok)

        { Outcome = o; Steps = []; Value = v }
    | other -> failwithf "not a transaction operation: %s" (show other)

/// Scoped runs: the closure APIs (WithTransaction, CommitIf, WithTransactionInfallible) and F# workflows.
let private execScope (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    let arena = h.Arena
    let tx id = h.Txs[id]
    let record = record h m
    let zeroCheck = zeroCheck errors
    let addHandle = addHandle h

    match op with
    | Closure(id, kind, limit, body, ending) ->
        let run (t: Transaction) =
            h.Txs[id] <- t

            match limit with
            | Some l -> t.SetLimit l
            | None -> ()

            body
            |> List.iteri (fun j (size, align) ->
                let q = t.AllocRaw(nativeint size, nativeint align)
                record (id + 1 + j) (ofVoid q) (int size) true)

            if ending = Throw then
                raise (BodyFailure())

        attempt (fun () ->
            match kind with
            | WithTx ->
                arena.WithTransaction(
                    Func<Transaction, int>(fun t ->
                        run t
                        0)
                )
                |> ignore

                Ok
            | CommitIf ->
                if
                    arena.CommitIf(
                        Func<Transaction, bool>(fun t ->
                            run t
                            ending <> Discard)
                    )
                then
                    Ok
                else
                    Refused
            | Infallible ->
                arena.WithTransactionInfallible(
                    Func<Transaction, int>(fun t ->
                        run t
                        0)
                )
                |> ignore

                Ok)
        |> result
    | Workflow(_, steps, ending) ->
        let onAlloc (aid: int) (hnd: ArenaRef<int64>) =
            record aid (NativePtr.toNativeInt (hnd.DangerousGetPointer())) 8 false
            addHandle aid (fun () -> bytesOf (ReadOnlySpan [| hnd.Value |])) (fun () -> hnd.IsLive)

        attempt (fun () ->
            match Workflows.run arena onAlloc steps ending with
            | Result.Ok() -> Ok
            | Result.Error _ -> Refused)
        |> result
    | other -> failwithf "not a scoped run: %s" (show other)

/// Handles and the arena's own lifetime: reading a handle, disposing the arena.
let private execLifetime (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    let arena = h.Arena
    let tx id = h.Txs[id]
    let record = record h m
    let zeroCheck = zeroCheck errors
    let addHandle = addHandle h

    match op with
    | ReadHandle hid ->
        attempt (fun () ->
            let got = h.Handles[hid].Read()
            let expected = m.Handles[hid].Bytes

            if not (got.AsSpan().SequenceEqual(expected)) then
                errors.Add(sprintf "handle of a%d reads %A, expected %A" hid got expected)

            Ok)
        |> result
    | DisposeArena ->
        attempt (fun () ->
            arena.Dispose()
            Ok)
        |> result
    | other -> failwithf "not a lifetime operation: %s" (show other)

/// Runs `op` on the real arena. `m` is the model after the operation (it holds the expected contents).
let exec (h: Harness) (op: Op) (m: Model) (errors: ResizeArray<string>) : Actual =
    match op with
    | AllocRaw _
    | AllocValue _ -> execValue h op m errors
    | AllocSlice _
    | AllocString _ -> execSlice h op m errors
    | BadRaw _
    | LyingSlice _
    | ThrowingGen _ -> execRefused h op m errors
    | List _ -> execList h op m errors
    | TakeCheckpoint _
    | Rewind _
    | RewindForeign
    | RewindDefault
    | RewindToTxStart _
    | Reset
    | Trim -> execPosition h op m errors
    | Begin _
    | Savepoint _
    | Commit _
    | Rollback _
    | DisposeTx _
    | SetLimit _
    | Status _ -> execTransaction h op m errors
    | Closure _
    | Workflow _ -> execScope h op m errors
    | ReadHandle _
    | DisposeArena -> execLifetime h op m errors

/// Checks the real arena against the model after an operation.
let verify (h: Harness) (m: Model) (errors: ResizeArray<string>) =
    let arena = h.Arena
    let err fmt = Printf.kprintf errors.Add fmt

    // The disposal log.
    if
        h.Log.Count <> m.DisposedCount
        || not (Seq.forall2 (=) h.Log (List.rev m.Disposed))
    then
        err "disposal log %A, expected %A" (List.ofSeq h.Log) (List.rev m.Disposed)

    // Handles: checked ones know they are stale; the others always say live.
    for KeyValue(id, hm) in m.Handles do
        let expected =
            if hm.Checked then
                not hm.Stale && not m.ArenaDisposed
            else
                true

        match h.Handles.TryGetValue id with
        | true, box ->
            let live = box.IsLive()

            if live <> expected then
                err "handle of a%d: IsLive %b, expected %b" id live expected
        | _ -> err "handle of a%d missing" id

    // Transactions that ended (or whose arena is gone) are not active.
    for KeyValue(id, t) in m.Txs do
        match h.Txs.TryGetValue id with
        | true, tx ->
            let expected = t.Status = Active && not m.ArenaDisposed

            if tx.IsActive <> expected then
                err "tx%d: IsActive %b, expected %b" id tx.IsActive expected
        | _ -> err "tx%d missing" id

    if m.ArenaDisposed then
        h.Allocs.Clear()

        if not arena.IsDisposed then
            err "arena not disposed"

        try
            arena.Stats |> ignore
            err "Stats did not throw after Dispose"
        with :? ObjectDisposedException ->
            ()
    else
        let stats = arena.Stats
        let pos = position m

        if stats.BytesAllocated <> pos then
            err "BytesAllocated %d, expected %d" stats.BytesAllocated pos

        if stats.BytesReserved <> reserved m then
            err "BytesReserved %d, expected %d" stats.BytesReserved (reserved m)

        if stats.BlockCount <> m.Blocks.Length then
            err "BlockCount %d, expected %d" stats.BlockCount m.Blocks.Length

        if arena.TransactionDepth <> m.Frames.Length then
            err "TransactionDepth %d, expected %d" arena.TransactionDepth m.Frames.Length

        let blockIds = m.Blocks |> Array.map (fun b -> b.Id) |> Set.ofArray

        // Checked mode: memory given back by this operation holds the poison byte (while its block is kept).
        if m.Opt.Checked then
            for id, blockId in m.Dropped do
                match h.Allocs.TryGetValue id with
                | true, struct (p, n) when blockIds.Contains blockId ->
                    if (bytesAt p n).IndexOfAnyExcept(Arena.PoisonByte) >= 0 then
                        err "a%d: given back but not poisoned" id
                | _ -> ()

        for id in List.ofSeq h.Allocs.Keys do
            if not (m.Allocs.ContainsKey id) then
                h.Allocs.Remove id |> ignore

        for id in List.ofSeq h.Bases.Keys do
            if not (blockIds.Contains id) then
                h.Bases.Remove id |> ignore

        // Every live allocation: present, aligned, at the predicted address, holding its bytes.
        let live = ResizeArray<struct (nativeint * int * int)>()

        for KeyValue(id, a) in m.Allocs do
            match h.Allocs.TryGetValue id with
            | true, struct (p, n) ->
                live.Add(struct (p, n, id))

                if n <> a.Bytes.Length then
                    err "a%d: %d bytes, expected %d" id n a.Bytes.Length

                if p % nativeint a.Align <> 0n then
                    err "a%d: address %x not aligned to %d" id p a.Align

                let b = p - nativeint a.Offset

                if b % 4096n <> 0n then
                    err "a%d: block base %x is not page-aligned (offset %d)" id b a.Offset

                match h.Bases.TryGetValue a.BlockId with
                | true, b0 when b0 <> b ->
                    err "a%d: address %x, expected block %d base %x + %d" id p a.BlockId b0 a.Offset
                | true, _ -> ()
                | _ -> h.Bases[a.BlockId] <- b

                if n = a.Bytes.Length && not ((bytesAt p n).SequenceEqual(a.Bytes)) then
                    err "a%d: contents changed" id
            | _ -> err "a%d: missing on the real side" id

        // No two live allocations overlap.
        live.Sort(fun (struct (p1, _, _)) (struct (p2, _, _)) -> compare p1 p2)

        for i in 1 .. live.Count - 1 do
            let struct (p1, n1, id1) = live[i - 1]
            let struct (p2, _, id2) = live[i]

            if p1 + nativeint n1 > p2 then
                err "a%d and a%d overlap" id1 id2

        if h.Bases.Count <> (h.Bases.Values |> Seq.distinct |> Seq.length) then
            err "two blocks share a base address"

        // Open transactions: bytes used, budgets, diffs.
        let frames = List.rev m.Frames

        frames
        |> List.iteri (fun i f ->
            let tx = h.Txs[f.Tx]

            if tx.Depth <> i + 1 then
                err "tx%d: Depth %d, expected %d" f.Tx tx.Depth (i + 1)

            if tx.BytesUsed <> pos - f.Start.Position then
                err "tx%d: BytesUsed %d, expected %d" f.Tx tx.BytesUsed (pos - f.Start.Position)

            let remaining = tx.BudgetRemaining

            // Null exactly when neither this transaction nor an enclosing one has a limit (a limit
            // whose end saturates at Int64.MaxValue is still a limit).
            let expected =
                if frames |> List.take (i + 1) |> List.forall (fun g -> g.Limit.IsNone) then
                    None
                else
                    Some(max 0L (f.BudgetEnd - pos))

            let actual = if remaining.HasValue then Some remaining.Value else None

            if actual <> expected then
                err "tx%d: BudgetRemaining %A, expected %A" f.Tx actual expected

            let limit = tx.Limit

            if (if limit.HasValue then Some limit.Value else None) <> f.Limit then
                err "tx%d: Limit %A, expected %A" f.Tx limit f.Limit

            let d = tx.Diff
            // No block yet: none touched.
            let touched =
                if m.Blocks.Length = 0 then
                    0
                else
                    m.Current - f.Start.Block + 1

            if
                d.BytesAllocated <> pos - f.Start.Position
                || d.BlocksTouched <> touched
                || d.BlocksCreated <> m.BlocksCreated - f.CreatedAtStart
            then
                err
                    "tx%d: Diff %A, expected (%d, %d, %d)"
                    f.Tx
                    d
                    (pos - f.Start.Position)
                    touched
                    (m.BlocksCreated - f.CreatedAtStart))

let private showExpect =
    function
    | Ok -> "succeed"
    | Refused -> "return false"
    | Throws e -> sprintf "throw %A" e

/// Runs one operation and checks everything: None when all holds, else what went wrong.
let check (h: Harness) (op: Op) (m: Model) : string option =
    Sink.Current <- h.Log
    Counters.Operation()
    let errors = ResizeArray<string>()

    try
        let actual = exec h op m errors
        Coverage.Add op (sprintf "%A" actual.Outcome)

        for st in actual.Steps do
            Coverage.Add op (sprintf "step %A" st)

        if m.Dropped.Length > 0 then
            Coverage.Add op "gave back live allocations"

        if m.Value <> 0L then
            Coverage.Add op "returned a non-zero value"

        if actual.Outcome <> m.Expect then
            errors.Add(sprintf "expected it to %s, but it did %s" (showExpect m.Expect) (showExpect actual.Outcome))
        elif actual.Steps <> m.Steps then
            errors.Add(sprintf "list steps did %A, expected %A" actual.Steps m.Steps)
        elif actual.Value <> m.Value then
            errors.Add(sprintf "returned %d, expected %d" actual.Value m.Value)

        if errors.Count = 0 then
            verify h m errors
    with
    | Unexpected e -> errors.Add(sprintf "unexpected exception %s" (string e))
    | e -> errors.Add(sprintf "the harness failed: %s" (string e))

    if errors.Count = 0 then
        None
    else
        h.Failed <- true
        Some(String.concat "; " errors)
