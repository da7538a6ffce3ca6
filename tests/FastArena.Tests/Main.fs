module FastArena.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    FastArena.Testing.TestMain.run argv (testList "FastArena" [ ArenaTests.tests; ArenaTests.handleTests ])
