/// Checkpoint, GetCheckpoint and Rewind: positions, reuse of the same addresses, and every bad
/// checkpoint (foreign, stale, default) rejected without changing the arena.
module FastArena.Tests.CheckpointTests

open System
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

[<Tests>]
let tests =
    testList
        "Checkpoint"
        [
            testCase "a checkpoint records BytesAllocated and Rewind returns there, to the same address"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let cp = arena.GetCheckpoint()
                Expect.equal cp.BytesAllocated 1L "position"
                let first = arena.AllocHandle 2L
                arena.AllocRaw(40n, 4n) |> ignore
                arena.Rewind cp
                Expect.equal arena.Stats (ArenaStats(1L, 4096L, 1)) "stats back"
                let again = arena.AllocHandle 3L
                Expect.equal (paddr (again.DangerousGetPointer())) (paddr (first.DangerousGetPointer())) "same address"
                Expect.equal arena.BytesAllocated 16L "1 + 7 + 8"

            testCase "Rewind across blocks keeps the blocks and reuses them at the same addresses"
            <| fun () ->
                use arena = unchecked 4096L
                arena.AllocRaw(100n, 1n) |> ignore
                let cp = arena.GetCheckpoint()
                let a = vaddr (arena.AllocRaw(5000n, 8n))
                let b = vaddr (arena.AllocRaw(16n, 16n))
                let grown = arena.Stats

                Expect.equal
                    grown
                    (ArenaStats(100L + after 5000L 16L 16L, 4096L + 8192L, 2))
                    "a second, doubled block; the first one's tail is not counted"

                arena.Rewind cp
                Expect.equal arena.Stats (ArenaStats(100L, 4096L + 8192L, 2)) "bytes back, blocks kept"
                Expect.equal (vaddr (arena.AllocRaw(5000n, 8n))) a "same address in the retained block"
                Expect.equal (vaddr (arena.AllocRaw(16n, 16n))) b "and after it"
                Expect.equal arena.Stats grown "the same stats as before the rewind"

            testCase "nested checkpoints: rewinding to a middle one keeps the older ones valid"
            <| fun () ->
                use arena = unchecked 4096L
                let cp0 = arena.GetCheckpoint()
                arena.Alloc 1L |> ignore
                let cp1 = arena.GetCheckpoint()
                arena.Alloc 2L |> ignore
                let cp2 = arena.GetCheckpoint()
                arena.Alloc 3L |> ignore
                arena.Rewind cp2
                Expect.equal arena.BytesAllocated 16L "at cp2"
                arena.Rewind cp2
                Expect.equal arena.BytesAllocated 16L "cp2 again: rewinding to the same place is allowed"
                arena.Rewind cp1
                Expect.equal arena.BytesAllocated 8L "at cp1"
                arena.Rewind cp0
                Expect.equal arena.BytesAllocated 0L "at cp0"

            testCase "Rewind to the current position changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let before = describe arena
                let contents = w.Read()
                arena.Rewind(arena.GetCheckpoint())
                Expect.equal (describe arena) before "same position"
                Expect.equal (w.Read()) contents "same contents"

            testCase "a stale checkpoint is rejected with ArgumentException, even once the arena grew past it again"
            <| fun () ->
                use arena = unchecked 4096L
                let cp1 = arena.GetCheckpoint()
                arena.Alloc 1L |> ignore
                let cp2 = arena.GetCheckpoint()
                arena.Alloc 2L |> ignore
                arena.Rewind cp1
                let w = witness arena
                arena.AllocRaw(64n, 8n) |> ignore
                throwsUnchanged<ArgumentException> arena w "stale" (fun () -> arena.Rewind cp2)

            testCase "checkpoints above zero are stale after Reset; one at zero is not"
            <| fun () ->
                use arena = unchecked 4096L
                let zero = arena.GetCheckpoint()
                arena.Alloc 1L |> ignore
                let cp = arena.GetCheckpoint()
                arena.Reset()
                let w = witness arena
                throwsUnchanged<ArgumentException> arena w "stale after Reset" (fun () -> arena.Rewind cp)
                arena.Rewind zero
                Expect.equal arena.BytesAllocated 0L "back at zero"

            testCase "a checkpoint taken inside a rolled-back transaction is stale"
            <| fun () ->
                use arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                let inside = arena.GetCheckpoint()
                tx.Rollback()
                let w = witness arena
                throwsUnchanged<ArgumentException> arena w "stale after rollback" (fun () -> arena.Rewind inside)

            testCase "a checkpoint of another arena is rejected with ArgumentException"
            <| fun () ->
                use arena = unchecked 4096L
                use other = unchecked 4096L
                other.Alloc 1L |> ignore
                let foreign = other.GetCheckpoint()
                let w = witness arena
                throwsUnchanged<ArgumentException> arena w "foreign" (fun () -> arena.Rewind foreign)
                let fresh = unchecked 4096L
                let zeroForeign = fresh.GetCheckpoint()
                fresh.Dispose()

                throwsUnchanged<ArgumentException> arena w "foreign at position zero" (fun () ->
                    arena.Rewind zeroForeign)

            testCase "the default checkpoint is rejected with ArgumentException"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                throwsUnchanged<ArgumentException> arena w "default" (fun () -> arena.Rewind(Checkpoint()))

                throwsUnchanged<ArgumentException> arena w "Unchecked.defaultof" (fun () ->
                    arena.Rewind Unchecked.defaultof<Checkpoint>)

            testCase "equality: the same snapshot is equal, different ones are not"
            <| fun () ->
                use arena = unchecked 4096L
                let a = arena.GetCheckpoint()
                let b = arena.GetCheckpoint()
                arena.Alloc 1L |> ignore
                let c = arena.GetCheckpoint()
                Expect.isTrue (a = b) "F# equality"
                Expect.isTrue (Checkpoint.op_Equality (a, b)) "=="
                Expect.isFalse (Checkpoint.op_Inequality (a, b)) "!="
                Expect.isTrue (a.Equals(box b)) "Equals(object)"
                Expect.isFalse (a.Equals(box "x")) "Equals(other type)"
                Expect.equal (a.GetHashCode()) (b.GetHashCode()) "hash"
                Expect.isTrue (Checkpoint.op_Inequality (a, c)) "different positions"
                Expect.isFalse (a.Equals c) "Equals"
                Expect.stringContains (c.ToString()) "8 bytes" "ToString gives the position"

            testCase "equal positions in different arenas are different checkpoints"
            <| fun () ->
                use a = unchecked 4096L
                use b = unchecked 4096L
                Expect.notEqual (a.GetCheckpoint()) (b.GetCheckpoint()) "arena identity is part of a checkpoint"
        ]
