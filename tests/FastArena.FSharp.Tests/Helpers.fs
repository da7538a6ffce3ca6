/// What the tests share: arenas in checked mode, snapshots of an arena's observable state, and a
/// disposable that counts its disposals.
module FastArena.FSharp.Tests.Helpers

open System
open Microsoft.FSharp.NativeInterop
open FastArena
open FastArena.FSharp

/// Reserves the arena's first block (construction reserves none; the first allocation does) and
/// gives the allocation back, so that a snapshot taken now and one taken after a rollback compare
/// positions inside that block: a rollback keeps the blocks it reserved, the first one included.
let warm (a: Arena) =
    a.AllocRaw(1n, 1n) |> ignore
    a.Reset()
    a

/// A checked arena, its first block reserved: handles whose memory was given back report IsLive = false and throw on access.
let checkedArena () =
    Arena.createWith (ArenaOptions(CheckedMode = true)) |> warm

/// A checked arena with tiny blocks and no retention, so that rollbacks cross blocks and give every
/// block back: its stats after a rollback equal its stats before, block counts included.
let tinyArena () =
    Arena.createWith (
        ArenaOptions(CheckedMode = true, InitialBlockSize = 64L, MaxBlockSize = 256L, MaxRetainedBytes = 0L)
    )
    |> warm

/// Where `p` lies within its block. Blocks start on a page boundary (Arena.MaxAlignment), so this
/// depends only on the arena's position, never on where the C allocator placed a block: a block that
/// is given back and reserved again may come back at another address.
let offsetInBlock (p: voidptr) =
    NativePtr.toNativeInt (NativePtr.ofVoidPtr<byte> p) % nativeint Arena.MaxAlignment

/// Everything observable about an arena's position.
type Snapshot =
    {
        Stats: ArenaStats
        /// The cursor's offset within its block.
        CursorOffset: nativeint
        Depth: int
    }

/// The arena's stats, the cursor's offset within its block (a zero-byte request consumes nothing) and depth.
let snapshot (a: Arena) =
    {
        Stats = a.Stats
        CursorOffset = offsetInBlock (a.AllocRaw(0n, 1n))
        Depth = a.TransactionDepth
    }

/// Where the next allocation goes, as the library promises it: never its address, which depends on the
/// C allocator when the allocation opens a block.
type NextAllocation =
    {
        /// Its offset within its block.
        Offset: nativeint
        /// The stats right after it: bytes allocated (with its padding) and whether it opened a block.
        StatsAfter: ArenaStats
    }

/// Where the next 8-byte allocation goes, found by allocating and rolling back.
let nextAllocation (a: Arena) =
    use tx = a.BeginTransaction()
    let p = tx.AllocRaw(8n, 8n)

    {
        Offset = offsetInBlock p
        StatsAfter = a.Stats
    }

/// Runs a workflow whose error type is string.
let run (a: Arena) (workflow: ArenaWorkflow<'T, string>) = Arena.run a workflow

/// The exception the tests throw on purpose.
exception Boom of string

/// A disposable that counts how often it was disposed.
type Counter() =
    member val Disposals = 0 with get, set

    interface IDisposable with
        member this.Dispose() = this.Disposals <- this.Disposals + 1
