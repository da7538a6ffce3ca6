/// ArenaPool: rent and return, leases that work once, the bound, retention, trimming (explicit, on
/// gen2 collections, on Dispose), and the pool under many threads.
module FastArena.Servers.Tests.PoolTests

open System
open System.Collections.Concurrent
open System.Threading
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// Unchecked arenas (checked ones belong to their creating thread), small first blocks.
let uncheckedOptions (initial: int64) (retained: int64) =
    ArenaOptions(InitialBlockSize = initial, MaxRetainedBytes = retained, CheckedMode = false)

let pool (maxPooled: int) (idle: TimeSpan) =
    new ArenaPool(
        ArenaPoolOptions(ArenaOptions = uncheckedOptions 4096L 16384L, MaxPooledArenas = maxPooled, IdleTimeout = idle)
    )

let hour = TimeSpan.FromHours 1.0

/// Runs `f i` on `n` fresh threads at once and returns what each threw (null when nothing).
let onThreads (n: int) (f: int -> unit) : (exn | null)[] =
    let caught: (exn | null)[] = Array.zeroCreate n
    use start = new Barrier(n)

    let threads =
        Array.init n (fun i ->
            Thread(fun () ->
                start.SignalAndWait()

                try
                    f i
                with e ->
                    caught[i] <- e))

    threads |> Array.iter (fun t -> t.Start())
    threads |> Array.iter (fun t -> t.Join())
    caught

let private basics =
    testList
        "rent and return"
        [
            testCase "a rent hands out an empty arena; after a return the same thread gets the same arena back, reset"
            <| fun () ->
                use p = pool 4 hour
                let first = p.Rent()
                let arena = first.Arena
                arena.Alloc 42L |> ignore
                Expect.equal arena.BytesAllocated 8L "allocated in the lease"
                first.Dispose()
                use second = p.Rent()
                Expect.isTrue (obj.ReferenceEquals(second.Arena, arena)) "the warm arena comes back"
                Expect.equal second.Arena.BytesAllocated 0L "reset on return"
                Expect.equal p.Stats.Created 1L "one arena created for two rents"

            testCase "stats count rents, returns and creations; Outstanding is what is still out"
            <| fun () ->
                use p = pool 4 hour
                let a = p.Rent()
                let b = p.Rent()
                let s = p.Stats
                Expect.equal (s.Rented, s.Returned, s.Created, s.Outstanding) (2L, 0L, 2L, 2L) "two out"
                a.Dispose()
                b.Dispose()
                let s = p.Stats
                Expect.equal (s.Rented, s.Returned, s.Created, s.Outstanding, s.Idle) (2L, 2L, 2L, 0L, 2) "both idle"

            testCase "the arenas have the pool's options"
            <| fun () ->
                use p = pool 4 hour
                use lease = p.Rent()
                Expect.isFalse lease.Arena.IsChecked "unchecked as configured"
                lease.Arena.Alloc(1L) |> ignore
                Expect.equal lease.Arena.Stats.BytesReserved 4096L "first block as configured"
                Expect.isTrue (obj.ReferenceEquals(lease.Pool, p)) "the lease knows its pool"

            testCase "a return trims the arena to the retention cap"
            <| fun () ->
                use p = pool 4 hour
                let lease = p.Rent()
                let arena = lease.Arena

                for _ in 1..50 do
                    arena.AllocRaw(3000n, 1n) |> ignore

                Expect.isGreaterThan arena.Stats.BytesReserved 16384L "grew past the cap"
                lease.Dispose()
                use again = p.Rent()
                Expect.isTrue (obj.ReferenceEquals(again.Arena, arena)) "same arena"
                Expect.isLessThanOrEqual again.Arena.Stats.BytesReserved 16384L "trimmed to the cap"

            testCase "returns beyond MaxPooledArenas dispose the arena (one more stays in the thread's slot)"
            <| fun () ->
                use p = pool 2 hour
                let leases = Array.init 5 (fun _ -> p.Rent())
                let arenas = leases |> Array.map (fun l -> l.Arena)
                leases |> Array.iter (fun l -> l.Dispose())
                let s = p.Stats
                Expect.equal s.Idle 3 "two in the stacks, one in this thread's slot"
                Expect.equal s.Discarded 2L "two disposed"

                Expect.equal
                    (arenas |> Array.filter (fun a -> a.IsDisposed) |> Array.length)
                    2
                    "exactly the discarded ones"

            testCase "options out of range throw ArgumentOutOfRangeException"
            <| fun () ->
                Expect.throwsT<ArgumentOutOfRangeException>
                    (fun () -> new ArenaPool(ArenaPoolOptions(MaxPooledArenas = -1)) |> ignore)
                    "negative bound"

                Expect.throwsT<ArgumentOutOfRangeException>
                    (fun () ->
                        new ArenaPool(ArenaPoolOptions(IdleTimeout = TimeSpan.FromSeconds -1.0))
                        |> ignore)
                    "negative timeout"

                Expect.throwsT<ArgumentOutOfRangeException>
                    (fun () ->
                        new ArenaPool(ArenaPoolOptions(ArenaOptions = ArenaOptions(InitialBlockSize = 0L)))
                        |> ignore)
                    "bad arena options"

                Expect.throwsT<ArgumentNullException>
                    (fun () -> new ArenaPool(Unchecked.defaultof<ArenaPoolOptions>) |> ignore)
                    "null options"
        ]

