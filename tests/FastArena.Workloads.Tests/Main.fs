module FastArena.Workloads.Tests.Main

open Expecto

/// The workload tests: FastArena.Json, then the compiler front end.
let allTests = testList "Workloads" [ JsonTests.tests; CompilerTests.tests ]

[<EntryPoint>]
let main argv =
    FastArena.Testing.TestMain.run argv allTests
