/// The FsCheck state machine: generators of operations from the model, the Operation and Setup
/// classes, a shrinker that cuts programs down, and the property that runs them.
module FastArena.Properties.Machine

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Experimental
open FastArena.Properties.Model
open FastArena.Properties.Ops
open FastArena.Properties.Harness

/// The operation that failed last on this thread, so the shrinker can first cut everything after it.
[<AbstractClass; Sealed>]
type LastFailure =
    [<ThreadStatic; DefaultValue>]
    static val mutable private op: obj | null

    static member Op
        with get () = LastFailure.op
        and set (v: obj | null) = LastFailure.op <- v

/// One operation of a program: the model step, the precondition, and the check on the real arena.
type ArenaOp(op: Op) =
    inherit Operation<Harness, Model>()
    member _.Op = op
    override _.Run m = step op m
    override _.Pre m = pre op m

    override this.Check(h, m) =
        if h.Failed then
            Prop.ofTestable true
        else
            match check h op m with
            | None -> Prop.ofTestable true
            | Some msg ->
                LastFailure.Op <- box this
                Prop.label (sprintf "%s: %s" (show op) msg) false

    override _.ToString() = show op

type ArenaSetup(opt: Options) =
    inherit Setup<Harness, Model>()
    member _.Options = opt
    override _.Actual() = new Harness(opt)
    override _.Model() = create opt
    override _.ToString() = sprintf "new Arena(%O)" opt

// -------------------------------------------------------------------------------------------------
// Generators.
// -------------------------------------------------------------------------------------------------

let private choose (lo: int) (hi: int) = Gen.choose (lo, hi)
let private choose64 (lo: int) (hi: int) = Gen.choose (lo, hi) |> Gen.map int64

let optionsGen (isChecked: bool) (track: bool) =
    gen {
        let! initial = Gen.elements [ 64L; 100L; 256L; 1000L; 4096L ]
        let! maxBlock = Gen.elements [ 32L; 128L; 512L; 2048L; 8192L ]
        let! retained = Gen.elements [ 0L; 256L; 2048L; 16384L; 1L <<< 20 ]

        return
            {
                Initial = initial
                MaxBlock = maxBlock
                MaxRetained = retained
                Checked = isChecked
                Track = track
            }
    }

let private sizeGen (o: Options) =
    let big = int (max o.Initial o.MaxBlock)

    Gen.frequency
        [
            2, Gen.constant 0L
            10, choose64 1 16
            10, choose64 17 256
            4, choose64 257 2048
            2, choose64 (big / 2) (big + 64)
            1, choose64 (big * 2) (big * 3)
        ]

let private smallSizeGen =
    Gen.frequency [ 6, choose64 1 24; 3, choose64 25 300; 1, choose64 301 3000 ]

let private alignGen =
    Gen.frequency
        [
            8, Gen.constant 1L
            8, Gen.elements [ 2L; 4L; 8L ]
            3, Gen.elements [ 16L; 32L; 64L ]
            1, Gen.elements [ 128L; 256L; 512L; 1024L; 2048L; 4096L ]
        ]

/// A transaction to act on: mostly the innermost, sometimes an outer one, sometimes one that ended.
let private txGen (m: Model) =
    let all = m.Txs |> Map.keys |> List.ofSeq
    let active = m.Frames |> List.map (fun f -> f.Tx)

    Gen.frequency
        [
            if not active.IsEmpty then
                6, Gen.constant active.Head
                3, Gen.elements active
            if not all.IsEmpty then
                1, Gen.elements all
        ]

let private viaGen (m: Model) =
    if m.Txs.IsEmpty then
        Gen.constant Direct
    else
        Gen.frequency [ 7, Gen.constant Direct; 3, txGen m |> Gen.map ViaTx ]

let private elemGen = Gen.elements [ U8; I16; I32; I64; GuidE; Dec; Odd3; Trk; Chr ]

let private countGen =
    Gen.frequency [ 1, Gen.constant 0; 6, choose 1 16; 2, choose 17 200; 1, choose 201 1500 ]

let private textGen =
    let alphabet =
        "abcXYZ 09\u00e9\u00fc\u20ac\u65e5\u672c\uD834\uDD1E\uD800" |> Seq.toArray

    gen {
        let! n = Gen.frequency [ 1, Gen.constant 0; 5, choose 1 12; 2, choose 13 200 ]
        let! chars = Gen.arrayOfLength n (Gen.elements alphabet)
        return String(chars)
    }

