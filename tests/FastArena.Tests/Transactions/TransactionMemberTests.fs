/// Transactions: every member of Transaction and the transaction members of Arena, rollback that
/// restores the arena exactly, and savepoints.
module FastArena.Tests.TransactionMemberTests

open System
open System.Collections.Generic
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged
open FastArena.Tests.TransactionSupport

let tests =
    testList
        "members"
        [
            testCase "BeginTransaction opens depth 1 at the arena's position"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let cp = arena.GetCheckpoint()
                use tx = arena.BeginTransaction()
                Expect.equal (tx.Depth, tx.ArenaDepth, arena.TransactionDepth) (1, 1, 1) "depths"
                Expect.isTrue tx.IsActive "active"
                Expect.equal tx.Status TransactionStatus.Active "status"
                Expect.isFalse tx.IsCommitted "not committed"
                Expect.equal tx.Checkpoint cp "its checkpoint is where it opened"
                Expect.isTrue (obj.ReferenceEquals(tx.Arena, arena)) "its arena"
                Expect.equal tx.Limit (Nullable()) "no limit"
                Expect.equal tx.BudgetRemaining (Nullable()) "unlimited"
                Expect.equal tx.BytesUsed 0L "nothing used"
                Expect.equal tx.Diff (TransactionDiff(0L, 1, 0L)) "one block touched, none created"

            testCase "Commit keeps the allocations and ends the transaction"
            <| fun () ->
                use arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                let h = tx.AllocHandle 42L
                let s = tx.AllocSliceHandle(ReadOnlySpan [| 1; 2; 3 |])
                tx.Commit()
                Expect.isTrue tx.IsCommitted "IsCommitted"
                Expect.equal tx.Status TransactionStatus.Committed "status"
                Expect.isFalse tx.IsActive "ended"
                Expect.equal arena.TransactionDepth 0 "depth"
                Expect.equal (h.Value, s.ToArray()) (42L, [| 1; 2; 3 |]) "values kept"
                Expect.equal arena.BytesAllocated 20L "8 + 12"
                tx.Dispose()
                tx.Dispose()
                Expect.equal arena.BytesAllocated 20L "Dispose after Commit changes nothing"
                Expect.equal (h.Value, tx.Status) (42L, TransactionStatus.Committed) "still committed"

            testCase "Rollback restores the stats and the cursor; the next allocation lands where the first inside did"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let w = witness arena
                let before = describe arena
                let contents = w.Read()
                let tx = arena.BeginTransaction()
                let first = tx.AllocHandle 5L
                tx.AllocSliceHandle<int16> 9 |> ignore
                tx.AllocRaw(100n, 64n) |> ignore
                tx.Rollback()
                Expect.equal tx.Status TransactionStatus.RolledBack "status"
                Expect.isFalse tx.IsCommitted "not committed"
                Expect.equal (describe arena) before "stats, cursor and depth"
                Expect.equal (w.Read()) contents "earlier contents"
                let next = arena.AllocHandle 6L
                Expect.equal (paddr (next.DangerousGetPointer())) (paddr (first.DangerousGetPointer())) "same address"

            testCase "Rollback across new blocks keeps the blocks and lands at the same address"
            <| fun () ->
                use arena = unchecked 4096L
                arena.AllocRaw(4000n, 1n) |> ignore
                let before = arena.Stats
                let tx = arena.BeginTransaction()
                let first = vaddr (tx.AllocRaw(500n, 8n))
                tx.AllocRaw(20000n, 8n) |> ignore
                Expect.equal arena.Stats.BlockCount 3 "two blocks made"
                tx.Rollback()
                Expect.equal arena.Stats.BytesAllocated before.BytesAllocated "bytes restored"
                Expect.equal arena.Stats.BlockCount 3 "blocks retained"
                Expect.equal (vaddr (arena.AllocRaw(500n, 8n))) first "same address"

            testCase "disposing without Commit rolls back; a second Dispose is harmless"
            <| fun () ->
                use arena = unchecked 4096L

                do
                    use tx = arena.BeginTransaction()
                    tx.Alloc 1L |> ignore
                    Expect.equal arena.BytesAllocated 8L "inside"

                Expect.equal arena.Stats.BytesAllocated 0L "rolled back at the end of scope"
                Expect.equal arena.TransactionDepth 0 "depth"
                let tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                tx.Dispose()
                tx.Dispose()
                Expect.equal (arena.BytesAllocated, tx.Status) (0L, TransactionStatus.RolledBack) "rolled back once"

            testCase "BytesUsed counts padding"
            <| fun () ->
                use arena = unchecked 65536L
                arena.Alloc 1uy |> ignore
                use tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                Expect.equal tx.BytesUsed 15L "7 padding + 8"
                tx.AllocRaw(1n, 4096n) |> ignore
                Expect.equal tx.BytesUsed (after 16L 4096L 1L - 1L) "padding to the page"

            testCase "Diff reports bytes, blocks touched and blocks created"
            <| fun () ->
                use arena = unchecked 4096L

                do
                    use tx = arena.BeginTransaction()
                    Expect.equal tx.Diff (TransactionDiff(0L, 0, 0L)) "no block yet: none touched"
                    tx.AllocRaw(4000n, 1n) |> ignore
                    Expect.equal tx.Diff (TransactionDiff(4000L, 1, 1L)) "the first block, reserved by this allocation"
                    tx.AllocRaw(8000n, 1n) |> ignore
                    Expect.equal tx.Diff (TransactionDiff(12000L, 2, 2L)) "a new block"
                    tx.AllocRaw(30000n, 1n) |> ignore
                    Expect.equal tx.Diff (TransactionDiff(42000L, 3, 3L)) "a dedicated block"

                use tx = arena.BeginTransaction()
                tx.AllocRaw(4000n, 1n) |> ignore
                tx.AllocRaw(8000n, 1n) |> ignore
                Expect.equal tx.Diff (TransactionDiff(12000L, 2, 0L)) "retained block reused: none created"

            testCase
                "a savepoint nests: rolling it back keeps the outer work, committing it hands its work to the outer"
            <| fun () ->
                use arena = unchecked 4096L
                let outer = arena.BeginTransaction()
                let a = outer.AllocHandle 1L
                let sp = outer.Savepoint()
                Expect.equal (sp.Depth, sp.ArenaDepth, outer.ArenaDepth, outer.Depth) (2, 2, 2, 1) "depths"
                sp.Alloc 2L |> ignore
                sp.Rollback()
                Expect.equal (arena.BytesAllocated, a.Value, arena.TransactionDepth) (8L, 1L, 1) "outer work kept"
                let sp2 = outer.Savepoint()
                let b = sp2.AllocHandle 3L
                sp2.Commit()
                Expect.equal sp2.Status TransactionStatus.Committed "savepoint committed"
                Expect.equal outer.BytesUsed 16L "the savepoint's bytes belong to the outer transaction"
                outer.Rollback()
                Expect.equal arena.Stats.BytesAllocated 0L "the outer rollback gives back the committed savepoint too"

                Expect.equal
                    (sp2.Status, outer.Status)
                    (TransactionStatus.Committed, TransactionStatus.RolledBack)
                    "outcomes"

                Expect.notEqual (paddr (b.DangerousGetPointer())) 0n "handle was real"

            testCase "BeginTransaction inside a transaction opens a savepoint"
            <| fun () ->
                use arena = unchecked 4096L
                use outer = arena.BeginTransaction()
                use inner = arena.BeginTransaction()
                Expect.equal (inner.Depth, arena.TransactionDepth) (2, 2) "nested"
                inner.Commit()
                outer.Commit()
                Expect.equal arena.TransactionDepth 0 "both ended"

            testCase "handle equality: copies are the same transaction"
            <| fun () ->
                use arena = unchecked 4096L
                let a = arena.BeginTransaction()
                let copy = a
                let b = a.Savepoint()
                Expect.isTrue (a = copy) "F# equality"
                Expect.isTrue (Transaction.op_Equality (a, copy)) "=="
                Expect.isTrue (Transaction.op_Inequality (a, b)) "!="
                Expect.isTrue (a.Equals(box copy)) "Equals(object)"
                Expect.isFalse (a.Equals(box 1)) "other type"
                Expect.equal (a.GetHashCode()) (copy.GetHashCode()) "hash"
                b.Commit()
                copy.Commit()
                Expect.isTrue a.IsCommitted "a copy committed it"
                let c = arena.BeginTransaction()
                Expect.notEqual c a "a later transaction at the same depth is another one"
                c.Dispose()

            testCase "the default transaction: members throw InvalidOperationException, Dispose is harmless"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let tx = new Transaction()
                tx.Dispose()
                Expect.isFalse tx.IsActive "not active"
                Expect.equal tx.Depth 0 "depth 0"
                throwsUnchanged<InvalidOperationException> arena w "Status" (fun () -> tx.Status |> ignore)
                throwsUnchanged<InvalidOperationException> arena w "IsCommitted" (fun () -> tx.IsCommitted |> ignore)

                for name, f in endedMembers tx do
                    throwsUnchanged<InvalidOperationException> arena w name f

            testCase "an ended transaction's outcome is forgotten once another at its depth ends"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let a = arena.BeginTransaction()
                a.Commit()
                let b = arena.BeginTransaction()
                Expect.equal a.Status TransactionStatus.Committed "still known while b is open"
                b.Rollback()
                throwsUnchanged<InvalidOperationException> arena w "replaced" (fun () -> a.Status |> ignore)
                throwsUnchanged<InvalidOperationException> arena w "IsCommitted too" (fun () -> a.IsCommitted |> ignore)
                Expect.isFalse a.IsActive "IsActive never throws"
                Expect.equal b.Status TransactionStatus.RolledBack "b's outcome"
        ]
