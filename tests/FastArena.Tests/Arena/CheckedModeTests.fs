/// Checked mode: stale handles throw, given-back memory is poisoned, and an arena may move between
/// threads (the race rule is in ThreadRulesTests); each bad use leaves the arena as it was.
module FastArena.Tests.CheckedModeTests

open System
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

let private isPoison (bytes: byte[]) =
    bytes |> Array.forall ((=) Arena.PoisonByte)

/// A handle of a checked arena that nobody disposes, and whether it was live while the arena was still
/// reachable. A handle does not keep its arena alive: once this returns, any collection (another test's
/// included) may finalize the arena, so its liveness is read here, before the arena's last use.
[<Runtime.CompilerServices.MethodImpl(Runtime.CompilerServices.MethodImplOptions.NoInlining)>]
let private forgottenArenaHandle () =
    let arena = checkedArena 4096L
    let h = arena.AllocHandle 5L
    let liveWhileReachable = h.IsLive
    GC.KeepAlive arena
    h, liveWhileReachable

let private staleHandles =
    testList
        "stale handles"
        [
            testCase "handles above a Rewind target throw InvalidOperationException; those below stay live"
            <| fun () ->
                use arena = checkedArena 4096L
                let below = arena.AllocHandle 1L
                let belowSlice = arena.AllocSliceHandle(ReadOnlySpan [| 1; 2 |])
                let cp = arena.GetCheckpoint()
                let r = arena.AllocHandle 2L
                let s = arena.AllocSliceHandle(ReadOnlySpan [| 3; 4 |])
                arena.Rewind cp
                let w = witness arena
                let t = throwsUnchanged<InvalidOperationException> arena w
                t "ArenaRef.Value" (fun () -> r.Value |> ignore)
                t "ArenaSlice.Span" (fun () -> s.Span.Length |> ignore)
                t "ArenaSlice indexer" (fun () -> s[0] |> ignore)
                t "ArenaSlice.ToArray" (fun () -> s.ToArray() |> ignore)

                t "ArenaSlice.GetEnumerator" (fun () ->
                    let e = s.GetEnumerator()
                    ())

                Expect.equal (r.IsLive, s.IsLive) (false, false) "IsLive"
                Expect.equal (r.ToString()) "ArenaRef<Int64>(stale)" "ToString does not read"
                Expect.equal (below.Value, belowSlice.ToArray()) (1L, [| 1; 2 |]) "below the target: live"

            testCase "a stale handle stays stale after the arena grows back over its memory"
            <| fun () ->
                use arena = checkedArena 4096L
                let cp = arena.GetCheckpoint()
                let old = arena.AllocHandle 1L
                arena.Rewind cp
                let fresh = arena.AllocHandle 2L
                Expect.equal (paddr (fresh.DangerousGetPointer())) (paddr (old.DangerousGetPointer())) "same address"
                Expect.equal fresh.Value 2L "the new handle is live"
                Expect.throwsT<InvalidOperationException> (fun () -> old.Value |> ignore) "the old one is not"

            testCase "a handle that ends exactly at the rewind target stays live"
            <| fun () ->
                use arena = checkedArena 4096L
                let h = arena.AllocHandle 7L
                let cp = arena.GetCheckpoint()
                arena.AllocHandle 8L |> ignore
                arena.Rewind cp
                Expect.equal h.Value 7L "live"

            testCase "Reset and rollback make handles stale; committed ones stay live"
            <| fun () ->
                use arena = checkedArena 4096L
                let tx = arena.BeginTransaction()
                let rolled = tx.AllocHandle 1L
                let rolledSlice = tx.AllocSliceHandle(ReadOnlySpan [| 1; 2 |])
                tx.Rollback()
                let w = witness arena

                throwsUnchanged<InvalidOperationException> arena w "rollback: ArenaRef" (fun () ->
                    rolled.Value |> ignore)

                throwsUnchanged<InvalidOperationException> arena w "rollback: ArenaSlice" (fun () ->
                    rolledSlice.ToArray() |> ignore)

                let tx2 = arena.BeginTransaction()
                let kept = tx2.AllocHandle 2L
                tx2.Commit()
                Expect.equal kept.Value 2L "committed"
                arena.Reset()
                let w2 = witness arena
                throwsUnchanged<InvalidOperationException> arena w2 "reset" (fun () -> kept.Value |> ignore)

            testCase "budgets, rollback and Try variants behave the same in checked mode (the slow path)"
            <| fun () ->
                use arena = checkedArena 4096L
                let w = witness arena
                let before = describe arena
                let tx = arena.BeginTransaction()
                tx.SetLimit 16L
                let first = tx.AllocHandle 1uy
                tx.Alloc 2L |> ignore
                Expect.equal tx.BudgetRemaining (Nullable 0L) "1 + 7 padding + 8"
                throwsUnchanged<ArenaBudgetExceededException> arena w "over budget" (fun () -> tx.Alloc 3uy |> ignore)
                falseUnchanged arena w "Try over budget" (fun () -> fst (tx.TryAlloc 3uy))
                tx.Rollback()
                Expect.equal (describe arena) before "restored"
                let again = arena.AllocHandle 4uy
                Expect.equal (paddr (again.DangerousGetPointer())) (paddr (first.DangerousGetPointer())) "same address"

            testCase "a list of a disposed arena throws ObjectDisposedException in checked mode"
            <| fun () ->
                let arena = checkedArena 4096L
                let mutable l = new ArenaList<int>(arena, 8)
                l.Add 1
                arena.Dispose()

                let e =
                    try
                        l.Add 2
                        none
                    with e ->
                        e

                Expect.isTrue (isExn<ObjectDisposedException> e) "Add"
                l.Dispose()

            testCase "handles of a disposed arena throw ObjectDisposedException"
            <| fun () ->
                let arena = checkedArena 4096L
                let r = arena.AllocHandle 1L
                let s = arena.AllocSliceHandle<int> 2
                arena.Dispose()
                Expect.throwsT<ObjectDisposedException> (fun () -> r.Value |> ignore) "ArenaRef"
                Expect.throwsT<ObjectDisposedException> (fun () -> s.Span.Length |> ignore) "ArenaSlice"
                Expect.equal (r.IsLive, s.IsLive) (false, false) "not live"

            testCase "a list stays usable after a rewind that stays above its buffer, and grows in place again"
            <| fun () ->
                use arena = checkedArena 4096L
                let mutable l = new ArenaList<int>(arena)

                for i in 1..4 do
                    l.Add i

                let start = spanAddr (l.AsSpan())
                let cp = arena.GetCheckpoint()
                arena.Alloc 1L |> ignore
                arena.Rewind cp
                l.Add 5
                Expect.equal (spanAddr (l.AsSpan())) start "grew in place"
                Expect.equal (l.AsSpan().ToArray()) [| 1..5 |] "elements"
                let s = l.FinishHandle()
                Expect.equal (s.ToArray(), arena.BytesAllocated) ([| 1..5 |], 20L) "finished and trimmed"

            testCase "a list begun in a rolled-back transaction throws on its next use"
            <| fun () ->
                use arena = checkedArena 4096L
                let tx = arena.BeginTransaction()
                let mutable l = new ArenaList<int>(tx)
                l.Add 1
                tx.Rollback()
                let w = witness arena
                let before = describe arena

                let e =
                    try
                        l.Add 2
                        none
                    with e ->
                        e

                Expect.isTrue (isExn<InvalidOperationException> e) "Add"
                Expect.equal (describe arena) before "arena unchanged"
                l.Dispose()
                Expect.equal (describe arena) before "Dispose of the stale list changes nothing"

            testCase "a finished list's handle stays live when later allocations are rewound"
            <| fun () ->
                use arena = checkedArena 4096L
                let mutable l = new ArenaList<int64>(arena, 16)
                l.Add 1L
                l.Add 2L
                let h = l.FinishHandle()
                let cp = arena.GetCheckpoint()
                arena.AllocSliceHandle<int64> 20 |> ignore
                arena.Rewind cp
                Expect.equal (h.ToArray()) [| 1L; 2L |] "live"
                arena.Reset()
                Expect.throwsT<InvalidOperationException> (fun () -> h.ToArray() |> ignore) "stale after Reset"

            testCase "a handle of a disposed arena stays dead when a new arena takes over its registry slot"
            <| fun () ->
                let first = checkedArena 4096L
                let old = first.AllocHandle 1L
                first.Dispose()
                use second = checkedArena 4096L
                let fresh = second.AllocHandle 2L
                Expect.throwsT<ObjectDisposedException> (fun () -> old.Value |> ignore) "the old handle"
                Expect.isFalse old.IsLive "not live"
                Expect.equal fresh.Value 2L "the new arena's handle"

            testCase "a forgotten checked arena is finalized: its blocks are freed and its handles report it"
            <| fun () ->
                let h, liveWhileReachable = forgottenArenaHandle ()
                Expect.isTrue liveWhileReachable "live while the arena is reachable"

                for _ in 1..3 do
                    GC.Collect()
                    GC.WaitForPendingFinalizers()

                Expect.isFalse h.IsLive "the finalizer ran and gave the registry slot back"
                Expect.throwsT<ObjectDisposedException> (fun () -> h.Value |> ignore) "no read of freed memory"

            testCase "a list whose buffer a rewind gave back throws on its next use"
            <| fun () ->
                use arena = checkedArena 4096L
                let cp = arena.GetCheckpoint()
                let mutable l = new ArenaList<int>(arena)
                l.Add 1
                arena.Rewind cp
                let w = witness arena
                let before = describe arena

                let e =
                    try
                        l.Add 2
                        none
                    with e ->
                        e

                Expect.isTrue (isExn<InvalidOperationException> e) "Add"

                let e2 =
                    try
                        let s = l.AsSpan()
                        none
                    with e ->
                        e

                Expect.isTrue (isExn<InvalidOperationException> e2) "AsSpan"
                Expect.equal (describe arena) before "arena unchanged"
                l.Dispose()
        ]

