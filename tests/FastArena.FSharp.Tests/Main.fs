module FastArena.FSharp.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    FastArena.Testing.TestMain.run
        argv
        (testList "FastArena.FSharp" [ BuilderTests.tests; ModuleTests.tests; PropertyTests.tests ])