let private leases =
    testList
        "leases work once"
        [
            testCase "after a return, Arena and a second Dispose throw InvalidOperationException, through every copy"
            <| fun () ->
                use p = pool 4 hour
                let lease = p.Rent()
                let copy = lease
                lease.Dispose()
                Expect.isFalse copy.IsActive "returned"
                Expect.throwsT<InvalidOperationException> (fun () -> lease.Arena |> ignore) "Arena after return"
                Expect.throwsT<InvalidOperationException> (fun () -> copy.Arena |> ignore) "a copy's Arena"
                let before = p.Stats
                Expect.throwsT<InvalidOperationException> (fun () -> copy.Dispose()) "double return"
                Expect.equal p.Stats before "a refused double return changes no count"

            testCase "a stale lease stays dead after its arena is rented again"
            <| fun () ->
                use p = pool 4 hour
                let old = p.Rent()
                let arena = old.Arena
                old.Dispose()
                use fresh = p.Rent()
                Expect.isTrue (obj.ReferenceEquals(fresh.Arena, arena)) "same arena, new lease"
                Expect.throwsT<InvalidOperationException> (fun () -> old.Arena |> ignore) "old lease"

                Expect.throwsT<InvalidOperationException>
                    (fun () -> old.Dispose())
                    "old lease cannot return the new holder's arena"

                Expect.isTrue fresh.IsActive "the new lease is untouched"

            testCase "a default lease: Arena throws, Dispose does nothing"
            <| fun () ->
                let lease = Unchecked.defaultof<ArenaLease>
                Expect.isFalse lease.IsActive "inactive"
                Expect.throwsT<InvalidOperationException> (fun () -> lease.Arena |> ignore) "Arena"
                lease.Dispose()

            testCase "returning with an open transaction throws; the arena is disposed, not pooled"
            <| fun () ->
                use p = pool 4 hour
                let lease = p.Rent()
                let arena = lease.Arena
                arena.BeginTransaction() |> ignore
                Expect.throwsT<InvalidOperationException> (fun () -> lease.Dispose()) "open transaction"
                Expect.isTrue arena.IsDisposed "disposed"
                Expect.equal (p.Stats.Idle, p.Stats.Discarded) (0, 1L) "not pooled"
                Expect.isFalse lease.IsActive "the lease ended"

            testCase "returning an arena its holder disposed throws; nothing is pooled"
            <| fun () ->
                use p = pool 4 hour
                let lease = p.Rent()
                lease.Arena.Dispose()
                Expect.throwsT<InvalidOperationException> (fun () -> lease.Dispose()) "disposed arena"
                Expect.equal (p.Stats.Idle, p.Stats.Discarded) (0, 1L) "not pooled"
                use next = p.Rent()
                Expect.isFalse next.Arena.IsDisposed "the next rent gets a live arena"

            testCase "checked mode: handles made during a lease are stale after its return"
            <| fun () ->
                use p =
                    new ArenaPool(
                        ArenaPoolOptions(ArenaOptions = ArenaOptions(InitialBlockSize = 4096L, CheckedMode = true))
                    )

                let lease = p.Rent()
                let h = lease.Arena.AllocHandle 7L
                let s = lease.Arena.AllocSliceHandle(ReadOnlySpan [| 1; 2; 3 |])
                lease.Dispose()
                Expect.isFalse h.IsLive "ref handle stale"
                Expect.isFalse s.IsLive "slice handle stale"
                Expect.throwsT<InvalidOperationException> (fun () -> h.Value |> ignore) "ArenaRef.Value"
                Expect.throwsT<InvalidOperationException> (fun () -> s.Span.Length |> ignore) "ArenaSlice.Span"

            testCase "two threads returning the same lease at once: exactly one succeeds"
            <| fun () ->
                use p = pool 4 hour

                for round in 1..200 do
                    let lease = p.Rent()
                    let errors = onThreads 2 (fun _ -> lease.Dispose())
                    let failed = errors |> Array.filter (fun e -> not (isNull e))
                    Expect.equal failed.Length 1 $"round {round}: one return refused"
                    Expect.isTrue (failed[0] :? InvalidOperationException) "refused with InvalidOperationException"

                let s = p.Stats
                Expect.equal s.Returned 200L "one return counted per round"
                // Each round's winner parks the arena in its (dying) thread's slot; pooled twice, it would count twice.
                // (A collection may free dead threads' slots meanwhile, so the idle count can only be lower.)
                Expect.isLessThanOrEqual (int64 s.Idle + s.Discarded) s.Created "no arena was pooled twice"
        ]