let private listStepGen =
    Gen.frequency
        [
            8, Gen.constant LAdd
            3, Gen.constant LTryAdd
            2, choose 0 20 |> Gen.map LAddRange
            1, choose 0 20 |> Gen.map LAddRangeArr
            1, Gen.constant LPop
            1, Gen.constant LTryPop
            1, Gen.constant LClear
            1, choose 0 10 |> Gen.map LTruncate
            1, choose 0 40 |> Gen.map LReserve
            1, choose 0 40 |> Gen.map LReserveExact
            1, choose 0 40 |> Gen.map LTryReserve
            2, Gen.map2 (fun s a -> LOther(s, a)) smallSizeGen alignGen
        ]

let private wEndGen =
    Gen.frequency [ 6, Gen.constant WOk; 2, Gen.constant WError; 1, Gen.constant WThrow ]

/// Workflow steps (ids are filled in by `renumber`), nesting at most `depth` more levels.
let rec private wStepsGen (depth: int) : Gen<WStep list> =
    let step =
        if depth = 0 then
            Gen.constant (WAlloc 0)
        else
            let inner = Gen.zip (wStepsGen (depth - 1)) wEndGen

            Gen.frequency
                [
                    6, Gen.constant (WAlloc 0)
                    2, inner |> Gen.map (fun (b, e) -> WNested(0, b, e))
                    2, inner |> Gen.map (fun (b, e) -> WAttempt(0, b, e))
                    1,
                    Gen.map3
                        (fun l o (b, e) -> WBudget(0, l, o, b, e))
                        (Gen.frequency [ 3, choose64 0 64; 1, choose64 65 400 ])
                        (Gen.elements [ false; true ])
                        inner
                ]

    gen {
        let! n = choose 0 4
        return! Gen.listOfLength n step
    }

/// Gives every allocation and scope of a workflow a fresh id, from `next` on.
let rec private renumber (next: int) (steps: WStep list) : WStep list * int =
    match steps with
    | [] -> [], next
    | s :: rest ->
        let s, next =
            match s with
            | WAlloc _ -> WAlloc next, next + 1
            | WNested(_, b, e) ->
                let b, n = renumber (next + 1) b
                WNested(next, b, e), n
            | WAttempt(_, b, e) ->
                let b, n = renumber (next + 1) b
                WAttempt(next, b, e), n
            | WBudget(_, l, o, b, e) ->
                let b, n = renumber (next + 1) b
                WBudget(next, l, o, b, e), n

        let rest, next = renumber next rest
        s :: rest, next

