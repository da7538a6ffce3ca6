/// ArenaList<T>: every member, growth in place and by moving, Finish and Dispose giving space
/// back, budgets, and every bad input. ArenaList is a ref struct, so exceptions are caught inline
/// (a closure cannot capture it).
module FastArena.Tests.ArenaListTests

open System
open System.Collections.Generic
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// Asserts that `e` (what an inline try/with caught) is exactly `'E`.
let private expectExn<'E when 'E :> exn> (message: string) (e: exn | null) =
    match e with
    | null -> failtestf "%s: expected %s, nothing was thrown" message typeof<'E>.Name
    | e when e.GetType() = typeof<'E> -> ()
    | e -> failtestf "%s: expected %s, got %O" message typeof<'E>.Name e

let private addr (l: byref<ArenaList<int>>) = spanAddr (l.AsSpan())

let private contents (l: byref<ArenaList<int>>) = l.AsSpan().ToArray()

let private construction =
    testList
        "construction"
        [
            testCase "new ArenaList(arena) allocates nothing until the first element"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                Expect.equal (l.Count, l.Capacity, l.IsEmpty) (0, 0, true) "empty"
                Expect.equal arena.BytesAllocated 0L "nothing allocated"
                l.Add 1
                Expect.equal (l.Count, l.Capacity, l.IsEmpty) (1, 4, false) "first growth: 4"
                Expect.equal arena.BytesAllocated 16L "4 ints"
                l.Dispose()

            testCase "new ArenaList(arena, capacity) reserves the capacity with alignment"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let mutable l = new ArenaList<int64>(arena, 10)
                Expect.equal (l.Count, l.Capacity) (0, 10) "capacity"
                Expect.equal arena.BytesAllocated (after 1L 8L 80L) "80 bytes after 7 padding"
                l.Dispose()
                Expect.equal arena.BytesAllocated 1L "Dispose gives it back with the padding"

            testCase "new ArenaList(transaction) allocates in the transaction"
            <| fun () ->
                use arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                let mutable l = new ArenaList<int>(tx)
                l.Add 5
                Expect.equal tx.BytesUsed 16L "in the transaction"
                let s = l.Finish()
                tx.Rollback()
                Expect.equal arena.BytesAllocated 0L "rolled back with it"

                Expect.throwsT<InvalidOperationException>
                    (fun () ->
                        let l = new ArenaList<int>(tx)
                        ())
                    "ended transaction"

            testCase "bad construction: negative capacity, huge capacity, null arena, disposed arena"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<ArgumentOutOfRangeException> arena w "capacity -1" (fun () ->
                    let l = new ArenaList<int>(arena, -1)
                    ())

                throwsUnchanged<ArgumentOutOfRangeException> arena w "Int32.MaxValue 1 KiB elements" (fun () ->
                    let l = new ArenaList<Big>(arena, Int32.MaxValue)
                    ())

                Expect.throwsT<ArgumentNullException>
                    (fun () ->
                        let l = new ArenaList<int>(Unchecked.defaultof<Arena>)
                        ())
                    "null"

                let gone = unchecked 4096L
                gone.Dispose()

                Expect.throwsT<ObjectDisposedException>
                    (fun () ->
                        let l = new ArenaList<int>(gone)
                        ())
                    "disposed"

                Expect.throwsT<ObjectDisposedException>
                    (fun () ->
                        let l = new ArenaList<int>(gone, 4)
                        ())
                    "disposed, capacity"

            testCase "a default ArenaList throws InvalidOperationException"
            <| fun () ->
                let mutable l = ArenaList<int>()
                Expect.equal (l.Count, l.Capacity) (0, 0) "empty"

                let e =
                    try
                        l.Add 1
                        none
                    with e ->
                        e

                expectExn<InvalidOperationException> "Add on default" e
        ]

