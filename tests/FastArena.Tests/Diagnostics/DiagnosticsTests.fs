/// The debugger views (DebuggerDisplay, the list's and slice's item proxies) and the opt-in
/// System.Diagnostics.Metrics meter, read with a MeterListener.
module FastArena.Tests.DiagnosticsTests

open System
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.Metrics
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// Listens to FastArena's meter. Counter measurements are kept only when made on the thread that
/// created the recorder (a listener is called synchronously by the thread that counts), so tests
/// running in parallel on other threads cannot change them. Observable values are process-wide.
type Recorder() =
    let thread = Environment.CurrentManagedThreadId
    let counts = Dictionary<string, int64>()
    let observed = Dictionary<string, int64>()
    let listener = new MeterListener()

    do
        listener.InstrumentPublished <-
            fun instrument l ->
                if instrument.Meter.Name = ArenaMetrics.MeterName then
                    l.EnableMeasurementEvents instrument

        listener.SetMeasurementEventCallback<int64>(fun instrument value _ _ ->
            if instrument.IsObservable then
                lock observed (fun () -> observed[instrument.Name] <- value)
            elif Environment.CurrentManagedThreadId = thread then
                counts[instrument.Name] <-
                    (match counts.TryGetValue instrument.Name with
                     | true, n -> n
                     | _ -> 0L)
                    + value)

        listener.Start()

    /// The sum of this thread's measurements of a counter.
    member _.Count(name: string) =
        match counts.TryGetValue name with
        | true, n -> n
        | _ -> 0L

    /// Collects every observable instrument now and returns the value of one.
    member _.Observe(name: string) =
        listener.RecordObservableInstruments()

        lock observed (fun () ->
            match observed.TryGetValue name with
            | true, n -> n
            | _ -> failtestf "instrument %s reported nothing" name)

    interface IDisposable with
        member _.Dispose() = listener.Dispose()

