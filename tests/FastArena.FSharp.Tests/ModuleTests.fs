module FastArena.FSharp.Tests.ModuleTests
open Expecto
let tests = testList "module" []