let private growth =
    testList
        "growth"
        [
            testCase "the newest list grows in place, doubling"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.Add 0
                let start = addr &l

                for i in 1..16 do
                    l.Add i

                Expect.equal l.Capacity 32 "4, 8, 16, 32"
                Expect.equal (addr &l) start "never moved"
                Expect.equal arena.BytesAllocated 128L "32 ints, nothing left behind"
                Expect.equal (contents &l) [| 0..16 |] "elements"
                l.Dispose()

            testCase "a list that is not the newest allocation moves, and its old buffer stays"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)

                for i in 1..4 do
                    l.Add i

                let old = addr &l
                arena.Alloc 9L |> ignore
                l.Add 5
                Expect.notEqual (addr &l) old "moved"
                Expect.equal (contents &l) [| 1..5 |] "copied"
                Expect.equal (l.Count, l.Capacity) (5, 8) "doubled"
                Expect.equal arena.BytesAllocated (16L + 8L + 32L) "old buffer, the long, new buffer"
                l.Dispose()
                Expect.equal arena.BytesAllocated 24L "the moved buffer is newest again and goes back"

            testCase "a list begun before a transaction moves rather than grow across its start"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)

                for i in 1..4 do
                    l.Add i

                let old = addr &l
                let tx = arena.BeginTransaction()
                l.Add 5
                Expect.notEqual (addr &l) old "moved into the transaction"
                Expect.equal tx.BytesUsed 32L "the new buffer is the transaction's"
                tx.Commit()
                Expect.equal (contents &l) [| 1..5 |] "elements"
                l.Dispose()

            testCase "AddRange of the list's own elements works whether it grows in place or moves"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.AddRange(ReadOnlySpan [| 1; 2; 3 |])
                l.AddRange(Span<int>.op_Implicit(l.AsSpan()))
                Expect.equal (contents &l) [| 1; 2; 3; 1; 2; 3 |] "in place"
                arena.Alloc 0uy |> ignore
                l.AddRange(Span<int>.op_Implicit(l.AsSpan()))
                Expect.equal (contents &l) [| 1; 2; 3; 1; 2; 3; 1; 2; 3; 1; 2; 3 |] "moved"
                l.Dispose()

            testCase "AddRange(span) grows once and copies"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.Add 0
                l.AddRange(ReadOnlySpan [| 1..9 |])
                Expect.equal (contents &l) [| 0..9 |] "elements"
                Expect.equal l.Capacity 10 "max(required 10, doubled 8)"
                Expect.equal arena.BytesAllocated 40L "in place"
                l.AddRange(ReadOnlySpan<int>.Empty)
                Expect.equal l.Count 10 "empty range"
                l.Dispose()

            testCase "AddRange(enumerable) with a known count reserves once; without one it adds each"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.AddRange(List<int>([ 1..6 ]))
                Expect.equal (l.Count, l.Capacity) (6, 6) "reserved exactly the count"
                l.AddRange(seq { 7..9 })
                Expect.equal (contents &l) [| 1..9 |] "elements"
                Expect.equal l.Capacity 12 "doubled once"

                let e =
                    try
                        l.AddRange(Unchecked.defaultof<IEnumerable<int>>)
                        none
                    with e ->
                        e

                expectExn<ArgumentNullException> "null" e
                l.Dispose()

            testCase "Reserve may over-allocate, ReserveExact does not, TryReserve reports"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.Reserve 3
                Expect.equal l.Capacity 4 "at least 4"
                l.Reserve 4
                Expect.equal l.Capacity 4 "already room"
                l.Reserve 5
                Expect.equal l.Capacity 8 "doubled"
                l.ReserveExact 13
                Expect.equal l.Capacity 13 "exact"
                Expect.isTrue (l.TryReserve 20) "TryReserve"
                Expect.equal l.Capacity 26 "max(20 needed, 2 × 13)"
                Expect.equal l.Count 0 "no elements added"
                Expect.equal arena.BytesAllocated (4L * int64 l.Capacity) "grew in place"
                l.Dispose()
        ]

