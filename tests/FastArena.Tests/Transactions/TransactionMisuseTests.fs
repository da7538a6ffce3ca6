/// Transactions: every misuse throws its documented exception and leaves the arena as it was.
module FastArena.Tests.TransactionMisuseTests

open System
open System.Collections.Generic
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged
open FastArena.Tests.TransactionSupport

let tests =
    testList
        "misuse"
        [
            testCase "a committed transaction: every member throws InvalidOperationException and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                tx.Commit()
                let w = witness arena

                for name, f in endedMembers tx do
                    throwsUnchanged<InvalidOperationException> arena w name f

                tx.Dispose()
                Expect.equal tx.Status TransactionStatus.Committed "still committed"

            testCase "a rolled-back transaction: every member throws InvalidOperationException and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                tx.Rollback()
                let w = witness arena

                for name, f in endedMembers tx do
                    throwsUnchanged<InvalidOperationException> arena w name f

                tx.Dispose()

            testCase "Commit of an outer transaction while a savepoint is open throws and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let outer = arena.BeginTransaction()
                outer.Alloc 1L |> ignore
                let sp = outer.Savepoint()
                let w = witness arena
                throwsUnchanged<InvalidOperationException> arena w "Commit" (fun () -> outer.Commit())
                Expect.isTrue (outer.IsActive && sp.IsActive) "both still open"
                let h = sp.AllocHandle 9L
                sp.Commit()
                outer.Commit()
                Expect.equal (h.Value, arena.TransactionDepth) (9L, 0) "then both commit normally"

            testCase "Savepoint of a transaction that already has one open throws and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                use outer = arena.BeginTransaction()
                use sp = outer.Savepoint()
                let w = witness arena

                throwsUnchanged<InvalidOperationException> arena w "second savepoint" (fun () ->
                    outer.Savepoint() |> ignore)

                Expect.equal arena.TransactionDepth 2 "depth"

            testCase "Rollback of an outer transaction rolls back its open savepoints"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let outer = arena.BeginTransaction()
                outer.Alloc 1L |> ignore
                let sp = outer.Savepoint()
                sp.Alloc 2L |> ignore
                let sp2 = sp.Savepoint()
                sp2.Alloc 3L |> ignore
                outer.Rollback()

                Expect.equal
                    (arena.Stats.BytesAllocated, arena.TransactionDepth)
                    (64L, 0)
                    "all given back: only the witness is left"

                Expect.equal
                    (sp.Status, sp2.Status)
                    (TransactionStatus.RolledBack, TransactionStatus.RolledBack)
                    "inner ones rolled back"

                throwsUnchanged<InvalidOperationException> arena w "inner handle ended" (fun () ->
                    sp.Alloc 1L |> ignore)

                sp2.Dispose()
                sp.Dispose()
                Expect.equal arena.TransactionDepth 0 "harmless"
                use again = arena.BeginTransaction()
                Expect.equal again.Depth 1 "depth never gets stuck"

            testCase "Dispose of an outer transaction rolls back its open savepoints"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let before = describe arena
                let outer = arena.BeginTransaction()
                outer.Alloc 1L |> ignore
                let sp = outer.Savepoint()
                sp.Alloc 2L |> ignore
                outer.Dispose()
                Expect.equal (describe arena) before "restored"
                Expect.equal (sp.IsActive, outer.Status) (false, TransactionStatus.RolledBack) "ended"

            testCase "Rewind to before an open transaction's start throws and changes nothing; inside it is fine"
            <| fun () ->
                use arena = unchecked 4096L
                let early = arena.GetCheckpoint()
                arena.Alloc 1L |> ignore
                let outer = arena.BeginTransaction()
                outer.Alloc 2L |> ignore
                let between = arena.GetCheckpoint()
                outer.Alloc 5L |> ignore
                let sp = outer.Savepoint()
                let insideSp = arena.GetCheckpoint()
                sp.Alloc 3L |> ignore
                let w = witness arena

                throwsUnchanged<InvalidOperationException> arena w "before the outer start" (fun () ->
                    arena.Rewind early)

                throwsUnchanged<InvalidOperationException> arena w "before the savepoint's start" (fun () ->
                    arena.Rewind between)

                arena.Rewind insideSp
                Expect.equal (arena.BytesAllocated, sp.BytesUsed) (24L, 0L) "rewind inside the savepoint"
                sp.Commit()
                arena.Rewind between
                Expect.equal arena.BytesAllocated 16L "inside the outer transaction once the savepoint ended"
                outer.Commit()
                arena.Rewind early
                Expect.equal arena.BytesAllocated 0L "anywhere once none is open"

            testCase "Reset while a transaction is open throws and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                let w = witness arena
                throwsUnchanged<InvalidOperationException> arena w "Reset" (fun () -> arena.Reset())
                Expect.isTrue tx.IsActive "still open"
                tx.Commit()
                arena.Reset()
                Expect.equal arena.BytesAllocated 0L "Reset works once it ended"

            testCase
                "disposing the arena ends open transactions: their members throw ObjectDisposedException, Dispose is harmless"
            <| fun () ->
                let arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                let sp = tx.Savepoint()
                arena.Dispose()
                Expect.isFalse (tx.IsActive || sp.IsActive) "not active"
                Expect.throwsT<ObjectDisposedException> (fun () -> tx.Commit()) "Commit"
                Expect.throwsT<ObjectDisposedException> (fun () -> sp.Alloc 1L |> ignore) "Alloc"
                Expect.throwsT<ObjectDisposedException> (fun () -> tx.BytesUsed |> ignore) "BytesUsed"
                sp.Dispose()
                tx.Dispose()
                Expect.isTrue arena.IsDisposed "disposed"
        ]
