/// The rewind log's window (invariant I8): bounded memory under rising rewinds, exact detection of
/// stale checkpoints within the newest RewindLog.Window rewinds, never a valid checkpoint rejected,
/// and older stale checkpoints either rejected or rewound to a position the blocks still hold.
module FastArena.Tests.RewindLogTests

open System
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

let private window = RewindLog.Window

/// One commit and one rollback: the rollback's target rises by the committed bytes every time.
let private risingPair (arena: Arena) (i: int) =
    let t = arena.BeginTransaction()
    t.Alloc(byte i) |> ignore
    t.Commit()
    let u = arena.BeginTransaction()
    u.Alloc(byte i) |> ignore
    u.Rollback()

let private log =
    testList
        "RewindLog"
        [
            testCase "rising rewinds keep at most Window entries in arrays of at most Window"
            <| fun () ->
                let log = RewindLog()
                Expect.equal log.Capacity 0 "no arrays before the first rewind"

                for i in 1 .. 10 * window do
                    log.Record(int64 i)

                Expect.equal log.Count window "entries"
                Expect.equal log.Capacity window "arrays"
                Expect.isGreaterThan log.ExactFrom 0L "entries were dropped"

            testCase "within the window answers are exact; older ones are Stale or Unproven, never wrongly Stale"
            <| fun () ->
                let log = RewindLog()
                log.Record 100L // epoch 1: everything made before it needing more than 100 bytes is stale
                let madeAt1 = log.Epoch

                for i in 1 .. window - 1 do
                    log.Record(int64 (200 + i))

                Expect.equal (log.Check(0L, 150L)) RewindLog.Liveness.Stale "the rewind to 100 is still in the window"
                Expect.equal (log.Check(madeAt1, 150L)) RewindLog.Liveness.Live "made after it, needs 150 < 201"
                Expect.equal (log.Check(madeAt1, 250L)) RewindLog.Liveness.Stale "needs 250, a later rewind went to 201"

                for i in 1 .. 2 * window do
                    log.Record(int64 (5000 + i))

                // The rewind to 100 was dropped: no longer provably stale, but never reported Live.
                Expect.equal (log.Check(0L, 150L)) RewindLog.Liveness.Unproven "older than the window"

                Expect.equal
                    (log.Check(0L, 10L))
                    RewindLog.Liveness.Unproven
                    "valid but older than the window: not Stale"

                Expect.equal
                    (log.Check(log.Epoch - 1L, 5000L + int64 (2 * window)))
                    RewindLog.Liveness.Live
                    "recent: exact"

            testCase "a Reset makes every answer exact again, in O(1)"
            <| fun () ->
                let log = RewindLog()

                for i in 1 .. 3 * window do
                    log.Record(int64 i)

                let made = log.Epoch
                log.RecordReset()
                Expect.equal log.Count 0 "every entry dominated: the reset is kept apart"
                Expect.equal log.ResetEpoch log.Epoch "the reset's epoch"
                Expect.equal log.ExactFrom 0L "exact"
                Expect.equal (log.Check(made, 1L)) RewindLog.Liveness.Stale "made just before the reset: stale"
                let betweenResets = log.Epoch
                log.RecordReset()
                let resetAt = log.Epoch
                Expect.equal log.ResetEpoch resetAt "a second reset moves the reset's epoch"
                Expect.equal (log.Check(betweenResets, 1L)) RewindLog.Liveness.Stale "made between the resets: stale"
                Expect.equal (log.Check(resetAt, 1L)) RewindLog.Liveness.Live "made after the last reset: live"
                log.Record 40L
                Expect.equal log.ResetEpoch resetAt "kept when a later rewind is recorded"
                Expect.equal (log.Check(betweenResets, 1L)) RewindLog.Liveness.Stale "still stale"
                Expect.equal (log.Check(made, 1L)) RewindLog.Liveness.Stale "still stale after a later rewind"

                Expect.equal
                    (log.Check(log.Epoch - 1L, 40L))
                    RewindLog.Liveness.Live
                    "made after the reset, needs 40: live"

                Expect.equal
                    (log.Check(log.Epoch - 1L, 41L))
                    RewindLog.Liveness.Stale
                    "made after the reset, needs 41: stale"

                Expect.equal (log.Check(0L, 1L)) RewindLog.Liveness.Stale "everything before the reset is stale"
                Expect.equal (log.Check(0L, 0L)) RewindLog.Liveness.Live "needing nothing is live"
        ]