let private access =
    testList
        "access"
        [
            testCase "the indexer returns a reference; out-of-range indexes throw"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.AddRange(ReadOnlySpan [| 10; 20; 30 |])
                let before = describe arena
                l[1] <- 21
                let r = &l[2]
                r <- 31
                Expect.equal (contents &l) [| 10; 21; 31 |] "written through the references"

                for i in [ -1; 3; Int32.MaxValue ] do
                    let e =
                        try
                            l[i] |> ignore
                            none
                        with e ->
                            e

                    expectExn<ArgumentOutOfRangeException> $"index {i}" e

                Expect.equal (contents &l) [| 10; 21; 31 |] "unchanged"
                Expect.equal (describe arena) before "arena unchanged"
                l.Dispose()

            testCase "TryAdd appends"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int16>(arena)
                Expect.isTrue (l.TryAdd 1s) "first"
                Expect.isTrue (l.TryAdd 2s) "second"
                Expect.equal (l.AsSpan().ToArray()) [| 1s; 2s |] "elements"
                Expect.equal arena.BytesAllocated 8L "capacity 4 of 2 bytes"
                l.Dispose()

            testCase "Pop and TryPop take the last element; on an empty list Pop throws and TryPop is false"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let mutable l = new ArenaList<int>(arena)
                l.AddRange(ReadOnlySpan [| 1; 2 |])
                Expect.equal (l.Pop()) 2 "last"
                let ok, x = l.TryPop()
                Expect.equal (ok, x, l.Count) (true, 1, 0) "TryPop"
                let before = describe arena
                let stored = w.Read()

                let e =
                    try
                        l.Pop() |> ignore
                        none
                    with e ->
                        e

                expectExn<InvalidOperationException> "Pop on empty" e
                let ok, x = l.TryPop()
                Expect.equal (ok, x) (false, 0) "TryPop on empty"
                Expect.equal (l.Count, l.Capacity) (0, 4) "list unchanged"
                Expect.equal (describe arena) before "arena unchanged"
                Expect.equal (w.Read()) stored "contents unchanged"
                l.Dispose()

            testCase "Clear and Truncate keep the capacity; a bad Truncate throws and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.AddRange(ReadOnlySpan [| 1..6 |])
                l.Truncate 4
                Expect.equal (contents &l) [| 1..4 |] "first four"
                let before = describe arena
                l.Truncate 4
                Expect.equal l.Count 4 "same count is fine"

                for n in [ -1; 5 ] do
                    let e =
                        try
                            l.Truncate n
                            none
                        with e ->
                            e

                    expectExn<ArgumentOutOfRangeException> $"Truncate {n}" e

                Expect.equal (contents &l) [| 1..4 |] "unchanged"
                Expect.equal (describe arena) before "arena unchanged"
                let bytes = arena.BytesAllocated
                l.Clear()
                Expect.equal (l.Count, l.Capacity, l.IsEmpty) (0, 6, true) "cleared"
                Expect.equal arena.BytesAllocated bytes "memory kept"
                l.Dispose()

            testCase "AsSpan and the enumerator see the elements"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.AddRange(ReadOnlySpan [| 3; 4; 5 |])
                let s = l.AsSpan()
                s[0] <- 30
                Expect.equal l[0] 30 "the span is a view"
                let seen = ResizeArray()
                let mutable e = l.GetEnumerator()

                while e.MoveNext() do
                    seen.Add e.Current

                Expect.equal (List.ofSeq seen) [ 30; 4; 5 ] "enumerated"
                l.Dispose()
        ]

