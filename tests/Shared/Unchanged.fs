/// The "refused, and nothing changed" assertions every bad-input test uses, written against the public
/// API only. Each suite passes its own `describe` (what "the arena's state" means where it runs: the test
/// projects that see the core's internals compare the checkpoint's block and offset, the others what the
/// public API shows).
module FastArena.Testing.Unchanged

open System
open Expecto
open FastArena

/// Values written before a bad call, read back after it: a slice of longs and a string.
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

/// Asserts that `f` throws exactly `'E`, and that afterwards `describe arena` (named by `what`) and the
/// witness's contents are what they were before.
let throwsUnchangedBy<'E, 'S when 'E :> exn and 'S: equality>
    (describe: Arena -> 'S)
    (what: string)
    (arena: Arena)
    (w: Witness)
    (message: string)
    (f: unit -> unit)
    =
    let before = describe arena
    let contents = w.Read()
    Expect.throwsT<'E> f message
    Expect.equal (describe arena) before (message + ": " + what + " unchanged")
    Expect.equal (w.Read()) contents (message + ": earlier contents unchanged")

/// Like `throwsUnchangedBy`, for a call that must return false (a Try variant).
let falseUnchangedBy
    (describe: Arena -> 'S)
    (what: string)
    (arena: Arena)
    (w: Witness)
    (message: string)
    (f: unit -> bool)
    =
    let before = describe arena
    let contents = w.Read()
    Expect.isFalse (f ()) message
    Expect.equal (describe arena) before (message + ": " + what + " unchanged")
    Expect.equal (w.Read()) contents (message + ": earlier contents unchanged")

/// The exception `f` throws, or a failed test when it throws nothing.
let catchExn (message: string) (f: unit -> unit) : exn =
    try
        f ()
        failtestf "%s: expected an exception" message
    with
    | :? AssertException -> reraise ()
    | e -> e
