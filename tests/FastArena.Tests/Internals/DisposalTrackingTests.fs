/// Disposal tracking: Dispose() exactly once, highest address first, when a rewind, reset,
/// rollback or the arena's own Dispose gives a value's memory back; a throwing Dispose does not
/// stop the others. The tests share one static log, so they run in sequence.
module FastArena.Tests.DisposalTrackingTests

open System
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// Every Dispose() of a Tracked value, in order.
let disposed = ResizeArray<int>()

/// An unmanaged value that records its disposal; a negative id throws from Dispose().
[<Struct>]
type Tracked =
    val Id: int
    new(id) = { Id = id }

    interface IDisposable with
        member this.Dispose() =
            disposed.Add this.Id

            if this.Id < 0 then
                raise (InvalidOperationException $"Dispose of {this.Id}")

/// A Tracked value (the `new` form keeps the compiler's IDisposable warning quiet).
let tr (id: int) = new Tracked(id)

let private tracking () =
    disposed.Clear()
    new Arena(ArenaOptions(InitialBlockSize = 4096L, CheckedMode = false, TrackDisposal = true))

let private log () = List.ofSeq disposed

let private tracked (ids: int list) = ids |> List.map tr |> Array.ofList

let private lifo =
    testList
        "LIFO disposal"
        [
            testCase "off: nothing is disposed"
            <| fun () ->
                disposed.Clear()
                use arena = unchecked 4096L
                arena.Alloc(tr 1) |> ignore
                arena.Reset()
                arena.Dispose()
                Expect.isFalse arena.TracksDisposal "off"
                Expect.equal (log ()) [] "nothing"

            testCase "Rewind disposes the values above its target, last first, exactly once"
            <| fun () ->
                use arena = tracking ()
                arena.Alloc(tr 1) |> ignore
                let cp = arena.GetCheckpoint()
                arena.Alloc(tr 2) |> ignore
                arena.Alloc(tr 3) |> ignore
                arena.Rewind cp
                Expect.equal (log ()) [ 3; 2 ] "above the target, reverse address order"
                arena.Rewind cp
                Expect.equal (log ()) [ 3; 2 ] "not again"
                arena.Reset()
                Expect.equal (log ()) [ 3; 2; 1 ] "the rest at Reset"
                arena.Dispose()
                Expect.equal (log ()) [ 3; 2; 1 ] "nothing left for Dispose"

            testCase "arena Dispose disposes everything, highest address first"
            <| fun () ->
                let arena = tracking ()

                for i in 1..5 do
                    arena.Alloc(tr i) |> ignore

                arena.AllocRaw(5000n, 8n) |> ignore
                arena.Alloc(tr 6) |> ignore
                arena.Dispose()
                Expect.equal (log ()) [ 6; 5; 4; 3; 2; 1 ] "across blocks"
                arena.Dispose()
                Expect.equal disposed.Count 6 "once"

            testCase "every tracked allocation form: single values, handles, slices, generators, sequences"
            <| fun () ->
                use arena = tracking ()
                arena.Alloc(tr 1) |> ignore
                arena.AllocHandle(tr 2) |> ignore
                arena.TryAlloc(tr 3) |> ignore
                arena.AllocSliceHandle(ReadOnlySpan(tracked [ 4; 5 ])) |> ignore
                let mutable s = Span<Tracked>.Empty
                arena.TryAllocSlice(ReadOnlySpan(tracked [ 6 ]), &s) |> ignore
                let g = arena.AllocSlice(2, (fun i -> tr (7 + i)))
                let c = arena.AllocSlice(ResizeArray(tracked [ 9; 10 ]))
                let q = arena.AllocSlice(seq { tr 11 })
                arena.TryAllocSliceHandle(ReadOnlySpan(tracked [ 12 ])) |> ignore
                arena.TryAllocSlice(1, (fun _ -> tr 13), &s) |> ignore
                arena.Reset()
                Expect.equal (log ()) [ 13..-1..1 ] "all, last first"

            testCase "zeroed slices are tracked: the caller fills them in and they are disposed like the rest"
            <| fun () ->
                use arena = tracking ()
                let s = arena.AllocSlice<Tracked> 2
                s[0] <- tr 1
                s[1] <- tr 2
                let h = arena.AllocSliceHandle<Tracked> 1
                h[0] <- tr 3
                let mutable t = Span<Tracked>.Empty
                Expect.isTrue (arena.TryAllocSlice<Tracked>(1, &t)) "TryAllocSlice(length)"
                t[0] <- tr 4
                arena.Reset()
                Expect.equal (log ()) [ 4; 3; 2; 1 ] "all, last first"

            testCase "uninitialised slots are not tracked"
            <| fun () ->
                use arena = tracking ()
                arena.AllocUninitialized<Tracked>() |> ignore
                arena.TryAllocUninitialized<Tracked>() |> ignore
                arena.Reset()
                Expect.equal (log ()) [] "nothing known to dispose"
        ]

