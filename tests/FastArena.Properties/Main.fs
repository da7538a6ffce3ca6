/// The model-based suite's entry point: regressions first, then the random programs (shuffled).
module FastArena.Properties.Main

open System
open Expecto
open FastArena.Properties.Model
open FastArena.Properties.Ops
open FastArena.Properties.Machine

/// FASTARENA_PROPERTY_SCALE=<multiplier> scales the number of programs (1 = the default 10,000).
let scale =
    match Environment.GetEnvironmentVariable "FASTARENA_PROPERTY_SCALE" with
    | null
    | "" -> 1.0
    | s ->
        match Double.TryParse(s, Globalization.CultureInfo.InvariantCulture) with
        | true, v when v > 0.0 -> v
        | _ -> failwithf "FASTARENA_PROPERTY_SCALE must be a positive number, not %s" s

/// The four arena configurations; each gets a quarter of the programs.
let configurations =
    [
        "unchecked", false, false
        "checked mode", true, false
        "disposal tracking", false, true
        "checked mode and disposal tracking", true, true
    ]

let programsPerConfiguration = max 1 (int (Math.Round(2500.0 * scale)))

/// Program length grows from 20 to 120 operations over a run (FsCheck's size): 70 on average.
let fsConfig (programs: int) =
    { FsCheckConfig.defaultConfig with
        maxTest = programs
        startSize = 20
        endSize = 120
    }

let private options (name: string) =
    let _, isChecked, track = configurations |> List.find (fun (n, _, _) -> n = name)
    optionsGen isChecked track

/// Replay seeds of programs that once failed: (the bug it pins, configuration, seed, gamma, size). They run first.
let regressionSeeds: (string * string * uint64 * uint64 * int) list =
    [
        "model bug: AllocString of a lone surrogate (the model re-encoded the text)",
        "disposal tracking",
        3626508386768109707UL,
        11259158088692711165UL,
        22
        "model bug: AllocString of a lone surrogate (the model re-encoded the text)",
        "checked mode and disposal tracking",
        2852200289971793619UL,
        14410126751275665569UL,
        32
        // Replays a 41-operation program (README, deliberate bugs).
        "deliberate bug: the budget check forgets padding",
        "checked mode and disposal tracking",
        169540151634350923UL,
        13917435845654057973UL,
        41
        "model bug: zeroed slices became tracked in the core, the model still said untracked",
        "checked mode and disposal tracking",
        9895956506248033336UL,
        1636775161430063265UL,
        27
        "model bug: zeroed slices became tracked in the core, the model still said untracked",
        "disposal tracking",
        12136653420335181109UL,
        8937596175805085123UL,
        24
        "core bug: a sequence of unknown count stopped disposing its copies on a budget failure",
        "disposal tracking",
        2862120296653889140UL,
        5394156208796847679UL,
        100
        "core bug: a sequence of unknown count stopped disposing its copies on a budget failure",
        "checked mode and disposal tracking",
        8865300816338416368UL,
        10508710295781024701UL,
        24
    ]

/// Failing programs found while the suite was written, shrunk, kept as they were printed.
let regressionPrograms: (string * Options * Op list) list =
    [
        "an empty list finished at the start of a later block, then two rewinds to the same position",
        {
            Initial = 64L
            MaxBlock = 128L
            MaxRetained = 64L
            Checked = false
            Track = false
        },
        [
            AllocRaw(1, Direct, 60L, 1L, Raw)
            TakeCheckpoint 2
            List(3, Direct, I64, 0, [ LReserve 1 ], LFinish)
            TakeCheckpoint 4
            Rewind 2
            Rewind 4
            AllocRaw(5, Direct, 8L, 8L, Raw)
        ]
        // Shrunk programs that caught the deliberate bugs described in the README.
        "a padded request inside a budget (deliberate bug: budget check forgets padding)",
        {
            Initial = 256L
            MaxBlock = 8192L
            MaxRetained = 2048L
            Checked = true
            Track = false
        },
        [
            Closure(9, Infallible, Some 481L, [ 7L, 64L ], Keep)
            Begin 13
            SetLimit(13, 21L)
            AllocRaw(16, ViaTx 13, 2L, 1L, CacheAligned)
        ]
        "one aligned value on the fast path (deliberate bug: off-by-one alignment in Bump)",
        {
            Initial = 1000L
            MaxBlock = 128L
            MaxRetained = 256L
            Checked = false
            Track = true
        },
        [ AllocValue(1, Direct, I64, VAlloc) ]
    ]

let regressions =
    testList
        "regressions"
        [
            for bug, name, seed, gamma, size in regressionSeeds do
                testPropertyWithConfig
                    { fsConfig 1 with
                        replay = Some(seed, gamma, Some size)
                    }
                    (sprintf "%s (%s, seed %d, %d, %d)" bug name seed gamma size)
                    (property (ArenaMachine(options name)))
            for name, opt, ops in regressionPrograms do
                testCase name (fun () ->
                    try
                        FsCheck.Check.One(
                            FsCheck.Config.QuickThrowOnFailure.WithMaxTest(1).WithQuietOnSuccess(true),
                            replay opt ops
                        )
                    with e ->
                        failtestf "%s\n%s" e.Message (String.concat "\n" (List.map show ops)))
        ]

let randomPrograms =
    let seed =
        match Environment.GetEnvironmentVariable "FASTARENA_SHUFFLE_SEED" with
        | null
        | "" -> Random.Shared.Next()
        | s -> int s

    printfn
        "properties: %d programs per configuration x %d configurations (FASTARENA_PROPERTY_SCALE=%g); test order shuffled with FASTARENA_SHUFFLE_SEED=%d"
        programsPerConfiguration
        configurations.Length
        scale
        seed

    let rng = Random(seed)

    configurations
    |> List.map (fun (name, _, _) ->
        testPropertyWithConfig
            (fsConfig programsPerConfiguration)
            (sprintf "random programs agree with the model (%s)" name)
            (property (ArenaMachine(options name))))
    |> List.sortBy (fun _ -> rng.Next())
    |> testList "model"

let tests = testList "FastArena.Properties" [ regressions; randomPrograms ]

[<EntryPoint>]
let main argv =
    AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
        let programs = Harness.Counters.Programs
        let ops = Harness.Counters.Operations

        printfn
            "properties: %d programs and %d operations checked (%.1f operations per program)"
            programs
            ops
            (if programs = 0L then 0.0 else float ops / float programs)

        if Environment.GetEnvironmentVariable "FASTARENA_PROPERTY_STATS" = "1" then
            Harness.Coverage.Report() |> Seq.iter (printfn "%s"))

    FastArena.Testing.TestMain.run argv tests