let private poison =
    testList
        "poison"
        [
            testCase "Rewind fills the given-back bytes with PoisonByte and leaves the rest"
            <| fun () ->
                use arena = checkedArena 4096L
                let keep = arena.AllocSliceHandle(ReadOnlySpan [| 1uy; 2uy; 3uy |])
                let cp = arena.GetCheckpoint()
                let p = vaddr (arena.AllocRaw(100n, 1n))
                let s = arena.AllocSlice(ReadOnlySpan(Array.create 100 7uy))
                arena.Rewind cp
                Expect.isTrue (isPoison (readBytes p 200)) "poisoned"
                Expect.equal (keep.ToArray()) [| 1uy; 2uy; 3uy |] "below the target untouched"

            testCase "Reset and rollback poison too, across blocks"
            <| fun () ->
                use arena = checkedArena 4096L
                let a = vaddr (arena.AllocZeroed(4000n, 1n))
                let b = vaddr (arena.AllocZeroed(6000n, 1n))
                arena.Reset()
                Expect.isTrue (isPoison (readBytes a 4000) && isPoison (readBytes b 6000)) "both blocks"
                let tx = arena.BeginTransaction()
                let c = vaddr (tx.AllocZeroed(64n, 8n))
                tx.Rollback()
                Expect.isTrue (isPoison (readBytes c 64)) "rollback"

            testCase "uninitialised allocations after a rewind hold poison, zeroed ones do not"
            <| fun () ->
                use arena = checkedArena 4096L
                let cp = arena.GetCheckpoint()
                arena.AllocZeroed(64n, 8n) |> ignore
                arena.Rewind cp
                let u = arena.AllocUninitialized<int64>()
                Expect.equal u (BitConverter.ToInt64(Array.create 8 Arena.PoisonByte, 0)) "poison pattern"
                let z = arena.AllocSlice<int64> 2
                Expect.equal (z.ToArray()) [| 0L; 0L |] "zeroed"

            testCase "unchecked mode does not poison"
            <| fun () ->
                use arena = unchecked 4096L
                let cp = arena.GetCheckpoint()
                let p = vaddr (arena.AllocZeroed(64n, 8n))
                arena.Rewind cp
                Expect.equal (readBytes p 64) (Array.zeroCreate 64) "left as it was"
                Expect.isFalse arena.IsChecked "unchecked"
        ]

let private wrongThread =
    testList
        "threads"
        [
            testCase
                "checked mode: use from another thread, one thread at a time, works (the race rule is in ThreadRulesTests)"
            <| fun () ->
                use arena = checkedArena 4096L
                let h = arena.AllocHandle 5L
                let e = onOtherThread (fun () -> arena.Alloc 1L |> ignore)
                Expect.isNull e "no exception"
                Expect.equal arena.BytesAllocated 16L "allocated from the other thread"
                Expect.equal h.Value 5L "the first thread still reads"

            testCase "unchecked mode does not check the thread"
            <| fun () ->
                use arena = unchecked 4096L
                let e = onOtherThread (fun () -> arena.Alloc 1L |> ignore)
                Expect.isNull e "no check"
                Expect.equal arena.BytesAllocated 8L "allocated from the other thread"
        ]

[<Tests>]
let tests = testList "Checked mode" [ staleHandles; poison; wrongThread ]