/// The next operation, given the model.
let next (m: Model) : Gen<Op> =
    let id = m.NextId
    let o = m.Opt
    let via = viaGen m
    let hasTx = not m.Txs.IsEmpty
    let cps = m.Checkpoints |> Map.keys |> List.ofSeq

    let readable =
        m.Handles
        |> Map.filter (fun _ h -> h.Checked || not (h.Stale || m.ArenaDisposed))
        |> Map.keys
        |> List.ofSeq

    let raw =
        gen {
            let! v = via
            let! size = sizeGen o
            let! align = alignGen

            let! api =
                Gen.elements [ Raw; Raw; Zeroed; CacheAligned; TryRaw; TryZeroed; TryCacheAligned ]

            return AllocRaw(id, v, size, align, api)
        }

    let value =
        gen {
            let! v = via
            let! elem = elemGen
            let! api = Gen.elements [ VAlloc; VAlloc; VHandle; VTry; VUninit; VTryUninit ]
            return AllocValue(id, v, elem, api)
        }

    let list =
        gen {
            let! v = via
            let! elem = Gen.elements [ I64; Trk ]
            let! capacity = Gen.frequency [ 3, Gen.constant 0; 2, choose 1 20 ]
            let! n = choose 0 12
            let! steps = Gen.listOfLength n listStepGen

            let! ending =
                Gen.frequency
                    [
                        5, Gen.constant LFinish
                        3, Gen.constant LFinishHandle
                        2, Gen.constant LDrop
                        1, Gen.map LAfterDispose listStepGen
                    ]

            return List(id, v, elem, capacity, steps, ending)
        }

    if m.ArenaDisposed && m.DisposedSteps >= 8 then
        // Enough checks of a disposed arena: an operation whose precondition fails ends the program.
        Gen.constant (ReadHandle -1)
    elif m.ArenaDisposed then
        // After Dispose every member throws ObjectDisposedException (a second Dispose does nothing).
        Gen.frequency
            [
                3, raw
                2, value
                1, list
                1, Gen.constant (TakeCheckpoint id)
                if not cps.IsEmpty then
                    1, Gen.elements cps |> Gen.map Rewind
                1, Gen.constant Reset
                1, Gen.constant Trim
                1, Gen.constant (Begin id)
                if hasTx then
                    2, txGen m |> Gen.map Commit
                    1, txGen m |> Gen.map DisposeTx
                    1, txGen m |> Gen.map Status
                if not readable.IsEmpty then
                    2, Gen.elements readable |> Gen.map ReadHandle
                1, Gen.constant DisposeArena
            ]
    else
        let overBudget =
            let endPos = budgetEnd m

            if endPos = Int64.MaxValue then
                None
            else
                let remaining = max 0L (endPos - position m)

                Some(
                    gen {
                        let! extra = choose64 1 64
                        let! align = alignGen
                        let! api = Gen.elements [ Raw; TryRaw ]

                        let! v =
                            Gen.frequency [ 1, Gen.constant Direct; 1, Gen.constant (ViaTx m.Frames.Head.Tx) ]

                        return AllocRaw(id, v, remaining + extra, align, api)
                    }
                )

        Gen.frequency
            [
                200, raw
                100, value
                100,
                gen {
                    let! v = via
                    let! elem = elemGen
                    let! count = countGen

                    let! api =
                        Gen.elements
                            [
                                SSpan
                                SZeroed
                                SUninit
                                SGen
                                SEnum
                                SSeq
                                SHandle
                                SHandleZeroed
                                STrySpan
                                STryHandle
                                STryZeroed
                                STryUninit
                                STryGen
                                STryEnum
                            ]

                    let elem = if api = SSeq && elem <> Trk then I64 else elem
                    let count = if api = SSeq then min count 300 else count
                    return AllocSlice(id, v, elem, count, api)
                }
                40,
                gen {
                    let! v = via
                    let! text = textGen
                    let! api = Gen.elements [ Utf16; Utf16Handle; TryUtf16; Utf8; TryUtf8 ]
                    return AllocString(id, v, text, api)
                }
                60, list
                80, Gen.constant (TakeCheckpoint id)
                if not cps.IsEmpty then
                    40, Gen.elements cps |> Gen.map Rewind
                    // The latest checkpoints: valid more often, and at positions the arena just passed.
                    40, Gen.elements (List.rev cps |> List.truncate 3) |> Gen.map Rewind
                5, Gen.constant RewindForeign
                5, Gen.constant RewindDefault
                20, Gen.constant Reset
                10, Gen.constant Trim
                50, Gen.constant (Begin id)
                if hasTx then
                    40, txGen m |> Gen.map (fun t -> Savepoint(t, id))
                    40, txGen m |> Gen.map Commit
                    30, txGen m |> Gen.map Rollback
                    20, txGen m |> Gen.map DisposeTx

                    40,
                    Gen.map2
                        (fun t b -> SetLimit(t, b))
                        (txGen m)
                        (Gen.frequency [ 8, choose64 0 3000; 2, choose64 0 64; 1, Gen.constant -1L ])

                    10, txGen m |> Gen.map Status
                    10, txGen m |> Gen.map RewindToTxStart
                match overBudget with
                | Some g -> 30, g
                | None -> ()
                30,
                gen {
                    let! kind = Gen.elements [ WithTx; CommitIf; Infallible ]

                    let! limit =
                        Gen.frequency [ 1, Gen.constant None; 1, choose64 0 2000 |> Gen.map Some ]

                    let! n = choose 0 5
                    let! body = Gen.listOfLength n (Gen.map2 (fun s a -> s, a) smallSizeGen alignGen)

                    let! ending =
                        Gen.frequency [ 5, Gen.constant Keep; 2, Gen.constant Discard; 2, Gen.constant Throw ]

                    return Closure(id, kind, limit, body, ending)
                }
                if not readable.IsEmpty then
                    50, Gen.elements readable |> Gen.map ReadHandle
                40,
                gen {
                    let! steps = wStepsGen 3
                    let! ending = wEndGen
                    return Workflow(id, fst (renumber (id + 1) steps), ending)
                }
                10,
                gen {
                    let! v = via
                    let! bad = Gen.elements [ NegativeSize; BadAlignment; TooLarge ]
                    let! tryApi = Gen.elements [ false; true ]
                    return BadRaw(v, bad, tryApi)
                }
                10,
                gen {
                    let! v = via
                    let! promised = choose 0 20
                    let! delta = Gen.elements [ -3; -1; 1; 2 ]
                    let actual = max 0 (promised + delta)
                    let actual = if actual = promised then promised + 1 else actual
                    return LyingSlice(v, promised, actual)
                }
                10,
                gen {
                    let! v = via
                    let! count = choose 1 20
                    let! at = choose 0 (count - 1)
                    return ThrowingGen(v, count, at)
                }
                1, Gen.constant DisposeArena
            ]

