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
