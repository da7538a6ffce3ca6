/// What the tests share: arenas in checked mode, snapshots of an arena's observable state, and a
/// disposable that counts its disposals.
module FastArena.FSharp.Tests.Helpers

open System
open Microsoft.FSharp.NativeInterop
open FastArena
open FastArena.FSharp

/// A checked arena: handles whose memory was given back report IsLive = false and throw on access.
let checkedArena () =
    Arena.createWith (ArenaOptions(CheckedMode = true))

/// A checked arena with tiny blocks and no retention, so that rollbacks cross blocks and give every
/// block back: its stats after a rollback equal its stats before, block counts included.
let tinyArena () =
    Arena.createWith (
        ArenaOptions(CheckedMode = true, InitialBlockSize = 64L, MaxBlockSize = 256L, MaxRetainedBytes = 0L)
    )

/// Everything observable about an arena's position.
type Snapshot =
    {
        Stats: ArenaStats
        Cursor: nativeint
        Depth: int
    }

/// The arena's stats, the address the cursor points at (a zero-byte request consumes nothing) and depth.
let snapshot (a: Arena) =
    {
        Stats = a.Stats
        Cursor = NativePtr.toNativeInt (NativePtr.ofVoidPtr<byte>(a.AllocRaw(0n, 1n)))
        Depth = a.TransactionDepth
    }

/// The address of the next 8-byte allocation, found by allocating and rolling back.
let nextAddress (a: Arena) =
    use tx = a.BeginTransaction()
    let p = tx.AllocRaw(8n, 8n)
    NativePtr.toNativeInt (NativePtr.ofVoidPtr<byte> p)

/// Runs a workflow whose error type is string.
let run (a: Arena) (workflow: ArenaWorkflow<'T, string>) = Arena.run a workflow

/// The exception the tests throw on purpose.
exception Boom of string

/// A disposable that counts how often it was disposed.
type Counter() =
    member val Disposals = 0 with get, set

    interface IDisposable with
        member this.Dispose() = this.Disposals <- this.Disposals + 1
