/// ArenaOptions and the block policy: doubling growth to a cap, dedicated blocks, retention cap,
/// Trim, and the steady state of an "allocate, reset" loop.
module FastArena.Tests.OptionsAndBlocksTests

open System
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

let private arenaWith (options: ArenaOptions) = new Arena(options)

/// Fills the current block exactly, then asks for one more byte so that the next block is made.
let private spill (arena: Arena) =
    let s = arena.Stats
    let used = s.BytesAllocated
    arena.AllocRaw(1n, 1n) |> ignore
    arena.Stats.BytesReserved - s.BytesReserved, used

[<Tests>]
let tests =
    testList
        "ArenaOptions and blocks"
        [
            testCase "defaults"
            <| fun () ->
                let d = ArenaOptions.Default
                Expect.equal d.InitialBlockSize (int64 ArenaOptions.DefaultInitialBlockSize) "first block"
                Expect.equal d.MaxBlockSize ArenaOptions.DefaultMaxBlockSize "growth cap"
                Expect.equal d.MaxRetainedBytes ArenaOptions.DefaultMaxRetainedBytes "retention"
                Expect.equal ArenaOptions.DefaultMaxBlockSize (16L * 1024L * 1024L) "16 MiB"
                Expect.equal ArenaOptions.DefaultMaxRetainedBytes (64L * 1024L * 1024L) "64 MiB"
                Expect.isFalse d.TrackDisposal "tracking is opt-in"
#if DEBUG
                Expect.isTrue d.CheckedMode "checked in Debug builds"
#else
                Expect.isFalse d.CheckedMode "unchecked in Release builds"
#endif
                let fresh = ArenaOptions()

                Expect.equal
                    (fresh.InitialBlockSize, fresh.MaxBlockSize, fresh.MaxRetainedBytes, fresh.CheckedMode)
                    (d.InitialBlockSize, d.MaxBlockSize, d.MaxRetainedBytes, d.CheckedMode)
                    "new ArenaOptions() is the defaults"

            testCase "out-of-range options are rejected with ArgumentOutOfRangeException"
            <| fun () ->
                let bad name (o: ArenaOptions) =
                    Expect.throwsT<ArgumentOutOfRangeException> (fun () -> new Arena(o) |> ignore) name

                bad "InitialBlockSize 0" (ArenaOptions(InitialBlockSize = 0L))
                bad "InitialBlockSize -1" (ArenaOptions(InitialBlockSize = -1L))
                bad "InitialBlockSize over MaxRequestSize" (ArenaOptions(InitialBlockSize = Arena.MaxRequestSize + 1L))
                bad "MaxBlockSize 0" (ArenaOptions(MaxBlockSize = 0L))
                bad "MaxBlockSize over MaxRequestSize" (ArenaOptions(MaxBlockSize = Arena.MaxRequestSize + 1L))
                bad "MaxRetainedBytes -1" (ArenaOptions(MaxRetainedBytes = -1L))

            testCase "growth blocks double from twice the first block"
            <| fun () ->
                use arena = arenaWith (ArenaOptions(InitialBlockSize = 4096L, CheckedMode = false))
                arena.AllocRaw(4096n, 1n) |> ignore
                Expect.equal (fst (spill arena)) 8192L "second block"
                arena.AllocRaw(8191n, 1n) |> ignore
                Expect.equal (fst (spill arena)) 16384L "third block"
                arena.AllocRaw(16383n, 1n) |> ignore
                Expect.equal (fst (spill arena)) 32768L "fourth block"

                Expect.equal
                    arena.Stats
                    (ArenaStats(4096L + 8192L + 16384L + 1L, 4096L + 8192L + 16384L + 32768L, 4))
                    "stats"

            testCase "growth stops doubling at MaxBlockSize"
            <| fun () ->
                use arena =
                    arenaWith (ArenaOptions(InitialBlockSize = 4096L, MaxBlockSize = 8192L, CheckedMode = false))

                arena.AllocRaw(4096n, 1n) |> ignore
                Expect.equal (fst (spill arena)) 8192L "second block"
                arena.AllocRaw(8191n, 1n) |> ignore
                Expect.equal (fst (spill arena)) 8192L "capped"
                arena.AllocRaw(8191n, 1n) |> ignore
                Expect.equal (fst (spill arena)) 8192L "still capped"
                Expect.equal arena.BlockCount 4 "four blocks"

            testCase
                "a request bigger than the next growth block gets a block of exactly its size, and doubling does not advance"
            <| fun () ->
                use arena = unchecked 4096L
                arena.AllocRaw(10n, 1n) |> ignore
                let p = arena.AllocRaw(20000n, 4096n)
                Expect.isTrue (isAligned 4096L (vaddr p)) "page-aligned block start"

                Expect.equal
                    arena.Stats
                    (ArenaStats(20010L, 4096L + 20000L, 2))
                    "dedicated block, no padding in a fresh block"

                Expect.equal (fst (spill arena)) 8192L "the next growth block is still 8192"

            testCase "a loop of allocate then reset reaches a steady state: no new blocks, same addresses"
            <| fun () ->
                use arena = unchecked 4096L

                let program () =
                    [
                        for size, alignment in
                            [ 100, 8; 3000, 64; 1, 1; 5000, 4096; 40000, 16; 7, 2; 12000, 512; 1, 4096 ] ->
                            vaddr (arena.AllocRaw(nativeint size, nativeint alignment))
                    ]

                let first = program ()
                let stats = arena.Stats
                arena.Reset()

                for i in 1..200 do
                    let addresses = program ()
                    Expect.equal arena.Stats stats $"iteration {i}: same stats"
                    Expect.equal addresses first $"iteration {i}: same addresses"
                    arena.Reset()

                    Expect.equal
                        (arena.Stats.BlockCount, arena.Stats.BytesReserved)
                        (stats.BlockCount, stats.BytesReserved)
                        $"iteration {i}: blocks kept"

            testCase "with varying sizes and alignments the block count and reserved bytes stop changing"
            <| fun () ->
                use arena = unchecked 4096L
                let rng = Random(20261125)
                let history = ResizeArray()

                for _ in 1..600 do
                    for _ in 1 .. rng.Next(1, 40) do
                        arena.AllocRaw(nativeint (rng.Next(0, 3000)), nativeint (1 <<< rng.Next(0, 13)))
                        |> ignore

                    arena.Reset()
                    history.Add(arena.Stats.BlockCount, arena.Stats.BytesReserved)

                let settled = history[299]

                Expect.isTrue
                    (history |> Seq.skip 299 |> Seq.forall ((=) settled))
                    "constant over the last 300 iterations"

                Expect.equal arena.Stats.BytesAllocated 0L "reset"

            testCase "Reset frees retained blocks above MaxRetainedBytes, last first"
            <| fun () ->
                use arena =
                    arenaWith (
                        ArenaOptions(InitialBlockSize = 4096L, MaxRetainedBytes = 4096L + 8192L, CheckedMode = false)
                    )

                for size in [ 4096; 8192; 16384; 32768 ] do
                    arena.AllocRaw(nativeint size, 1n) |> ignore

                Expect.equal arena.Stats (ArenaStats(61440L, 61440L, 4)) "four full blocks"
                arena.Reset()
                Expect.equal arena.Stats (ArenaStats(0L, 12288L, 2)) "the two last blocks freed"
                arena.AllocRaw(4096n, 1n) |> ignore
                arena.AllocRaw(8192n, 1n) |> ignore
                Expect.equal arena.Stats.BlockCount 2 "the retained block is reused"
                Expect.equal (fst (spill arena)) 16384L "the doubling restarts from the largest block kept (8192)"

            testCase "MaxRetainedBytes 0 keeps only the block in use"
            <| fun () ->
                use arena =
                    arenaWith (ArenaOptions(InitialBlockSize = 4096L, MaxRetainedBytes = 0L, CheckedMode = false))

                arena.AllocRaw(4096n, 1n) |> ignore
                let cp = arena.GetCheckpoint()
                arena.AllocRaw(8192n, 1n) |> ignore
                arena.AllocRaw(16384n, 1n) |> ignore
                Expect.equal arena.Stats.BlockCount 3 "three blocks"
                arena.Rewind cp
                Expect.equal arena.Stats (ArenaStats(4096L, 4096L, 1)) "a rewind trims too"

            testCase "Trim frees every block after the one in use and reports the bytes"
            <| fun () ->
                use arena = unchecked 4096L
                arena.AllocRaw(4096n, 1n) |> ignore
                arena.AllocRaw(8192n, 1n) |> ignore
                arena.AllocRaw(16384n, 1n) |> ignore
                let cp = arena.GetCheckpoint()
                arena.AllocRaw(1n, 1n) |> ignore
                arena.Rewind cp
                Expect.equal arena.Stats.BlockCount 4 "a block retained after the one in use"
                Expect.equal (arena.Trim()) 32768L "the retained block"

                Expect.equal
                    arena.Stats
                    (ArenaStats(4096L + 8192L + 16384L, 4096L + 8192L + 16384L, 3))
                    "blocks in use kept"

                arena.Reset()
                Expect.equal (arena.Trim()) (8192L + 16384L) "after Reset, all but the first"
                Expect.equal arena.Stats (ArenaStats(0L, 4096L, 1)) "back to the first block"
                Expect.equal (arena.Trim()) 0L "nothing more to free"
                arena.AllocRaw(5000n, 1n) |> ignore

                Expect.equal
                    arena.Stats
                    (ArenaStats(5000L, 4096L + 8192L, 2))
                    "grows again; the doubling restarted from the largest block kept"
        ]
