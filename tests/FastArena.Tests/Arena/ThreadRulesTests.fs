/// Checked mode's thread rule (invariant I12): an arena may move between threads, one at a time (a
/// request continuing after an `await`); two threads inside one arena at once throw
/// InvalidOperationException before either changes anything. And cleanup never throws while an
/// exception unwinds: a transaction's, a list's or the arena's Dispose, and a rollback.
module FastArena.Tests.ThreadRulesTests

open System
open System.Threading
open System.Threading.Tasks
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// What a tracked value's Dispose() does: set per test (tests using it run sequenced).
let mutable private onDispose: unit -> unit = ignore

[<Struct>]
type private Probe =
    val Id: int
    new(id) = { Id = id }

    interface IDisposable with
        member _.Dispose() = onDispose ()

exception private Original

let private tracked () =
    new Arena(ArenaOptions(InitialBlockSize = 4096L, CheckedMode = true, TrackDisposal = true))

let private hops =
    testList
        "one thread at a time"
        [
            testCase "an async method allocates, awaits and goes on in checked mode; using var tx across the await"
            <| fun () ->
                use arena = checkedArena 4096L

                let work () =
                    task {
                        use tx = arena.BeginTransaction()
                        tx.Alloc 1L |> ignore
                        let before = Environment.CurrentManagedThreadId
                        do! Task.Yield()
                        tx.Alloc 2L |> ignore
                        do! Task.Delay 1
                        let h = tx.AllocHandle 3L
                        Expect.equal h.Value 3L "readable after the hops"
                        tx.Commit()
                        return before
                    }

                work().Wait()
                Expect.equal arena.BytesAllocated 24L "all three committed"
                Expect.equal arena.TransactionDepth 0 "ended"

            testCase "a transaction opened on one thread is used, rolled back and disposed on another"
            <| fun () ->
                use arena = checkedArena 4096L
                let tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                let owner = Environment.CurrentManagedThreadId
                let mutable other = owner

                let e =
                    onOtherThread (fun () ->
                        other <- Environment.CurrentManagedThreadId
                        tx.Alloc 2L |> ignore
                        Expect.equal arena.BytesAllocated 16L "sees both"
                        tx.Rollback()
                        tx.Dispose())

                Expect.isNull e "nothing thrown on the other thread"
                Expect.notEqual other owner "it really was another thread"
                Expect.equal arena.BytesAllocated 0L "rolled back"
                arena.Alloc 5L |> ignore
                Expect.equal arena.BytesAllocated 8L "the first thread goes on"
        ]

