/// AllocSlice of a sequence whose count is unknown (it grows an ArenaList): a refusal, by a budget or
/// by the enumerator throwing, gives back every buffer the growing list left behind, as TryAllocSlice
/// does. Regression: "a refused unknown-count AllocSlice leaves its abandoned buffers behind".
module FastArena.Tests.AllocSliceSequenceTests

open System
open System.Linq
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

exception private EnumeratorFailed

/// `count` items, then the enumerator throws.
let private throwingAfter (count: int) =
    seq {
        for i in 0 .. count - 1 do
            yield i

        raise EnumeratorFailed
    }

let private position (arena: Arena) =
    let cp = arena.GetCheckpoint()
    cp.BlockIndex, cp.Offset, cp.Position

let tests =
    testList
        "AllocSlice of an unknown-count sequence"
        [
            testCase "refused by a budget after the buffer moved to a new block: everything is given back"
            <| fun () ->
                use a = new Arena(ArenaOptions(InitialBlockSize = 4096L, CheckedMode = false))
                a.AllocSlice<byte>(4000).Length |> ignore
                use tx = a.BeginTransaction()
                tx.SetLimit 600L
                let before = position a

                Expect.throwsT<ArenaBudgetExceededException>
                    (fun () -> a.AllocSlice(Enumerable.Range(0, 1000).Where(fun _ -> true)).Length |> ignore)
                    "over budget"

                Expect.equal a.BytesAllocated 4000L "BytesAllocated as before (the issue saw 4064)"
                Expect.equal tx.BytesUsed 0L "the transaction used nothing (the issue saw 64)"
                Expect.equal (position a) before "the cursor is back where it was"

            testCase "the enumerator throws after a block crossing: everything is given back"
            <| fun () ->
                use a = new Arena(ArenaOptions(InitialBlockSize = 4096L, CheckedMode = false))
                a.AllocSlice<byte>(3000).Length |> ignore
                let before = position a

                Expect.throwsT<EnumeratorFailed>
                    (fun () -> a.AllocSlice(throwingAfter 600).Length |> ignore)
                    "the enumerator's exception"

                Expect.equal a.BytesAllocated 3000L "BytesAllocated as before (the issue saw +1024)"
                Expect.equal (position a) before "the cursor is back where it was"

            testCase "inside a transaction, the same refusal leaves the transaction's bytes as they were"
            <| fun () ->
                use a = new Arena(ArenaOptions(InitialBlockSize = 4096L, CheckedMode = true))
                use tx = a.BeginTransaction()
                tx.AllocSlice<byte>(3500).Length |> ignore
                let used = tx.BytesUsed

                Expect.throwsT<EnumeratorFailed>
                    (fun () -> tx.AllocSlice(throwingAfter 300).Length |> ignore)
                    "the enumerator's exception"

                Expect.equal tx.BytesUsed used "BytesUsed as before"
                let ok = tx.AllocSlice(Seq.init 10 int64)
                Expect.equal ok.Length 10 "the arena goes on"

            testCase "TryAllocSlice of the same sequence restores exactly too"
            <| fun () ->
                use a = new Arena(ArenaOptions(InitialBlockSize = 4096L, CheckedMode = false))
                a.AllocSlice<byte>(4000).Length |> ignore
                use tx = a.BeginTransaction()
                tx.SetLimit 600L
                let before = position a
                let mutable s = Span<int>()
                Expect.isFalse (a.TryAllocSlice(Enumerable.Range(0, 1000).Where(fun _ -> true), &s)) "refused"
                Expect.equal (position a) before "the cursor is back where it was"
        ]
