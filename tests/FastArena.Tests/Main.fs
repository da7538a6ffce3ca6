module FastArena.Tests.Main

open Expecto

/// Every example test list, one per concept of the library (in folders mirroring src/FastArena).
let allTests =
    testList
        "FastArena"
        [
            ArenaTests.tests
            CheckpointTests.tests
            ArenaStatsTests.tests
            OptionsAndBlocksTests.tests
            TransactionTests.tests
            ArenaListTests.tests
            ArenaScopeTests.tests
            SliceGeneratorTests.tests
            ArenaRefTests.tests
            ArenaSliceTests.tests
            CheckedModeTests.tests
            DisposalTrackingTests.tests
            UseAfterDisposeTests.tests
            RewindLogTests.tests
            NativeBlockTests.tests
            AllocSliceSequenceTests.tests
            ThreadRulesTests.tests
            DiagnosticsTests.tests
        ]

[<EntryPoint>]
let main argv =
    match argv with
    | [| "--child"; name |] when name.StartsWith "checked-" -> ThreadRulesTests.runChild name // ThreadRulesTests' children
    | [| "--child"; name |] -> UseAfterDisposeTests.runChild name // a child process of UseAfterDisposeTests
    | _ -> FastArena.Testing.TestMain.run argv allTests
