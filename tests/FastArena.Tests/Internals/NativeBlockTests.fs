/// Native blocks and the GC: memory pressure is reported in whole chunks, adds up to zero when every
/// block is freed, and makes the GC finalize forgotten arenas when their blocks add up.
module FastArena.Tests.NativeBlockTests

open System
open System.Threading
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// A gauge whose reports go into counters instead of the GC.
let private gauge (chunk: int64) =
    let added = ref 0L
    let removed = ref 0L

    let g =
        MemoryPressure(
            chunk,
            Action<int64>(fun n -> Interlocked.Add(&added.contents, n) |> ignore),
            Action<int64>(fun n -> Interlocked.Add(&removed.contents, n) |> ignore)
        )

    g, added, removed

let private pressure =
    testList
        "memory pressure"
        [
            testCase "reported is outstanding rounded down to a chunk, and what was told the GC adds up to it"
            <| fun () ->
                let g, added, removed = gauge 1000L
                let sizes = [ 300L; 300L; 500L; 4096L; 1L; 999L; 2000L ]
                let mutable total = 0L

                for s in sizes do
                    g.Add s
                    total <- total + s
                    Expect.equal g.Outstanding total "outstanding"
                    Expect.equal g.Reported (total / 1000L * 1000L) $"reported after adding {s}"
                    Expect.equal (added.Value - removed.Value) g.Reported "told the GC"

                for s in sizes do
                    g.Remove s
                    total <- total - s
                    Expect.equal g.Reported (total / 1000L * 1000L) $"reported after removing {s}"
                    Expect.equal (added.Value - removed.Value) g.Reported "told the GC"

                Expect.equal g.Outstanding 0L "nothing outstanding"
                Expect.equal added.Value removed.Value "every addition was removed"
                Expect.isGreaterThan added.Value 0L "something was reported at all"

            testCase "two threads adding and removing at once leave nothing reported"
            <| fun () ->
                let g, added, removed = gauge 4096L

                let work (seed: int) =
                    let rng = Random seed

                    for _ in 1..100_000 do
                        let s = int64 (rng.Next(1, 20_000))
                        g.Add s
                        g.Remove s

                let t1 = Thread(fun () -> work 1)
                let t2 = Thread(fun () -> work 2)
                t1.Start()
                t2.Start()
                t1.Join()
                t2.Join()
                Expect.equal g.Outstanding 0L "nothing outstanding"
                Expect.equal g.Reported 0L "nothing reported"
                Expect.equal added.Value removed.Value "the GC was told as much removed as added"

        ]

/// Creates forgotten arenas of `size` bytes, up to `most`, until the GC has collected one of them;
/// returns how many were created and how many of those were collected.
let private forgetUntilCollected (most: int) (size: int64) =
    let refs = Collections.Generic.List<WeakReference>()

    let collected () =
        refs |> Seq.filter (fun r -> not r.IsAlive) |> Seq.length

    while refs.Count < most && (refs.Count % 64 <> 0 || collected () = 0) do
        let a = new Arena(ArenaOptions(InitialBlockSize = size, CheckedMode = false))
        // The first allocation reserves the block (construction reserves nothing).
        a.AllocRaw(1n, 1n) |> ignore
        refs.Add(WeakReference(a))

    refs.Count, collected ()

let private finalization =
    testList
        "forgotten arenas"
        [
            testCase "an arena's blocks are counted while it lives and not after Dispose"
            <| fun () ->
                // Sequenced: no other test allocates meanwhile, but compare through this arena's blocks anyway.
                let before = NativeBlock.s_pressure.Outstanding
                let arena = unchecked (64L <<< 20)
                arena.AllocSlice<byte>(1000).Length |> ignore
                let during = NativeBlock.s_pressure.Outstanding
                arena.Dispose()
                let after = NativeBlock.s_pressure.Outstanding
                Expect.isGreaterThan (during - before) (32L <<< 20) "the 64 MiB block is counted"
                Expect.isLessThan (after - before) (32L <<< 20) "and uncounted after Dispose"

            testCase "the GC collects forgotten arenas once their native blocks add up, with no explicit collection"
            <| fun () ->
                // Up to 4096 arenas of 16 MiB (address space only, never touched): at most a megabyte of
                // managed memory, below a gen0 budget, so only the reported pressure brings collections.
                // How soon the GC reacts is its own heuristic, so the loop goes on until it has.
                let gen2 = GC.CollectionCount 2
                let created, collected = forgetUntilCollected 4096 (16L <<< 20)
                Expect.isGreaterThan collected 0 $"some of the {created} forgotten arenas were collected"
                Expect.isGreaterThan (GC.CollectionCount 2) gen2 "memory pressure induced a full collection"
                GC.WaitForPendingFinalizers()
        ]

let tests = testList "Native blocks" [ pressure; testSequenced finalization ]
