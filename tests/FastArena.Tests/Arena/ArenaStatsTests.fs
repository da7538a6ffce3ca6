/// ArenaStats: the documented definitions, predicted exactly.
module FastArena.Tests.ArenaStatsTests

open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

[<Tests>]
let tests =
    testList
        "ArenaStats"
        [
            testCase "BytesAllocated is sizes plus padding; Utilization and BytesIdle follow from it"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                arena.Alloc 1L |> ignore
                arena.AllocRaw(3n, 64n) |> ignore
                let s = arena.Stats
                let expected = after (after 1L 8L 8L) 64L 3L
                Expect.equal expected 67L "1, 7 padding, 8, 48 padding, 3"
                Expect.equal s.BytesAllocated expected "BytesAllocated"
                Expect.equal s.BytesReserved 4096L "BytesReserved"
                Expect.equal s.BlockCount 1 "BlockCount"
                Expect.equal s.Utilization (float expected / 4096.0) "Utilization"
                Expect.equal s.BytesIdle (4096L - expected) "BytesIdle"

            testCase "the unused tail of a block that an allocation moved past is not counted"
            <| fun () ->
                use arena = unchecked 4096L
                arena.AllocRaw(4000n, 1n) |> ignore
                arena.AllocRaw(200n, 8n) |> ignore

                Expect.equal
                    arena.Stats
                    (ArenaStats(4200L, 4096L + 8192L, 2))
                    "96-byte tail not counted, fresh block has no padding"

            testCase "a stats value is a snapshot"
            <| fun () ->
                use arena = unchecked 4096L
                let s = arena.Stats
                arena.Alloc 1L |> ignore
                Expect.equal s.BytesAllocated 0L "unchanged snapshot"
                Expect.equal arena.Stats.BytesAllocated 8L "new snapshot"

            testCase "Reset brings BytesAllocated to zero and keeps the blocks"
            <| fun () ->
                use arena = unchecked 4096L
                arena.AllocRaw(6000n, 1n) |> ignore
                arena.Reset()
                Expect.equal arena.Stats (ArenaStats(0L, 4096L + 8192L, 2)) "blocks retained"
                Expect.equal arena.Stats.Utilization 0.0 "nothing used"

            testCase "constructed values: zero reserved has Utilization 0; equality is by value"
            <| fun () ->
                let z = ArenaStats(0L, 0L, 0)
                Expect.equal z.Utilization 0.0 "no division by zero"
                Expect.equal z.BytesIdle 0L "idle"
                let a = ArenaStats(10L, 40L, 1)
                Expect.equal a.Utilization 0.25 "10 / 40"
                Expect.equal a.BytesIdle 30L "40 - 10"
                Expect.equal a (ArenaStats(10L, 40L, 1)) "equal"
                Expect.notEqual a (ArenaStats(10L, 40L, 2)) "different"
                Expect.stringContains (a.ToString()) "BytesAllocated = 10" "record ToString"
        ]