// -------------------------------------------------------------------------------------------------
// The machine and the property.
// -------------------------------------------------------------------------------------------------

/// Shrinks a program: first cut everything after the operation that failed, then drop chunks of
/// operations, halves first, then quarters, down to single operations.
let shrinkOps (ops: Operation<Harness, Model> list) : seq<Operation<Harness, Model> list> =
    seq {
        let arr = List.toArray ops
        let n = arr.Length

        match LastFailure.Op with
        | null -> ()
        | failed ->
            match arr |> Array.tryFindIndex (fun o -> Object.ReferenceEquals(o, failed)) with
            | Some i when i + 1 < n -> yield List.ofArray arr[..i]
            | _ -> ()

        let mutable k = n / 2

        while k >= 1 do
            let mutable start = n - k

            while start >= 0 do
                yield List.ofArray (Array.append arr[.. start - 1] arr[start + k ..])
                start <- start - k

            k <- k / 2

        // Then simplify single operations.
        for i in 0 .. n - 1 do
            match arr[i] with
            | :? ArenaOp as a ->
                for simpler in shrinkOp a.Op do
                    yield List.ofArray (Array.updateAt i (ArenaOp simpler :> Operation<Harness, Model>) arr)
            | _ -> ()
    }

type ArenaMachine(options: Gen<Options>) =
    inherit Machine<Harness, Model>()

    override _.Setup =
        options |> Gen.map (fun o -> ArenaSetup o :> Setup<_, _>) |> Arb.fromGen

    override _.TearDown =
        StateMachine.tearDown (fun (h: Harness) ->
            try
                h.Arena.Dispose()
            with _ ->
                ())

    override _.Next m =
        next m |> Gen.map (fun op -> ArenaOp op :> Operation<_, _>)

    override _.ShrinkOperations ops = shrinkOps ops

/// A program as FsCheck prints it: the options and one numbered line per operation.
[<StructuredFormatDisplay("{Text}")>]
type Program(run: MachineRun<Harness, Model>) =
    member _.Run = run

    member _.Text =
        let _, setup = run.Setup

        let lines =
            run.Operations |> List.mapi (fun i (op, _) -> sprintf "    %3d. %O" (i + 1) op)

        sprintf "\n  %O, then %d operations:\n%s\n" setup run.Operations.Length (String.concat "\n" lines)

    override p.ToString() = p.Text

/// The property: every generated program runs on a real arena and agrees with the model at every step.
let property (machine: ArenaMachine) =
    let programs = StateMachine.generate machine |> Gen.map Program

    let shrink (p: Program) =
        StateMachine.shrink machine p.Run |> Seq.map Program

    Prop.forAll (Arb.fromGenShrink (programs, shrink)) (fun p -> StateMachine.forOne p.Run)

/// Runs one fixed program (a regression): the options and the operations, as the shrinker printed them.
let replay (opt: Options) (ops: Op list) =
    let setup = ArenaSetup opt
    let model0 = setup.Model()

    let rec models (m: Model) (ops: Op list) =
        match ops with
        | [] -> []
        | op :: rest ->
            if pre op m then
                let m2 = step op m
                (ArenaOp op :> Operation<_, _>, m2) :: models m2 rest
            else
                models m rest

    let run: MachineRun<Harness, Model> =
        {
            Setup = model0, (setup :> Setup<_, _>)
            Operations = models model0 ops
            TearDown = ArenaMachine(Gen.constant opt).TearDown
            UsedSize = -1
        }

    StateMachine.forOne run
