module FastArena.Tests.ArenaTests

open System
open Expecto
open FastArena

let unchecked () = new Arena(ArenaOptions(CheckedMode = false))

[<Tests>]
let tests =
    testList
        "Arena"
        [ test "Alloc stores the value and counts its bytes" {
              use arena = unchecked ()
              let x = &arena.Alloc 42L
              Expect.equal x 42L "value"
              Expect.equal arena.Stats.BytesAllocated 8L "8 bytes"
          }

          test "Rewind gives back and the next allocation lands at the same place" {
              use arena = unchecked ()
              arena.Alloc 1L |> ignore
              let cp = arena.GetCheckpoint()
              let p1 = arena.AllocHandle(2L).DangerousGetPointer()
              arena.Rewind cp
              let p2 = arena.AllocHandle(3L).DangerousGetPointer()
              Expect.equal (NativeInterop.NativePtr.toNativeInt p2) (NativeInterop.NativePtr.toNativeInt p1) "same address"
              Expect.equal arena.Stats.BytesAllocated 16L "two longs"
          }

          test "transaction rollback restores stats" {
              use arena = unchecked ()
              arena.Alloc 1 |> ignore
              let before = arena.Stats
              do
                  use tx = arena.BeginTransaction()
                  tx.Alloc 2L |> ignore
                  let s = tx.AllocSlice<int>(100)
                  Expect.equal s.Length 100 "slice length"
              Expect.equal arena.Stats before "restored"
              Expect.equal arena.TransactionDepth 0 "depth"
          } ]

[<Tests>]
let handleTests =
    testList
        "Handles are unmanaged"
        [ test "ArenaRef and ArenaSlice hold no managed reference, in checked mode too" {
              Expect.isFalse (Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<ArenaRef<int>>()) "ArenaRef"
              Expect.isFalse (Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<ArenaSlice<int>>()) "ArenaSlice"
          }

          test "a checked handle stored in arena memory still detects a rewind" {
              use arena = new Arena(ArenaOptions(CheckedMode = true))
              let cp = arena.GetCheckpoint()
              let inner = arena.AllocHandle 7
              let outer = arena.AllocHandle inner
              Expect.equal outer.Value.Value 7 "reads through the stored handle"
              arena.Rewind cp
              Expect.throwsT<InvalidOperationException> (fun () -> inner.Value |> ignore) "stale after rewind"
          }

          test "a checked handle reports ObjectDisposedException once its arena is disposed" {
              let arena = new Arena(ArenaOptions(CheckedMode = true))
              let h = arena.AllocHandle 1L
              arena.Dispose()
              Expect.isFalse h.IsLive "not live"
              Expect.throwsT<ObjectDisposedException> (fun () -> h.Value |> ignore) "disposed"
          } ]