let private attribute<'A when 'A :> Attribute> (t: Type) =
    t.GetCustomAttributes(typeof<'A>, false)
    |> Array.tryHead
    |> Option.map (fun a -> a :?> 'A)

/// ArenaList<T> is a ref struct, so F# cannot name its generic definition with typedefof.
let private arenaListType: Type =
    nonNull (typeof<Arena>.Assembly.GetType("FastArena.ArenaList`1", true))

/// The six types issue 15 names, each with a DebuggerDisplay that must resolve.
let private displayed: Type list =
    [
        typeof<Arena>
        typeof<Transaction>
        arenaListType
        typedefof<ArenaRef<int>>
        typedefof<ArenaSlice<int>>
        typeof<ArenaStats>
    ]

let debuggerViews =
    testList
        "debugger views"
        [
            test
                "Arena, Transaction, ArenaList, ArenaRef, ArenaSlice and ArenaStats display a DebuggerDisplay member that exists" {
                for t in displayed do
                    match attribute<DebuggerDisplayAttribute> t with
                    | None -> failtestf "%s has no DebuggerDisplay" t.Name
                    | Some a ->
                        Expect.equal a.Value "{DebuggerDisplay,nq}" $"{t.Name}'s display expression"

                        // The debugger evaluates the expression by name: a typo would only show an error there.
                        let property =
                            t.GetProperty(
                                "DebuggerDisplay",
                                Reflection.BindingFlags.Instance
                                ||| Reflection.BindingFlags.NonPublic
                                ||| Reflection.BindingFlags.Public
                            )

                        Expect.isNotNull property $"{t.Name}.DebuggerDisplay exists"

                        Expect.equal
                            (nonNull property).PropertyType
                            typeof<string>
                            $"{t.Name}.DebuggerDisplay is a string"
            }

            test "Arena's display names the bytes used and reserved, the blocks, the depth and checked mode" {
                use arena = unchecked 4096L
                arena.Alloc 1L |> ignore
                Expect.equal arena.DebuggerDisplay "Arena: 8 of 4096 bytes in 1 blocks, depth 0" "unchecked"
                use tx = arena.BeginTransaction()
                tx.AllocSlice<byte>(8).Length |> ignore
                Expect.equal arena.DebuggerDisplay "Arena: 16 of 4096 bytes in 1 blocks, depth 1" "in a transaction"
                use checkedOne = checkedArena 4096L
                // No block until the first allocation (I14).
                Expect.equal checkedOne.DebuggerDisplay "Arena: 0 of 0 bytes in 0 blocks, depth 0, checked" "checked"
                checkedOne.Dispose()
                Expect.equal checkedOne.DebuggerDisplay "Arena (disposed)" "disposed"
            }

            test "Transaction's display: open with bytes used and limit, then its outcome, and never throws" {
                use arena = unchecked 4096L
                Expect.equal Unchecked.defaultof<Transaction>.DebuggerDisplay "Transaction (default)" "default"
                let tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                Expect.equal tx.DebuggerDisplay "Transaction depth 1: open, 8 bytes used" "open, no limit"
                tx.SetLimit 100L
                let sp = tx.Savepoint()
                sp.Alloc 1 |> ignore
                Expect.equal tx.DebuggerDisplay "Transaction depth 1: open, 12 of 100 bytes used" "open, a limit"
                Expect.equal sp.DebuggerDisplay "Transaction depth 2: open, 4 bytes used" "the savepoint"
                sp.Commit()
                Expect.equal sp.DebuggerDisplay "Transaction depth 2: Committed" "committed"
                tx.Rollback()
                Expect.equal tx.DebuggerDisplay "Transaction depth 1: RolledBack" "rolled back"

                // Another transaction at depth 1 replaces the outcome: Status throws, the display does not.
                arena.BeginTransaction().Commit()
                Expect.throwsT<InvalidOperationException> (fun () -> tx.Status |> ignore) "Status no longer knows"
                Expect.equal tx.DebuggerDisplay "Transaction depth 1: ended" "ended"
                let last = arena.BeginTransaction()
                arena.Dispose()
                Expect.equal last.DebuggerDisplay "Transaction depth 1: ended, arena disposed" "arena disposed"
            }

            test "ArenaList's display: element type, count and capacity; ended after Finish" {
                use arena = unchecked 4096L
                let mutable list = new ArenaList<int64>(arena)
                Expect.equal list.DebuggerDisplay "ArenaList<Int64> Count = 0, Capacity = 0" "empty"
                list.Add 7L
                list.Add 8L
                Expect.equal list.DebuggerDisplay $"ArenaList<Int64> Count = 2, Capacity = {list.Capacity}" "two items"
                Expect.isGreaterThanOrEqual list.Capacity 2 "room for both"
                list.Finish().Length |> ignore
                Expect.equal list.DebuggerDisplay "ArenaList<Int64> (ended), Count = 2" "finished"
            }

            test "ArenaRef's display: the value; null; stale in checked mode after a rewind" {
                use arena = checkedArena 4096L
                Expect.equal Unchecked.defaultof<ArenaRef<int>>.DebuggerDisplay "ArenaRef<Int32>(null)" "default"
                let cp = arena.GetCheckpoint()
                let r = arena.AllocHandle 42
                Expect.equal r.DebuggerDisplay "ArenaRef<Int32>(42)" "live"
                r.Value <- 43
                Expect.equal r.DebuggerDisplay "ArenaRef<Int32>(43)" "follows the value"
                arena.Rewind cp
                Expect.equal r.DebuggerDisplay "ArenaRef<Int32>(stale)" "stale"
            }

            test "ArenaSlice's display: element type and length; stale in checked mode after a rewind" {
                use arena = checkedArena 4096L
                let cp = arena.GetCheckpoint()
                let slice = arena.AllocSliceHandle(ReadOnlySpan [| 3; 1; 4 |])
                Expect.equal slice.DebuggerDisplay "ArenaSlice<Int32>[3]" "live"
                arena.Rewind cp
                Expect.equal slice.DebuggerDisplay "ArenaSlice<Int32>[3] (stale)" "stale"
            }

            test "ArenaStats' display: bytes used of bytes reserved, and blocks" {
                use arena =
                    new Arena(ArenaOptions(InitialBlockSize = 4096L, MaxBlockSize = 4096L, CheckedMode = false))

                arena.AllocSlice<byte>(3000).Length |> ignore
                arena.AllocSlice<byte>(3000).Length |> ignore
                Expect.equal arena.Stats.DebuggerDisplay "6000 of 8192 bytes in 2 blocks" "two blocks"
            }

            test "ArenaList and ArenaSlice name their item proxies" {
                let proxy (t: Type) =
                    attribute<DebuggerTypeProxyAttribute> t
                    |> Option.map (fun a -> a.ProxyTypeName)
                    |> Option.defaultValue ""

                Expect.equal
                    (proxy arenaListType)
                    (nonNull typedefof<ArenaListDebugView<int>>.AssemblyQualifiedName)
                    "list proxy"

                Expect.equal
                    (proxy typedefof<ArenaSlice<int>>)
                    (nonNull typedefof<ArenaSliceDebugView<int>>.AssemblyQualifiedName)
                    "slice proxy"
            }

            test "the slice proxy copies the elements; a stale slice in checked mode shows none" {
                use arena = checkedArena 4096L
                let cp = arena.GetCheckpoint()
                let slice = arena.AllocSliceHandle(ReadOnlySpan [| 3; 1; 4 |])
                Expect.equal (ArenaSliceDebugView<int>(slice).Items) [| 3; 1; 4 |] "live slice"
                arena.Rewind cp
                Expect.equal (ArenaSliceDebugView<int>(slice).Items) [||] "stale slice: no items, no throw"
            }

            test "the list proxy copies the items so far; a finished list, or one of a disposed arena, shows none" {
                use arena = unchecked 4096L
                let mutable list = new ArenaList<int64>(arena)
                list.Add 7L
                list.Add 8L
                Expect.equal (ArenaListDebugView<int64>(list).Items) [| 7L; 8L |] "open list"
                list.Finish().Length |> ignore
                Expect.equal (ArenaListDebugView<int64>(list).Items) [||] "finished list: no items, no throw"
                let other = checkedArena 4096L
                let mutable orphan = new ArenaList<int>(other)
                orphan.Add 1
                other.Dispose()
                Expect.equal (ArenaListDebugView<int>(orphan).Items) [||] "disposed arena: no items, no throw"
            }
        ]

let metrics =
    testList
        "metrics"
        [
            test "budget rejections are counted, by a throw and by a Try method" {
                use recorder = new Recorder()
                use arena = unchecked 4096L
                use tx = arena.BeginTransaction()
                tx.SetLimit 16L
                let mutable s = Span<byte>.Empty
                Expect.isFalse (tx.TryAllocSlice<byte>(32, &s)) "refused"
                Expect.equal (recorder.Count ArenaMetrics.BudgetRejections) 1L "one rejection"

                Expect.throwsT<ArenaBudgetExceededException>
                    (fun () -> tx.AllocSlice<byte>(32).Length |> ignore)
                    "throws"

                Expect.equal (recorder.Count ArenaMetrics.BudgetRejections) 2L "two rejections"
                tx.AllocSlice<byte>(16).Length |> ignore
                Expect.equal (recorder.Count ArenaMetrics.BudgetRejections) 2L "an allocation that fits is not one"
            }

            test "rollbacks are counted, savepoints rolled back with their transaction too; commits are not" {
                use recorder = new Recorder()
                use arena = unchecked 4096L

                do
                    use tx = arena.BeginTransaction()
                    tx.Alloc 1 |> ignore
                    tx.Commit()

                Expect.equal (recorder.Count ArenaMetrics.Rollbacks) 0L "a commit"
                let outer = arena.BeginTransaction()
                let _inner = outer.Savepoint()
                outer.Rollback()
                Expect.equal (recorder.Count ArenaMetrics.Rollbacks) 2L "the transaction and its savepoint"

                do
                    use tx = arena.BeginTransaction()
                    tx.Alloc 1 |> ignore // Dispose without Commit rolls back

                Expect.equal (recorder.Count ArenaMetrics.Rollbacks) 3L "Dispose without a commit"
                Expect.isFalse (arena.CommitIf(fun _ -> false)) "CommitIf false"
                Expect.equal (recorder.Count ArenaMetrics.Rollbacks) 4L "CommitIf returning false"
            }

            // Sequenced: the observable instruments are process-wide, so no other test may touch arenas meanwhile.
            testSequenced
            <| test "bytes allocated, bytes reserved and blocks follow the arenas" {
                // Forgotten arenas of earlier tests are finalized now, not in the middle of this test.
                GC.Collect()
                GC.WaitForPendingFinalizers()
                GC.Collect()
                use recorder = new Recorder()
                let allocated0 = recorder.Observe ArenaMetrics.BytesAllocated
                let reserved0 = recorder.Observe ArenaMetrics.BytesReserved
                let blocks0 = recorder.Observe ArenaMetrics.Blocks

                let arena =
                    new Arena(ArenaOptions(InitialBlockSize = 4096L, MaxBlockSize = 8192L, CheckedMode = false))

                arena.AllocSlice<byte>(3000).Length |> ignore
                arena.AllocSlice<byte>(3000).Length |> ignore // a second block
                let stats = arena.Stats
                Expect.equal stats.BlockCount 2 "two blocks"

                Expect.equal
                    (recorder.Observe ArenaMetrics.BytesAllocated - allocated0)
                    stats.BytesAllocated
                    "allocated"

                Expect.equal (recorder.Observe ArenaMetrics.BytesReserved - reserved0) stats.BytesReserved "reserved"
                Expect.equal (recorder.Observe ArenaMetrics.Blocks - blocks0) 2L "blocks"
                arena.Reset()
                Expect.equal (recorder.Observe ArenaMetrics.BytesAllocated) allocated0 "allocated after Reset"
                arena.Dispose()
                Expect.equal (recorder.Observe ArenaMetrics.BytesReserved) reserved0 "reserved after Dispose"
                Expect.equal (recorder.Observe ArenaMetrics.Blocks) blocks0 "blocks after Dispose"
            }
        ]

let tests = testList "diagnostics" [ debuggerViews; metrics ]