let private ending =
    testList
        "Finish and Dispose"
        [
            testCase "Finish hands the elements to the arena and gives back unused capacity"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena, 100)
                l.AddRange(ReadOnlySpan [| 1..5 |])
                Expect.equal arena.BytesAllocated 400L "capacity"
                let s = l.Finish()
                Expect.equal (s.ToArray()) [| 1..5 |] "elements"
                Expect.equal arena.BytesAllocated 20L "unused capacity given back"
                let next = arena.AllocRaw(1n, 1n)
                Expect.equal (vaddr next) (spanAddr s + 20n) "the next allocation follows the elements"
                l.Dispose()
                Expect.equal (s.ToArray()) [| 1..5 |] "Dispose after Finish does nothing"

            testCase "Finish of a list that is not the newest keeps its capacity"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena, 10)
                l.Add 1
                arena.Alloc 1uy |> ignore
                let s = l.Finish()
                Expect.equal (s.ToArray()) [| 1 |] "element"
                Expect.equal arena.BytesAllocated 41L "40 + 1: nothing to give back"

            testCase "Finish of an empty list allocates nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                let s = l.Finish()
                Expect.equal (s.Length, arena.BytesAllocated) (0, 0L) "empty"
                let mutable m = new ArenaList<int>(arena, 8)
                let t = m.Finish()
                Expect.equal (t.Length, arena.BytesAllocated) (0, 0L) "all capacity given back"

            testCase "FinishHandle returns a storable handle"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int64>(arena)
                l.AddRange(ReadOnlySpan [| 7L; 8L; 9L |])
                let h = l.FinishHandle()
                Expect.equal (h.ToArray()) [| 7L; 8L; 9L |] "elements"
                Expect.equal arena.BytesAllocated 24L "trimmed"

            testCase "every member throws InvalidOperationException after Finish, and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena)
                l.AddRange(ReadOnlySpan [| 1; 2; 3 |])
                let s = l.Finish()
                let w = witness arena
                let before = describe arena
                let stored = w.Read()

                let check name (e: exn | null) =
                    expectExn<InvalidOperationException> name e

                check
                    "Add"
                    (try
                        l.Add 1
                        none
                     with e ->
                         e)

                check
                    "TryAdd"
                    (try
                        l.TryAdd 1 |> ignore
                        none
                     with e ->
                         e)

                check
                    "AddRange(span)"
                    (try
                        l.AddRange(ReadOnlySpan [| 1 |])
                        none
                     with e ->
                         e)

                check
                    "AddRange(enumerable)"
                    (try
                        l.AddRange([ 1 ])
                        none
                     with e ->
                         e)

                check
                    "Pop"
                    (try
                        l.Pop() |> ignore
                        none
                     with e ->
                         e)

                check
                    "TryPop"
                    (try
                        l.TryPop() |> ignore
                        none
                     with e ->
                         e)

                check
                    "Clear"
                    (try
                        l.Clear()
                        none
                     with e ->
                         e)

                check
                    "Truncate"
                    (try
                        l.Truncate 0
                        none
                     with e ->
                         e)

                check
                    "Reserve"
                    (try
                        l.Reserve 1
                        none
                     with e ->
                         e)

                check
                    "ReserveExact"
                    (try
                        l.ReserveExact 1
                        none
                     with e ->
                         e)

                check
                    "TryReserve"
                    (try
                        l.TryReserve 1 |> ignore
                        none
                     with e ->
                         e)

                check
                    "indexer"
                    (try
                        l[0] |> ignore
                        none
                     with e ->
                         e)

                check
                    "AsSpan"
                    (try
                        (let x = l.AsSpan() in ())
                        none
                     with e ->
                         e)

                check
                    "GetEnumerator"
                    (try
                        (let x = l.GetEnumerator() in ())
                        none
                     with e ->
                         e)

                check
                    "Finish"
                    (try
                        (let x = l.Finish() in ())
                        none
                     with e ->
                         e)

                check
                    "FinishHandle"
                    (try
                        l.FinishHandle() |> ignore
                        none
                     with e ->
                         e)

                l.Dispose()
                Expect.equal (describe arena) before "arena unchanged"
                Expect.equal (w.Read()) stored "contents unchanged"
                Expect.equal (s.ToArray()) [| 1; 2; 3 |] "finished elements unchanged"

            testCase "Dispose without Finish gives the buffer back when it is the newest, and ends the list"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let mutable l = new ArenaList<int64>(arena)
                l.AddRange(ReadOnlySpan [| 1L .. 20L |])
                Expect.equal arena.BytesAllocated 168L "1 + 7 padding + 20 longs"
                l.Dispose()
                Expect.equal arena.BytesAllocated 1L "given back, padding too"
                l.Dispose()
                Expect.equal arena.BytesAllocated 1L "a second Dispose does nothing"

                let e =
                    try
                        l.Add 1L
                        none
                    with e ->
                        e

                expectExn<InvalidOperationException> "Add after Dispose" e

            testCase
                "Add after Finish or Dispose throws even with spare capacity, and does not write into given-back memory"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int64>(arena, 10)
                l.Add 1L
                l.Dispose()
                let w = witness arena
                let before = describe arena
                let stored = w.Read()

                expectExn<InvalidOperationException>
                    "Add after Dispose"
                    (try
                        l.Add -1L
                        none
                     with e ->
                         e)

                Expect.equal (describe arena) before "arena unchanged"
                Expect.equal (w.Read()) stored "the witness now in the list's old space is intact"
                let mutable m = new ArenaList<int64>(arena, 10)
                m.Add 2L
                let s = m.Finish()
                let w2 = witness arena
                let stored2 = w2.Read()

                expectExn<InvalidOperationException>
                    "Add after Finish"
                    (try
                        m.Add -1L
                        none
                     with e ->
                         e)

                Expect.equal (w2.Read()) stored2 "the witness in the given-back capacity is intact"
                Expect.equal (s.ToArray()) [| 2L |] "finished elements intact"

            testCase "Dispose without Finish of a list that is not the newest leaves the arena alone"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable l = new ArenaList<int>(arena, 4)
                let h = arena.AllocHandle 5L
                l.Dispose()
                Expect.equal (arena.BytesAllocated, h.Value) (24L, 5L) "nothing given back"
        ]

