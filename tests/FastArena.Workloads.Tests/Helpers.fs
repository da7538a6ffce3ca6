/// Helpers of the workload tests: the "refused and nothing changed" assertions, written against the
/// arena's public API only (this project sees no internals), so they follow the core wherever it moves.
module FastArena.Workloads.Tests.Helpers

open System
open Expecto
open FastArena
open FastArena.Testing.Unchanged

/// An arena in unchecked mode with the given first block.
let unchecked (initial: int64) =
    new Arena(ArenaOptions(InitialBlockSize = initial, CheckedMode = false))

/// Where the next allocation of one byte would land: allocated, read, and rewound.
let nextAddress (arena: Arena) : nativeint =
    let cp = arena.GetCheckpoint()
    let p = arena.AllocRaw(1n, 1n)
    arena.Rewind cp
    NativeInterop.NativePtr.toNativeInt (NativeInterop.NativePtr.ofVoidPtr<byte> p)

/// Stats, bytes allocated at the cursor, transaction depth and the next allocation's address.
let describe (arena: Arena) =
    arena.Stats, arena.GetCheckpoint().BytesAllocated, arena.TransactionDepth, nextAddress arena

/// Asserts that `f` throws exactly `'E` and that the arena's stats, cursor, depth, next allocation
/// address and the witness's contents are what they were before.
let throwsUnchanged<'E when 'E :> exn> arena w message f =
    throwsUnchangedBy<'E, _> describe "stats, cursor, depth and next address" arena w message f

/// Like `throwsUnchanged`, for a call that must return false (a Try variant).
let falseUnchanged arena w message f =
    falseUnchangedBy describe "stats, cursor, depth and next address" arena w message f
