/// Helpers of the workload tests: the "refused and nothing changed" assertions, written against the
/// arena's public API only (this project sees no internals), so they follow the core wherever it moves.
module FastArena.Workloads.Tests.Helpers

open System
open Expecto
open FastArena

/// An arena in unchecked mode with the given first block.
let unchecked (initial: int64) =
    new Arena(ArenaOptions(InitialBlockSize = initial, CheckedMode = false))

/// Values written before a bad call, read back after it.
type Witness =
    {
        Longs: ArenaSlice<int64>
        Text: ArenaSlice<char>
    }

    /// What the witness holds now.
    member w.Read() = w.Longs.ToArray(), String(w.Text.Span)

/// Allocates a witness in `arena` (it moves the cursor: take stats after it).
let witness (arena: Arena) =
    {
        Longs = arena.AllocSliceHandle(ReadOnlySpan [| 11L; -22L; 33L; Int64.MaxValue |])
        Text = arena.AllocStringHandle(ReadOnlySpan("earlier contents".ToCharArray()))
    }

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
let throwsUnchanged<'E when 'E :> exn> (arena: Arena) (w: Witness) (message: string) (f: unit -> unit) =
    let before = describe arena
    let contents = w.Read()
    Expect.throwsT<'E> f message
    Expect.equal (describe arena) before (message + ": stats, cursor, depth and next address unchanged")
    Expect.equal (w.Read()) contents (message + ": earlier contents unchanged")

/// Like `throwsUnchanged`, for a call that must return false (a Try variant).
let falseUnchanged (arena: Arena) (w: Witness) (message: string) (f: unit -> bool) =
    let before = describe arena
    let contents = w.Read()
    Expect.isFalse (f ()) message
    Expect.equal (describe arena) before (message + ": stats, cursor, depth and next address unchanged")
    Expect.equal (w.Read()) contents (message + ": earlier contents unchanged")

/// The exception `f` throws, or a failed test when it throws nothing.
let catchExn (message: string) (f: unit -> unit) : exn =
    try
        f ()
        failtestf "%s: expected an exception" message
    with
    | :? AssertException -> reraise ()
    | e -> e