let private badInput =
    testList
        "bad input"
        [
            testCase "a huge Reserve throws ArgumentOutOfRangeException, TryReserve is false, nothing changes"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let mutable big = new ArenaList<Big>(arena)
                let mutable ints = new ArenaList<int>(arena)
                ints.AddRange(ReadOnlySpan [| 1; 2; 3 |])
                let before = describe arena
                let stored = w.Read()

                let e =
                    try
                        big.Reserve Int32.MaxValue
                        none
                    with e ->
                        e

                expectExn<ArgumentOutOfRangeException> "Reserve of 2 TiB" e

                let e =
                    try
                        big.ReserveExact Int32.MaxValue
                        none
                    with e ->
                        e

                expectExn<ArgumentOutOfRangeException> "ReserveExact of 2 TiB" e
                Expect.isFalse (big.TryReserve Int32.MaxValue) "TryReserve of 2 TiB"

                let e =
                    try
                        ints.Reserve Int32.MaxValue
                        none
                    with e ->
                        e

                expectExn<ArgumentOutOfRangeException> "Reserve past Int32.MaxValue elements" e

                let e =
                    try
                        ints.ReserveExact Int32.MaxValue
                        none
                    with e ->
                        e

                expectExn<ArgumentOutOfRangeException> "ReserveExact past Int32.MaxValue elements" e
                Expect.isFalse (ints.TryReserve Int32.MaxValue) "TryReserve past Int32.MaxValue elements"

                for n in [ -1; Int32.MinValue ] do
                    let e =
                        try
                            ints.Reserve n
                            none
                        with e ->
                            e

                    expectExn<ArgumentOutOfRangeException> $"Reserve {n}" e

                    let e =
                        try
                            ints.ReserveExact n
                            none
                        with e ->
                            e

                    expectExn<ArgumentOutOfRangeException> $"ReserveExact {n}" e

                    let e =
                        try
                            ints.TryReserve n |> ignore
                            none
                        with e ->
                            e

                    expectExn<ArgumentOutOfRangeException> $"TryReserve {n}" e

                Expect.equal (describe arena) before "arena unchanged"
                Expect.equal (w.Read()) stored "earlier contents unchanged"
                Expect.equal (ints.AsSpan().ToArray(), ints.Capacity) ([| 1; 2; 3 |], 4) "list unchanged"
                Expect.equal (big.Count, big.Capacity) (0, 0) "empty list unchanged"
                ints.Dispose()
                big.Dispose()

            testCase "growth inside a transaction is bound by its budget; the list is unchanged on refusal"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use tx = arena.BeginTransaction()
                tx.SetLimit 64L
                let mutable l = new ArenaList<int>(arena)

                for i in 1..16 do
                    l.Add i

                Expect.equal (l.Capacity, tx.BudgetRemaining) (16, Nullable 0L) "64 bytes: exactly the budget"
                let before = describe arena
                let stored = w.Read()

                let check name (e: exn | null) =
                    expectExn<ArenaBudgetExceededException> name e

                check
                    "Add"
                    (try
                        l.Add 17
                        none
                     with e ->
                         e)

                check
                    "AddRange"
                    (try
                        l.AddRange(ReadOnlySpan [| 17 |])
                        none
                     with e ->
                         e)

                check
                    "Reserve"
                    (try
                        l.Reserve 1
                        none
                     with e ->
                         e)

                check
                    "ReserveExact"
                    (try
                        l.ReserveExact 1
                        none
                     with e ->
                         e)

                Expect.isFalse (l.TryAdd 17) "TryAdd"
                Expect.isFalse (l.TryReserve 1) "TryReserve"
                Expect.equal (describe arena) before "arena unchanged"
                Expect.equal (w.Read()) stored "earlier contents unchanged"
                Expect.equal (l.Count, l.Capacity) (16, 16) "list unchanged"
                Expect.equal (l.AsSpan().ToArray()) [| 1..16 |] "elements unchanged"
                l.Dispose()
                Expect.equal tx.BudgetRemaining (Nullable 64L) "the buffer went back to the budget"
        ]

[<Tests>]
let tests = testList "ArenaList" [ construction; growth; access; ending; badInput ]
