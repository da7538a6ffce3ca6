/// FsCheck properties of workflows against a model: random programs of allocations, failures,
/// exceptions, nested workflows and attempts, run on checked arenas with tiny blocks.
module FastArena.FSharp.Tests.PropertyTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open FastArena
open FastArena.FSharp
open FastArena.FSharp.Tests.Helpers

/// One step of a random workflow.
type Step =
    | AllocInt of int
    | AllocLong of int64
    | AllocBytes of byte[]
    | AllocText of string
    | AllocZeroedLongs of int
    | Fail of int
    | Throw
    | Nested of Step list
    | Attempt of Step list
    /// A nested block seen through Arena.map and Arena.mapError: the same as Nested.
    | Mapped of Step list
    /// A nested block inside try/with that catches the test's exception.
    | Caught of Step list

/// What the real run records about each allocation, in the order they happen.
type Entry =
    {
        IsLive: unit -> bool
        Holds: unit -> bool
        /// Whether the handle is checked (an empty slice is not: it owns no memory).
        Tracked: bool
        /// Makes the same allocation directly on another arena.
        Replay: Arena -> unit
    }

let private entryOfRef (r: ArenaRef<'T>) (value: 'T) =
    {
        IsLive = (fun () -> r.IsLive)
        Holds = (fun () -> r.Value = value)
        Tracked = true
        Replay = fun a -> a.AllocHandle value |> ignore
    }

let private entryOfSlice (s: ArenaSlice<'T>) (values: 'T[]) =
    {
        IsLive = (fun () -> s.IsLive)
        Holds = (fun () -> s.ToArray() = values)
        Tracked = values.Length > 0
        Replay = fun a -> a.AllocSliceHandle(ReadOnlySpan values) |> ignore
    }

/// The workflow a program describes; each allocation is recorded in the ledger.
let rec build (ledger: ResizeArray<Entry>) (steps: Step list) : ArenaWorkflow<unit, int> =
    arena {
        for step in steps do
            match step with
            | AllocInt v ->
                let! r = alloc v
                ledger.Add(entryOfRef r v)
            | AllocLong v ->
                let! r = alloc v
                ledger.Add(entryOfRef r v)
            | AllocBytes bytes ->
                let! s = allocSlice bytes
                ledger.Add(entryOfSlice s bytes)
            | AllocText text ->
                let! s = allocString text
                ledger.Add(entryOfSlice s (text.ToCharArray()))
            | AllocZeroedLongs n ->
                let! s = allocZeroed<int64, int> n
                ledger.Add(entryOfSlice s (Array.zeroCreate n))
            | Fail code -> do! Error code
            | Throw -> raise (Boom "step")
            | Nested inner -> do! build ledger inner
            | Mapped inner -> do! build ledger inner |> Arena.mapError id |> Arena.map id
            | Caught inner ->
                try
                    do! build ledger inner
                with Boom _ ->
                    ()
            | Attempt inner ->
                let! _ = Arena.attempt (build ledger inner)
                ()
    }

/// How the model says a program ends.
type Outcome =
    | ModelOk
    | ModelError of int
    | ModelThrow

/// The model: the outcome of a program and the ledger indices of the allocations that survive it.
/// `next` counts allocations in the order the real run makes them.
let rec model (next: int ref) (steps: Step list) : Outcome * int list =
    let kept = ResizeArray()

    let rec go steps =
        match steps with
        | [] -> ModelOk
        | step :: rest ->
            match step with
            | AllocInt _
            | AllocLong _
            | AllocBytes _
            | AllocText _
            | AllocZeroedLongs _ ->
                kept.Add next.Value
                next.Value <- next.Value + 1
                go rest
            | Fail code -> ModelError code
            | Throw -> ModelThrow
            | Nested inner
            | Mapped inner ->
                match model next inner with
                | ModelOk, ids ->
                    kept.AddRange ids
                    go rest
                | failed, _ -> failed
            | Attempt inner ->
                match model next inner with
                | ModelOk, ids ->
                    kept.AddRange ids
                    go rest
                | ModelError _, _ -> go rest
                | ModelThrow, _ -> ModelThrow
            | Caught inner ->
                match model next inner with
                | ModelOk, ids ->
                    kept.AddRange ids
                    go rest
                | ModelError code, _ -> ModelError code
                | ModelThrow, _ -> go rest

    let outcome = go steps
    outcome, List.ofSeq kept