let private arena =
    testList
        "through the arena"
        [
            testCase "a stale checkpoint within the window throws ArgumentException, the arena unchanged"
            <| fun () ->
                use arena = unchecked 65536L
                let low = arena.GetCheckpoint()
                arena.AllocSlice<byte>(100).Length |> ignore
                let high = arena.GetCheckpoint()
                arena.Rewind low

                for i in 1 .. window - 10 do
                    risingPair arena i

                let w = witness arena

                throwsUnchanged<ArgumentException> arena w "stale, rewound below within the window" (fun () ->
                    arena.Rewind high)

            testCase "a valid checkpoint below everything survives thousands of rising rewinds"
            <| fun () ->
                use arena = unchecked 65536L
                arena.Alloc 7L |> ignore
                let cp = arena.GetCheckpoint()

                for i in 1 .. 4 * window do
                    risingPair arena i

                arena.Rewind cp
                Expect.equal arena.BytesAllocated cp.BytesAllocated "rewound to the old checkpoint"
                let p = arena.AllocRaw(1n, 1n)

                Expect.equal
                    (vaddr p % 4096n)
                    8n
                    "the next allocation lands right after the checkpoint (block 0 offset 8)"

            testCase "a stale checkpoint older than the window in a block no longer in use is rejected"
            <| fun () ->
                use arena = unchecked 65536L
                arena.AllocSlice<byte>(60_000).Length |> ignore
                let low = arena.GetCheckpoint()
                arena.AllocSlice<byte>(8192).Length |> ignore // moves to block 1
                let inBlock1 = arena.GetCheckpoint()
                arena.Rewind low

                for i in 1 .. 2 * window do
                    risingPair arena i // 1 byte each: stays in block 0

                let w = witness arena
                throwsUnchanged<ArgumentException> arena w "block 1 is not in use" (fun () -> arena.Rewind inBlock1)

            testCase "a stale checkpoint older than the window either throws or rewinds to a consistent position"
            <| fun () ->
                use arena = unchecked 65536L
                let low = arena.GetCheckpoint()
                arena.AllocSlice<byte>(100).Length |> ignore
                let high = arena.GetCheckpoint()
                arena.Rewind low

                for i in 1 .. 2 * window do
                    risingPair arena i // 2048 bytes committed: position 100 is held again

                // Allowed by I8: the blocks hold position 100 at (block 0, offset 100).
                arena.Rewind high
                Expect.equal arena.BytesAllocated 100L "the position the checkpoint names"
                let next = arena.GetCheckpoint()
                Expect.equal (next.BlockIndex, next.Offset) (0, 100n) "the cursor is where the position lies"

            testCase "checked mode: a handle older than the window stays readable while nothing went below it"
            <| fun () ->
                use arena = checkedArena 65536L
                let h = arena.AllocHandle 42L

                for i in 1 .. 2 * window do
                    risingPair arena i

                Expect.isTrue h.IsLive "live"
                Expect.equal h.Value 42L "readable"
                arena.Reset()
                Expect.isFalse h.IsLive "a reset makes it stale, exactly"
        ]

/// Managed bytes allocated on this thread by `rounds` rising commit + rollback pairs.
let private managedBytesOf (arena: Arena) (rounds: int) =
    let collections = GC.CollectionCount 0
    let before = GC.GetAllocatedBytesForCurrentThread()

    for i in 1..rounds do
        risingPair arena i

    GC.GetAllocatedBytesForCurrentThread() - before, GC.CollectionCount 0 = collections

let private noGarbage =
    testList
        "bounded memory"
        [
            testCase "two million rising commit + rollback pairs without a reset allocate 0 managed bytes after warm-up"
            <| fun () ->
                for mode in [ false; true ] do
                    use arena =
                        new Arena(ArenaOptions(InitialBlockSize = (8L <<< 20), CheckedMode = mode))

                    // Warm-up: the frame stack and the log's ring reach their sizes.
                    managedBytesOf arena (4 * window) |> ignore

                    // A collection during the measurement (another test's) can skew the count: measure again.
                    let rec measure n =
                        match managedBytesOf arena 1_000_000 with
                        | bytes, false when n < 5 -> measure (n + 1)
                        | bytes, _ -> bytes

                    Expect.equal (measure 1 + measure 1) 0L $"managed bytes of 2,000,000 pairs (checked mode {mode})"
        ]

let tests = testList "Rewind log window" [ log; arena; testSequenced noGarbage ]