let private threads =
    testList
        "many threads"
        [
            testCase "8 threads renting and returning: no arena is ever held by two holders; counts add up"
            <| fun () ->
                use p = pool 4 hour
                let holders = ConcurrentDictionary<Arena, int>(HashIdentity.Reference)
                let mutable conflicts = 0
                let rounds = 3000

                let errors =
                    onThreads 8 (fun t ->
                        for i in 1..rounds do
                            use lease = p.Rent()
                            let arena = lease.Arena

                            if not (holders.TryAdd(arena, t)) then
                                Interlocked.Increment(&conflicts) |> ignore

                            Expect.equal arena.BytesAllocated 0L "handed out reset"
                            let mark = int64 (t * 1_000_000 + i)
                            let slot = arena.AllocSlice<int64>(16)
                            slot.Fill mark

                            if i % 64 = 0 then
                                Thread.Yield() |> ignore

                            if slot.ToArray() |> Array.exists ((<>) mark) then
                                Interlocked.Increment(&conflicts) |> ignore

                            holders.TryRemove(arena) |> ignore)

                Expect.isTrue
                    (errors |> Array.forall isNull)
                    $"no thread failed: %A{errors |> Array.tryFind (isNull >> not)}"

                Expect.equal conflicts 0 "no arena shared by two holders, no memory overwritten by another"
                let s = p.Stats
                Expect.equal (s.Rented, s.Returned, s.Outstanding) (8L * int64 rounds, 8L * int64 rounds, 0L) "counts"
                // Dead threads' slots may be collected meanwhile, so the idle count can only be lower; pooled twice, it would be higher.
                Expect.isLessThanOrEqual (s.Idle + int s.Discarded) (int s.Created) "no arena idle in two places"

            testCase "trimming from another thread while 4 threads rent and return never frees a leased arena"
            <| fun () ->
                use p = pool 4 hour
                use stop = new ManualResetEventSlim(false)
                let mutable freedWhileLeased = 0

                let trimmer =
                    new Thread(fun () ->
                        while not stop.IsSet do
                            p.Trim() |> ignore
                            Thread.Yield() |> ignore)

                trimmer.Start()

                let errors =
                    onThreads 4 (fun _ ->
                        for _ in 1..2000 do
                            use lease = p.Rent()
                            let arena = lease.Arena

                            if arena.IsDisposed then
                                Interlocked.Increment(&freedWhileLeased) |> ignore
                            else
                                arena.Alloc 1L |> ignore

                                if arena.IsDisposed then
                                    Interlocked.Increment(&freedWhileLeased) |> ignore)

                stop.Set()
                trimmer.Join()

                Expect.isTrue
                    (errors |> Array.forall isNull)
                    $"no thread failed: %A{errors |> Array.tryFind (isNull >> not)}"

                Expect.equal freedWhileLeased 0 "a trim only frees idle arenas"
                let s = p.Stats
                Expect.isLessThanOrEqual (int64 s.Idle + s.Trimmed + s.Discarded) s.Created "no arena counted twice"
        ]

