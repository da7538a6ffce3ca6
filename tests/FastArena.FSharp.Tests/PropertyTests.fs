module FastArena.FSharp.Tests.PropertyTests
open Expecto
let tests = testList "properties" []
