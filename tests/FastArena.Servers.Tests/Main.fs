module FastArena.Servers.Tests.Main

open Expecto

/// The server-side pieces: pool, buffers, ASP.NET Core middleware, the server sample.
let allTests =
    testList "FastArena servers" [ PoolTests.tests; BufferTests.tests; AspNetCoreTests.tests ]

[<EntryPoint>]
let main argv =
    FastArena.Testing.TestMain.run argv allTests