let private races =
    testList
        "two threads at once"
        [
            testCase "while one thread is inside the arena, every use from another throws and changes nothing"
            <| fun () ->
                use arena = tracked ()
                let w = witness arena
                let h = arena.AllocHandle 5L
                let tx = arena.BeginTransaction()
                tx.Alloc 2L |> ignore
                let cp = arena.GetCheckpoint()
                arena.Alloc(new Probe(1)) |> ignore

                let calls: (string * (unit -> unit)) list =
                    [
                        "Alloc", (fun () -> arena.Alloc 1L |> ignore)
                        "AllocRaw", (fun () -> arena.AllocRaw(8n, 8n) |> ignore)
                        "AllocRaw(0)", (fun () -> arena.AllocRaw(0n, 8n) |> ignore)
                        "TryAlloc", (fun () -> arena.TryAlloc 1L |> ignore)
                        "AllocSliceHandle", (fun () -> arena.AllocSliceHandle<int> 3 |> ignore)
                        "Stats", (fun () -> arena.Stats |> ignore)
                        "BytesAllocated", (fun () -> arena.BytesAllocated |> ignore)
                        "GetCheckpoint", (fun () -> arena.GetCheckpoint() |> ignore)
                        "Rewind", (fun () -> arena.Rewind cp)
                        "Reset", (fun () -> arena.Reset())
                        "Trim", (fun () -> arena.Trim() |> ignore)
                        "BeginTransaction", (fun () -> arena.BeginTransaction() |> ignore)
                        "TransactionDepth", (fun () -> arena.TransactionDepth |> ignore)
                        "Transaction.Alloc", (fun () -> tx.Alloc 3L |> ignore)
                        "Transaction.SetLimit", (fun () -> tx.SetLimit 10L)
                        "Transaction.Commit", (fun () -> tx.Commit())
                        "Transaction.Rollback", (fun () -> tx.Rollback())
                        "ArenaRef.Value", (fun () -> h.Value |> ignore)
                        "ArenaSlice.Span", (fun () -> w.Longs.Span.Length |> ignore)
                        "arena.Dispose", (fun () -> arena.Dispose())
                        "new ArenaList",
                        (fun () ->
                            let l = new ArenaList<int>(arena)
                            ())
                    ]

                let failures = Collections.Generic.List<string>()
                let mutable before = Unchecked.defaultof<_>

                // The rewind below runs the probe's Dispose() inside the arena (the thread holds it): from
                // there, every call is made on another thread.
                onDispose <-
                    fun () ->
                        before <- describe arena

                        for name, call in calls do
                            match onOtherThread call with
                            | null -> failures.Add $"{name}: nothing thrown"
                            | e when e.GetType() <> typeof<InvalidOperationException> ->
                                failures.Add $"{name}: {e.GetType().Name}"
                            | _ -> ()

                        if describe arena <> before then
                            failures.Add "the arena changed"

                try
                    arena.Rewind cp
                finally
                    onDispose <- ignore

                Expect.isEmpty
                    failures
                    "every call from the other thread threw InvalidOperationException and changed nothing"

                Expect.isFalse arena.IsDisposed "still alive"
                Expect.equal h.Value 5L "the handle still reads"
                tx.Commit()
                Expect.equal arena.BytesAllocated (cp.BytesAllocated) "the rewind completed"

            testCase "two threads hammering one checked arena: at least one InvalidOperationException, no corruption"
            <| fun () ->
                use arena =
                    new Arena(ArenaOptions(InitialBlockSize = (32L <<< 20), CheckedMode = true))

                let rounds = 1_000_000
                let caught = ref 0
                use start = new Barrier(2)

                // Each thread keeps every 16th handle with its value, and counts what it allocated.
                let hammer (seed: int64) =
                    let kept = Collections.Generic.List<struct (ArenaRef<int64> * int64)>()
                    let mutable allocated = 0L
                    start.SignalAndWait()
                    let mutable i = 0

                    // Stop early once races were caught often enough.
                    while i < rounds && Volatile.Read(&caught.contents) < 100 do
                        let value = seed * 10_000_000L + int64 i

                        try
                            let h = arena.AllocHandle value
                            allocated <- allocated + 1L

                            if i % 16 = 0 then
                                kept.Add(struct (h, value))
                        with :? InvalidOperationException ->
                            Interlocked.Increment(&caught.contents) |> ignore

                        i <- i + 1

                    kept, allocated

                let t1 =
                    Task.Factory.StartNew((fun () -> hammer 1L), TaskCreationOptions.LongRunning)

                let t2 =
                    Task.Factory.StartNew((fun () -> hammer 2L), TaskCreationOptions.LongRunning)

                let kept1, n1 = t1.Result
                let kept2, n2 = t2.Result
                let kept = Seq.append kept1 kept2 |> Array.ofSeq
                Expect.isGreaterThan caught.Value 0 "the race was caught"

                for struct (h, value) in kept do
                    if h.Value <> value then
                        failtestf "a value was overwritten: %d" value

                let addresses =
                    kept |> Array.map (fun struct (h, _) -> paddr (h.DangerousGetPointer()))

                Expect.equal (Array.distinct addresses).Length addresses.Length "no two allocations share memory"
                Expect.equal arena.BytesAllocated (8L * (n1 + n2)) "BytesAllocated counts every allocation once"
        ]