let private trimming =
    testList
        "trimming"
        [
            testCase "Trim disposes every idle arena, in the stacks and in other threads' slots"
            <| fun () ->
                use p = pool 4 hour
                let parked = ResizeArray<Arena>()
                use returned = new CountdownEvent(3)
                use release = new ManualResetEventSlim(false)

                // Three threads park an arena in their own slots and stay alive until the trim is done.
                let threads =
                    Array.init 3 (fun _ ->
                        Thread(fun () ->
                            let lease = p.Rent()
                            lock parked (fun () -> parked.Add lease.Arena)
                            lease.Dispose()
                            returned.Signal() |> ignore
                            release.Wait()))

                threads |> Array.iter (fun t -> t.Start())
                returned.Wait()
                let a = p.Rent()
                let b = p.Rent()
                parked.Add a.Arena
                parked.Add b.Arena
                a.Dispose()
                b.Dispose()
                Expect.equal p.Stats.Idle 5 "three in the other threads' slots, one in this thread's, one in a stack"
                Expect.equal (p.Trim()) 5 "all five freed"
                release.Set()
                threads |> Array.iter (fun t -> t.Join())
                Expect.equal (p.Stats.Idle, p.Stats.Trimmed) (0, 5L) "none idle"
                Expect.isTrue (parked |> Seq.forall (fun a -> a.IsDisposed)) "every arena disposed"

            testCase "a gen2 collection disposes idle arenas when IdleTimeout is zero"
            <| fun () ->
                use p = pool 4 TimeSpan.Zero
                let leases = Array.init 3 (fun _ -> p.Rent())
                let arenas = leases |> Array.map (fun l -> l.Arena)
                leases |> Array.iter (fun l -> l.Dispose())
                Expect.equal p.Stats.Idle 3 "idle before"
                GC.Collect()
                GC.WaitForPendingFinalizers()
                GC.Collect()
                GC.WaitForPendingFinalizers()
                Expect.equal (p.Stats.Idle, p.Stats.Trimmed) (0, 3L) "trimmed by the gen2 callback"
                Expect.isTrue (arenas |> Array.forall (fun a -> a.IsDisposed)) "disposed"
                use again = p.Rent()
                Expect.isFalse again.Arena.IsDisposed "the pool still works"

            testCase "a gen2 collection keeps arenas idle for less than IdleTimeout"
            <| fun () ->
                use p = pool 4 hour
                let leases = Array.init 3 (fun _ -> p.Rent())
                leases |> Array.iter (fun l -> l.Dispose())
                GC.Collect()
                GC.WaitForPendingFinalizers()
                GC.Collect()
                GC.WaitForPendingFinalizers()
                let info = GC.GetGCMemoryInfo()

                if info.MemoryLoadBytes < info.HighMemoryLoadThresholdBytes * 9L / 10L then
                    Expect.equal (p.Stats.Idle, p.Stats.Trimmed) (3, 0L) "kept: idle for less than an hour"

            testCase
                "Dispose frees the idle arenas; later rents throw; an outstanding lease's arena is disposed on return"
            <| fun () ->
                let p = pool 4 hour
                let idle = p.Rent()
                let out = p.Rent()
                let idleArena = idle.Arena
                let outArena = out.Arena
                idle.Dispose()
                p.Dispose()
                Expect.isTrue idleArena.IsDisposed "idle arena freed"
                Expect.throwsT<ObjectDisposedException> (fun () -> p.Rent() |> ignore) "rent after Dispose"
                Expect.isFalse outArena.IsDisposed "the leased arena is still the holder's"
                out.Dispose()
                Expect.isTrue outArena.IsDisposed "disposed on return"
                p.Dispose()

            testCase "the shared pool rents and returns, and cannot be disposed"
            <| fun () ->
                let lease = ArenaPool.Shared.Rent()
                lease.Arena.Alloc 1 |> ignore
                lease.Dispose()
                Expect.isTrue (obj.ReferenceEquals(ArenaPool.Shared, ArenaPool.Shared)) "one shared pool"
                Expect.throwsT<InvalidOperationException> (fun () -> ArenaPool.Shared.Dispose()) "Dispose"
        ]

let tests = testList "ArenaPool" [ basics; leases; threads; trimming ]
