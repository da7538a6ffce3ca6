/// ArenaScope: allocations through a scope land exactly where the arena's would; block changes,
/// budgets, checked mode and disposal tracking go through the arena's slow path; while a scope is open
/// every other use of the arena throws and changes nothing; an ended, copied or default scope is refused.
/// ArenaScope is a ref struct, so exceptions are caught inline (a closure cannot capture it).
module FastArena.Tests.ArenaScopeTests

open System
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// Asserts that `e` (what an inline try/with caught) is exactly `'E`.
let private expectExn<'E when 'E :> exn> (message: string) (e: exn | null) =
    match e with
    | null -> failtestf "%s: expected %s, nothing was thrown" message typeof<'E>.Name
    | e when e.GetType() = typeof<'E> -> ()
    | e -> failtestf "%s: expected %s, got %O" message typeof<'E>.Name e

/// How many ScopeTracked values were disposed (only the disposal-tracking test uses it).
let mutable private scopeDisposed = 0

/// An unmanaged value that counts its disposals.
[<Struct>]
type ScopeTracked =
    val Id: int
    new(id) = { Id = id }

    interface IDisposable with
        member _.Dispose() = scopeDisposed <- scopeDisposed + 1

[<Tests>]
let tests =
    testList
        "ArenaScope"
        [
            testCase "allocations through a scope land where the arena's would, and the arena goes on after them"
            <| fun () ->
                use direct = unchecked 4096L
                use scoped = unchecked 4096L
                let d0 = refAddr (&direct.Alloc(1uy))
                let d1 = refAddr (&direct.Alloc(2L))
                let d2 = spanAddr (direct.AllocSlice(ReadOnlySpan [| 3s; 4s; 5s |]))
                let d3 = refAddr (&direct.Alloc(6))

                let mutable scope = scoped.OpenScope()
                Expect.isTrue scoped.IsScopeOpen "open"
                let s0 = refAddr (&scope.Alloc(1uy))
                let s1 = refAddr (&scope.Alloc(2L))
                let slice = scope.AllocSlice(ReadOnlySpan [| 3s; 4s; 5s |])
                let s2 = spanAddr slice
                let s3 = refAddr (&scope.Alloc(6))
                Expect.equal (slice.ToArray()) [| 3s; 4s; 5s |] "slice copied"
                Expect.isTrue scope.IsOpen "the scope is open"
                scope.Dispose()
                Expect.isFalse scope.IsOpen "the scope has ended"

                Expect.isFalse scoped.IsScopeOpen "ended"
                Expect.equal [ s1 - s0; s2 - s0; s3 - s0 ] [ d1 - d0; d2 - d0; d3 - d0 ] "same offsets, same padding"
                Expect.equal scoped.Stats direct.Stats "same stats"

                Expect.equal
                    (refAddr (&scoped.Alloc(7L)) - s0)
                    (refAddr (&direct.Alloc(7L)) - d0)
                    "the arena goes on after the scope"

            testCase "a scope crosses blocks through the arena's slow path, with the arena's block rules"
            <| fun () ->
                use direct = unchecked 4096L
                use scoped = unchecked 4096L

                for i in 0..999 do
                    direct.Alloc(int64 i) |> ignore

                let mutable scope = scoped.OpenScope()
                let mutable sum = 0L

                for i in 0..999 do
                    sum <- sum + scope.Alloc(int64 i)

                scope.Dispose()
                Expect.equal sum 499500L "values read back"
                Expect.equal scoped.Stats direct.Stats "same bytes, reserved bytes and blocks"
                Expect.isGreaterThan scoped.BlockCount 1 "crossed into a second block"

            testCase
                "while a scope is open every other use of the arena throws InvalidOperationException and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let cp = arena.GetCheckpoint()
                let tx = arena.BeginTransaction()
                let before = describe arena
                let contents = w.Read()
                let mutable scope = arena.OpenScope()
                let x = &scope.Alloc(42L)

                let refused: (string * (unit -> unit)) list =
                    [
                        "Alloc", (fun () -> arena.Alloc 1L |> ignore)
                        "AllocSlice", (fun () -> (arena.AllocSlice<int> 4).Length |> ignore)
                        "AllocString", (fun () -> arena.AllocString(ReadOnlySpan("ab".ToCharArray())).Length |> ignore)
                        "GetCheckpoint", (fun () -> arena.GetCheckpoint() |> ignore)
                        "Rewind", (fun () -> arena.Rewind cp)
                        "Reset", (fun () -> arena.Reset())
                        "Trim", (fun () -> arena.Trim() |> ignore)
                        "Stats", (fun () -> arena.Stats |> ignore)
                        "BeginTransaction", (fun () -> arena.BeginTransaction() |> ignore)
                        "OpenScope", (fun () -> arena.OpenScope().IsOpen |> ignore)
                        "tx.Alloc", (fun () -> tx.Alloc 1L |> ignore)
                        "tx.Commit", (fun () -> tx.Commit())
                        "tx.Rollback", (fun () -> tx.Rollback())
                        "new ArenaList",
                        (fun () ->
                            let mutable l = ArenaList<int>(arena, 4)
                            l.Dispose())
                    ]

                for name, f in refused do
                    Expect.throwsT<InvalidOperationException> f name

                Expect.equal x 42L "the scope's value is intact"
                scope.Dispose()
                let (stats, (block, offset, position), depth) = before
                let (stats2, (block2, offset2, position2), depth2) = describe arena
                Expect.equal (block2, offset2, position2) (block, offset + 8n, position + 8L) "only the scope's 8 bytes"

                Expect.equal
                    (stats2.BytesAllocated, stats2.BlockCount, depth2)
                    (stats.BytesAllocated + 8L, stats.BlockCount, depth)
                    "stats"

                Expect.equal (w.Read()) contents "earlier contents unchanged"
                tx.Commit()
                Expect.equal tx.Status TransactionStatus.Committed "the transaction goes on after the scope"

            testCase "a transaction's budget holds inside a scope; a refused allocation changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                tx.SetLimit 64L
                let mutable scope = arena.OpenScope()

                for i in 1..8 do
                    scope.Alloc(int64 i) |> ignore

                let refused =
                    try
                        scope.Alloc 9L |> ignore
                        none
                    with e ->
                        e

                expectExn<ArenaBudgetExceededException> "the ninth long passes the budget" refused

                let tooBig =
                    try
                        (scope.AllocSliceUninitialized<byte> 1).Length |> ignore
                        none
                    with e ->
                        e

                expectExn<ArenaBudgetExceededException> "no byte left" tooBig
                let empty = scope.AllocSliceUninitialized<byte> 0
                Expect.equal empty.Length 0 "an empty slice needs no budget"
                scope.Dispose()
                Expect.equal tx.BytesUsed 64L "exactly the eight longs"
                tx.Rollback()
                Expect.equal arena.BytesAllocated 0L "rolled back with the transaction"

            testCase "bad lengths throw ArgumentOutOfRangeException from the scope and change nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable scope = arena.OpenScope()
                scope.Alloc 1uy |> ignore

                let negative =
                    try
                        (scope.AllocSliceUninitialized<int> -1).Length |> ignore
                        none
                    with e ->
                        e

                let huge =
                    try
                        (scope.AllocSliceUninitialized<Big> Int32.MaxValue).Length |> ignore
                        none
                    with e ->
                        e

                expectExn<ArgumentOutOfRangeException> "negative length" negative
                expectExn<ArgumentOutOfRangeException> "past MaxRequestSize" huge
                Expect.equal (scope.Alloc 2uy) 2uy "the scope still works"
                scope.Dispose()
                Expect.equal arena.BytesAllocated 2L "only the two bytes"

            testCase
                "an ended scope throws InvalidOperationException, a second Dispose does nothing, a default scope throws"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable scope = arena.OpenScope()
                scope.Alloc 1L |> ignore
                scope.Dispose()
                let after = arena.Stats

                let ended =
                    try
                        scope.Alloc 2L |> ignore
                        none
                    with e ->
                        e

                expectExn<InvalidOperationException> "ended" ended
                scope.Dispose()
                Expect.equal arena.Stats after "unchanged"
                let mutable d = ArenaScope()

                let isDefault =
                    try
                        d.Alloc 1L |> ignore
                        none
                    with e ->
                        e

                expectExn<InvalidOperationException> "default" isDefault
                d.Dispose()
                Expect.equal arena.Stats after "still unchanged"

            testCase "checked mode: every scope call is validated, so a copy used after its scope ended throws"
            <| fun () ->
                use arena = checkedArena 4096L
                let mutable scope = arena.OpenScope()
                let mutable copy = scope
                Expect.equal (scope.Alloc 5L) 5L "allocates through the slow path"
                scope.Dispose()
                let after = arena.Stats

                let stale =
                    try
                        copy.Alloc 6L |> ignore
                        none
                    with e ->
                        e

                expectExn<InvalidOperationException> "the copy's scope ended" stale
                copy.Dispose()
                Expect.equal arena.Stats after "the copy's Dispose does not move the cursor back"
                // One thread at a time may use a checked arena (I13): from another thread, with this one
                // outside the arena, a scope opens.
                let e = onOtherThread (fun () -> arena.OpenScope().IsOpen |> ignore)
                Expect.isNull e "OpenScope from another thread, one at a time"

            testCase
                "disposing the arena while a scope is open: the scope's slow path throws ObjectDisposedException and its Dispose ends it"
            <| fun () ->
                let arena = unchecked 4096L
                let mutable scope = arena.OpenScope()
                let first = &scope.Alloc(1L)
                arena.Dispose()
                Expect.isTrue arena.IsDisposed "disposed"
                Expect.equal first 1L "the scope's block is still there"

                let refused =
                    try
                        (scope.AllocSliceUninitialized<byte> 8192).Length |> ignore
                        none
                    with e ->
                        e

                expectExn<ObjectDisposedException> "a new block is refused" refused
                scope.Dispose()
                Expect.throwsT<ObjectDisposedException> (fun () -> arena.Alloc 1L |> ignore) "the arena stays disposed"
                arena.Dispose()

            testCase "disposal tracking: values allocated through a scope are tracked and disposed on Reset"
            <| fun () ->
                scopeDisposed <- 0

                use arena =
                    new Arena(ArenaOptions(InitialBlockSize = 4096L, CheckedMode = false, TrackDisposal = true))

                let mutable scope = arena.OpenScope()
                scope.Alloc(new ScopeTracked(1)) |> ignore
                scope.Alloc(new ScopeTracked(2)) |> ignore
                scope.Dispose()
                Expect.equal scopeDisposed 0 "not yet"
                arena.Reset()
                Expect.equal scopeDisposed 2 "both disposed"
        ]