let private cleanup =
    testList
        "cleanup never throws while an exception unwinds"
        [
            testCase "Transaction.Dispose rolls back and keeps the original exception when a tracked Dispose() throws"
            <| fun () ->
                use arena = tracked ()
                onDispose <- fun () -> failwith "tracked Dispose() failed"

                try
                    let e =
                        catchExn "the using scope" (fun () ->
                            use tx = arena.BeginTransaction()
                            tx.Alloc(new Probe(1)) |> ignore
                            raise Original)

                    Expect.equal (e.GetType()) typeof<Original> "the original exception, not an AggregateException"
                    Expect.equal arena.BytesAllocated 0L "rolled back all the same"
                    Expect.equal arena.TransactionDepth 0 "ended"
                finally
                    onDispose <- ignore

            testCase "without an exception in flight, the same Dispose reports the failure as AggregateException"
            <| fun () ->
                use arena = tracked ()
                onDispose <- fun () -> failwith "tracked Dispose() failed"

                try
                    Expect.throwsT<AggregateException>
                        (fun () ->
                            use tx = arena.BeginTransaction()
                            tx.Alloc(new Probe(1)) |> ignore)
                        "reported"

                    Expect.equal arena.BytesAllocated 0L "rolled back"
                finally
                    onDispose <- ignore

            testCase "WithTransaction's rollback keeps the body's exception"
            <| fun () ->
                use arena = tracked ()
                onDispose <- fun () -> failwith "tracked Dispose() failed"

                try
                    let e =
                        catchExn "WithTransaction" (fun () ->
                            arena.WithTransaction(fun tx ->
                                tx.Alloc(new Probe(1)) |> ignore
                                raise Original)
                            |> ignore)

                    Expect.equal (e.GetType()) typeof<Original> "the body's exception"
                    Expect.equal arena.BytesAllocated 0L "rolled back"
                finally
                    onDispose <- ignore

            testCase "ArenaList.Dispose keeps the original exception when an element's Dispose() throws"
            <| fun () ->
                use arena = tracked ()
                onDispose <- fun () -> failwith "tracked Dispose() failed"

                try
                    let mutable caught: exn | null = null

                    try
                        let mutable list = new ArenaList<Probe>(arena)

                        try
                            list.Add(new Probe(1))
                            raise Original
                        finally
                            list.Dispose()
                    with e ->
                        caught <- e

                    Expect.isTrue (isExn<Original> caught) $"the original exception, got %A{caught}"
                    Expect.equal arena.BytesAllocated 0L "the buffer went back"
                finally
                    onDispose <- ignore

            testCase "arena.Dispose keeps the original exception when a tracked Dispose() throws"
            <| fun () ->
                let arena = tracked ()
                arena.Alloc(new Probe(1)) |> ignore
                onDispose <- fun () -> failwith "tracked Dispose() failed"

                try
                    let e =
                        catchExn "the using scope" (fun () ->
                            use _ = arena
                            raise Original)

                    Expect.equal (e.GetType()) typeof<Original> "the original exception"
                    Expect.isTrue arena.IsDisposed "disposed all the same"
                finally
                    onDispose <- ignore

            testCase
                "a using var tx across an await in checked mode, the body throwing after the hop: the original exception"
            <| fun () ->
                use arena = checkedArena 4096L

                let work () =
                    task {
                        use tx = arena.BeginTransaction()
                        tx.Alloc 1L |> ignore
                        do! Task.Yield()
                        tx.Alloc 2L |> ignore
                        raise Original
                    }

                let e = catchExn "the task" (fun () -> work().Wait())
                let inner = (e :?> AggregateException).InnerException
                Expect.isTrue (isExn<Original> inner) "the body's exception, not one from Dispose"
                Expect.equal arena.BytesAllocated 0L "rolled back"
        ]

/// What the child processes of the checked-mode switch print: the default and a fresh arena's mode.
let runChild (name: string) : int =
    match name with
    | "checked-default" ->
        printfn "default %b arena %b" ArenaOptions.DefaultCheckedMode (new Arena()).IsChecked
        0
    | "checked-switch-on" ->
        AppContext.SetSwitch(ArenaOptions.CheckedModeSwitch, true)
        printfn "default %b arena %b" ArenaOptions.DefaultCheckedMode (new Arena()).IsChecked
        0
    | "checked-switch-on-option-off" ->
        AppContext.SetSwitch(ArenaOptions.CheckedModeSwitch, true)

        printfn
            "default %b arena %b"
            ArenaOptions.DefaultCheckedMode
            (new Arena(ArenaOptions(CheckedMode = false))).IsChecked

        0
    | _ -> 64

let private switch =
    testList
        "checked mode switched at run time"
        [
            for name, env, expected in
                [
                    "checked-default", [ ArenaOptions.CheckedModeVariable, "" ], "default false arena false"
                    "checked-default", [ ArenaOptions.CheckedModeVariable, "1" ], "default true arena true"
                    "checked-default", [ ArenaOptions.CheckedModeVariable, "true" ], "default true arena true"
                    "checked-switch-on", [ ArenaOptions.CheckedModeVariable, "" ], "default true arena true"
                    "checked-switch-on", [ ArenaOptions.CheckedModeVariable, "0" ], "default false arena false"
                    "checked-switch-on-option-off", [ ArenaOptions.CheckedModeVariable, "" ], "default true arena false"
                ] do
                let text = String.Join(", ", env |> List.map (fun (k, v) -> $"{k}={v}"))

                testCase $"{name} with {text}: {expected}"
                <| fun () ->
                    let code, output = UseAfterDisposeTests.childWith env name
                    Expect.equal code 0 $"the child ran; output: {output}"
                    Expect.stringContains output expected "what the child saw"
        ]

let tests =
    testList "Thread rules and cleanup" [ hops; testSequenced races; testSequenced cleanup; switch ]