let private transactions =
    testList
        "transactions"
        [
            testCase "rollback disposes the transaction's values, last first"
            <| fun () ->
                use arena = tracking ()
                arena.Alloc(tr 1) |> ignore
                let tx = arena.BeginTransaction()
                tx.Alloc(tr 2) |> ignore
                let s = tx.AllocSlice(ReadOnlySpan(tracked [ 3; 4 ]))
                tx.Rollback()
                Expect.equal (log ()) [ 4; 3; 2 ] "rolled back"

            testCase "committed values are disposed when their memory is finally released, not at commit"
            <| fun () ->
                use arena = tracking ()
                let outer = arena.BeginTransaction()
                outer.Alloc(tr 1) |> ignore
                let sp = outer.Savepoint()
                sp.Alloc(tr 2) |> ignore
                sp.Commit()
                Expect.equal (log ()) [] "savepoint commit disposes nothing"
                let sp2 = outer.Savepoint()
                sp2.Alloc(tr 3) |> ignore
                sp2.Dispose()
                Expect.equal (log ()) [ 3 ] "a savepoint rollback disposes its own only"
                outer.Commit()
                Expect.equal (log ()) [ 3 ] "commit disposes nothing"
                arena.Reset()
                Expect.equal (log ()) [ 3; 2; 1 ] "released at Reset"

            testCase "an outer rollback disposes what its committed savepoint kept"
            <| fun () ->
                use arena = tracking ()
                let outer = arena.BeginTransaction()
                let sp = outer.Savepoint()
                sp.Alloc(tr 1) |> ignore
                sp.Commit()
                outer.Dispose()
                Expect.equal (log ()) [ 1 ] "released by the outer rollback"
        ]

let private lists =
    testList
        "ArenaList"
        [
            testCase "a sequence that throws mid-copy: its copies are given back and not disposed"
            <| fun () ->
                use arena = tracking ()
                arena.Alloc(tr 1) |> ignore
                let before = arena.BytesAllocated

                let failing =
                    seq {
                        yield tr 2
                        yield tr 3
                        failwith "broken sequence"
                    }

                Expect.throwsT<Exception> (fun () -> arena.AllocSlice(failing).Length |> ignore) "propagates"
                Expect.equal arena.BytesAllocated before "bytes given back"
                Expect.equal (log ()) [] "the arena never owned the copies"
                arena.Reset()
                Expect.equal (log ()) [ 1 ] "only the value it owned"

            testCase "the elements of a finished list are tracked"
            <| fun () ->
                use arena = tracking ()
                let mutable l = new ArenaList<Tracked>(arena)

                for i in 1..6 do
                    l.Add(tr i)

                let s = l.Finish()
                Expect.equal (log ()) [] "Finish disposes nothing"
                arena.Reset()
                Expect.equal (log ()) [ 6; 5; 4; 3; 2; 1 ] "released at Reset"

            testCase "a finished list that is not the newest is disposed in address order with the rest"
            <| fun () ->
                use arena = tracking ()
                let mutable l = new ArenaList<Tracked>(arena, 4)
                l.Add(tr 1)
                l.Add(tr 2)
                arena.Alloc(tr 3) |> ignore
                let s = l.Finish()
                arena.Reset()
                Expect.equal (log ()) [ 3; 2; 1 ] "reverse address order, not reverse Finish order"

            testCase "a list dropped without Finish disposes its elements at Dispose, last first, and only then"
            <| fun () ->
                use arena = tracking ()
                let mutable l = new ArenaList<Tracked>(arena)

                for i in 1..3 do
                    l.Add(tr i)

                let popped = l.Pop()
                l.Dispose()
                Expect.equal (log ()) [ 2; 1 ] "the remaining elements; a popped one is the caller's"
                Expect.equal popped.Id 3 "popped"
                arena.Reset()
                arena.Dispose()
                Expect.equal (log ()) [ 2; 1 ] "never twice"
        ]