let private genStep: Gen<Step> =
    let genBytes =
        Gen.choose (0, 40)
        |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.choose (0, 255) |> Gen.map byte))

    let genText =
        Gen.choose (0, 30)
        |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.choose (32, 0x24F) |> Gen.map char))
        |> Gen.map String

    let leaf =
        Gen.frequency
            [
                5, Gen.choose (Int32.MinValue, Int32.MaxValue) |> Gen.map AllocInt
                3, Gen.choose (-1000, 1000) |> Gen.map (int64 >> (*) 1_000_003L >> AllocLong)
                3, genBytes |> Gen.map AllocBytes
                3, genText |> Gen.map AllocText
                2, Gen.choose (0, 20) |> Gen.map AllocZeroedLongs
                1, Gen.choose (1, 9) |> Gen.map Fail
                1, Gen.constant Throw
            ]

    let rec sized n =
        if n <= 1 then
            leaf
        else
            let inner =
                Gen.choose (0, 5) |> Gen.bind (fun k -> Gen.listOfLength k (sized (n / 3)))

            Gen.frequency
                [
                    6, leaf
                    1, inner |> Gen.map Nested
                    2, inner |> Gen.map Attempt
                    1, inner |> Gen.map Mapped
                    1, inner |> Gen.map Caught
                ]

    Gen.sized (fun size -> sized (min size 30))

let private genProgram =
    Gen.zip
        (Gen.listOf (Gen.choose (Int32.MinValue, Int32.MaxValue)))
        (Gen.choose (0, 8) |> Gen.bind (fun k -> Gen.listOfLength k genStep))

/// A program: values allocated before the run, and the workflow's steps.
let private programs =
    let shrink (prefix: int list, steps: Step list) =
        ArbMap.defaults |> ArbMap.arbitrary<int list * Step list> |> Arb.toShrink
        <| (prefix, steps)

    Arb.fromGenShrink (genProgram, shrink)

let private config =
    { FsCheckConfig.defaultConfig with
        maxTest = 300
    }

/// Everything the properties look at after a program ran.
type Run =
    {
        Arena: Arena
        /// Handles allocated before the workflow ran, with their values.
        Earlier: (ArenaRef<int> * int) list
        Before: Snapshot
        NextBefore: NextAllocation
        Ledger: ResizeArray<Entry>
        Result: Outcome
        Expected: Outcome
        /// Ledger indices of the allocations the model says survive.
        Kept: int list
        /// How many allocations the model says the run makes.
        Made: int
    }

    interface IDisposable with
        member this.Dispose() = this.Arena.Dispose()

/// Runs a program on a fresh arena made by `create`.
let private executeOn (create: unit -> Arena) (prefix: int list) (steps: Step list) =
    let mem = create ()
    let earlier = [ for v in prefix -> mem.AllocHandle v, v ]
    let before = snapshot mem
    let nextBefore = nextAllocation mem
    let ledger = ResizeArray()

    let result =
        try
            // Half the programs run through Arena.map and Arena.mapError, which hand the fresh
            // transaction of Arena.run on to the block: the outcome must not change.
            let workflow =
                if prefix.Length % 2 = 0 then
                    build ledger steps
                else
                    build ledger steps |> Arena.mapError id |> Arena.map id

            match Arena.run mem workflow with
            | Ok() -> ModelOk
            | Error code -> ModelError code
        with Boom _ ->
            ModelThrow

    let made = ref 0
    let expected, kept = model made steps

    {
        Arena = mem
        Earlier = earlier
        Before = before
        NextBefore = nextBefore
        Ledger = ledger
        Result = result
        Expected = expected
        Kept = kept
        Made = made.Value
    }

/// Tiny blocks: rollbacks cross blocks and give them back.
let private execute = executeOn tinyArena

