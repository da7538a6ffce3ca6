module FastArena.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    FastArena.Testing.TestMain.run
        argv
        (testList
            "FastArena"
            [
                ArenaTests.tests
                CheckpointTests.tests
                ArenaStatsTests.tests
                OptionsAndBlocksTests.tests
            ])