let private failures =
    testList
        "throwing Dispose"
        [
            testCase "Reset runs every Dispose and reports the failures in one AggregateException"
            <| fun () ->
                use arena = tracking ()

                for i in [ 1; -2; 3; -4; 5 ] do
                    arena.Alloc(tr i) |> ignore

                let e = catchExn "Reset" (fun () -> arena.Reset())
                Expect.equal (e.GetType()) typeof<AggregateException> "AggregateException"

                let inner =
                    (e :?> AggregateException).InnerExceptions |> Seq.map _.Message |> List.ofSeq

                Expect.equal inner [ "Dispose of -4"; "Dispose of -2" ] "both failures, in disposal order"
                Expect.equal (log ()) [ 5; -4; 3; -2; 1 ] "all ran"
                Expect.equal arena.Stats.BytesAllocated 0L "the reset completed"
                arena.Reset()
                Expect.equal disposed.Count 5 "none again"

            testCase "Rewind and rollback complete and report failures"
            <| fun () ->
                use arena = tracking ()
                let cp = arena.GetCheckpoint()
                arena.Alloc(tr -1) |> ignore
                arena.Alloc(tr 2) |> ignore
                let e = catchExn "Rewind" (fun () -> arena.Rewind cp)
                Expect.equal (e.GetType(), arena.BytesAllocated) (typeof<AggregateException>, 0L) "rewound"
                let tx = arena.BeginTransaction()
                tx.Alloc(tr -3) |> ignore
                let e = catchExn "Rollback" (fun () -> tx.Rollback())

                Expect.equal
                    (e.GetType(), arena.TransactionDepth, tx.Status)
                    (typeof<AggregateException>, 0, TransactionStatus.RolledBack)
                    "rolled back"

                let tx2 = arena.BeginTransaction()
                tx2.Alloc(tr -4) |> ignore
                let e = catchExn "Dispose" (fun () -> tx2.Dispose())
                Expect.equal (e.GetType(), arena.TransactionDepth) (typeof<AggregateException>, 0) "disposed"
                Expect.equal (log ()) [ 2; -1; -3; -4 ] "every one ran"

            testCase "arena Dispose frees everything even when a Dispose throws"
            <| fun () ->
                let arena = tracking ()
                arena.Alloc(tr -1) |> ignore
                arena.Alloc(tr 2) |> ignore
                let e = catchExn "Dispose" (fun () -> arena.Dispose())
                Expect.equal (e.GetType()) typeof<AggregateException> "reported"
                Expect.isTrue arena.IsDisposed "disposed all the same"
                Expect.equal (log ()) [ 2; -1 ] "both ran"
                arena.Dispose()
                Expect.equal disposed.Count 2 "a second Dispose runs nothing"

            testCase "an unfinished list with a throwing element disposes the rest and reports"
            <| fun () ->
                use arena = tracking ()
                let mutable l = new ArenaList<Tracked>(arena)
                l.Add(tr 1)
                l.Add(tr -2)
                l.Add(tr 3)

                let e =
                    try
                        l.Dispose()
                        none
                    with e ->
                        e

                Expect.isTrue (isExn<AggregateException> e) "AggregateException"
                Expect.equal (log ()) [ 3; -2; 1 ] "all ran"
                Expect.equal arena.BytesAllocated 0L "the buffer went back all the same"
        ]

[<Tests>]
let tests =
    testSequenced (testList "Disposal tracking" [ lifo; transactions; lists; failures ])