/// A checked arena whose first block holds every program, so that positions can be compared exactly
/// (block growth is not rewound by a rollback, so tiny blocks would grow differently on a replay).
let private roomyArena () =
    Arena.createWith (ArenaOptions(CheckedMode = true, InitialBlockSize = 4L * 1024L * 1024L))
    |> warm

let private earlierIntact (run: Run) =
    run.Earlier |> List.forall (fun (h, v) -> h.IsLive && h.Value = v)

let rec private depth steps =
    steps
    |> List.map (function
        | Nested inner
        | Attempt inner
        | Mapped inner
        | Caught inner -> 1 + depth inner
        | _ -> 0)
    |> List.fold max 0

let tests =
    testList
        "properties"
        [
            test "the generator makes programs of every outcome, nested two deep and more" {
                let samples = Gen.sampleWithSize 30 500 genProgram

                let outcomes =
                    samples
                    |> Array.map (fun (_, steps) -> fst (model (ref 0) steps))
                    |> Array.countBy id
                    |> Map.ofArray

                let share outcome =
                    defaultArg (Map.tryFind outcome outcomes) 0

                Expect.isGreaterThan (share ModelOk) 50 "Ok programs"
                Expect.isGreaterThan (share ModelThrow) 25 "throwing programs"

                let errors =
                    samples
                    |> Array.filter (fun (_, steps) ->
                        fst (model (ref 0) steps) <> ModelOk && fst (model (ref 0) steps) <> ModelThrow)

                Expect.isGreaterThan errors.Length 25 "failing programs"

                Expect.isGreaterThan
                    (samples |> Array.filter (fun (_, steps) -> depth steps >= 2) |> Array.length)
                    25
                    "nested programs"
            }

            testPropertyWithConfig config "the run ends as the model says, having made the model's allocations"
            <| Prop.forAll programs (fun (prefix, steps) ->
                use run = execute prefix steps
                run.Result = run.Expected && run.Ledger.Count = run.Made)

            testPropertyWithConfig
                config
                "after Error or an exception the arena's stats, cursor and contents are as before"
            <| Prop.forAll programs (fun (prefix, steps) ->
                use run = execute prefix steps

                run.Result = ModelOk
                || (snapshot run.Arena = run.Before
                    && nextAllocation run.Arena = run.NextBefore
                    && earlierIntact run
                    && run.Ledger |> Seq.forall (fun e -> not e.Tracked || not (e.IsLive()))))

            testPropertyWithConfig config "after Ok every kept handle is live and holds its value, and no other is live"
            <| Prop.forAll programs (fun (prefix, steps) ->
                use run = execute prefix steps
                let kept = set run.Kept

                run.Result <> ModelOk
                || (earlierIntact run
                    && run.Ledger
                       |> Seq.indexed
                       |> Seq.forall (fun (i, e) ->
                           if kept.Contains i then
                               e.IsLive() && e.Holds()
                           else
                               not e.Tracked || not (e.IsLive()))))

            testPropertyWithConfig config "nested workflows roll back exactly their own part"
            <| Prop.forAll programs (fun (prefix, steps) ->
                // After Ok the arena holds exactly the surviving allocations: the same stats and the same
                // next allocation as an arena on which only they were made, in order.
                use run = executeOn roomyArena prefix steps
                use replay = roomyArena ()

                for v in prefix do
                    replay.AllocHandle v |> ignore

                for i in run.Kept do
                    run.Ledger[i].Replay replay

                run.Result <> ModelOk
                || (run.Arena.Stats = replay.Stats
                    && nextAllocation run.Arena = nextAllocation replay))

            testPropertyWithConfig config "attempt recovers: the outer work survives a failing inner workflow"
            <| Prop.forAll programs (fun (prefix, steps) ->
                let program = [ AllocInt 1; Attempt(steps @ [ Fail 1 ]); AllocLong 2L ]
                use run = execute prefix program
                let last = run.Ledger.Count - 1

                run.Expected = ModelThrow
                || (run.Result = ModelOk
                    && run.Ledger[0].IsLive()
                    && run.Ledger[0].Holds()
                    && run.Ledger[last].IsLive()
                    && run.Ledger[last].Holds()
                    && run.Kept = [ 0; last ]))
        ]
