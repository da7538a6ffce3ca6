/// Transactions: budgets (SetLimit), through every allocation member and its Try twin.
module FastArena.Tests.TransactionBudgetTests

open System
open System.Collections.Generic
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged
open FastArena.Tests.TransactionSupport

let tests =
    testList
        "budgets"
        [
            testCase "SetLimit caps the bytes; the breach throws ArenaBudgetExceededException and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use tx = arena.BeginTransaction()
                tx.SetLimit 24L
                Expect.equal (tx.Limit, tx.BudgetRemaining) (Nullable 24L, Nullable 24L) "limit"
                tx.Alloc 1L |> ignore
                tx.Alloc 2L |> ignore
                tx.Alloc 3L |> ignore
                Expect.equal tx.BudgetRemaining (Nullable 0L) "spent"

                let e =
                    catchExn "over budget" (fun () ->
                        throwsUnchanged<ArenaBudgetExceededException> arena w "fourth long" (fun () ->
                            tx.Alloc 4L |> ignore)

                        tx.Alloc 4L |> ignore)

                let e = e :?> ArenaBudgetExceededException
                Expect.equal (e.RequestedBytes, e.RemainingBytes) (8L, 0L) "what was asked and what was left"
                Expect.equal tx.BytesUsed 24L "exactly the limit"

            testCase "budgets count alignment padding"
            <| fun () ->
                use arena = unchecked 4096L

                do
                    use tx = arena.BeginTransaction()
                    tx.SetLimit 16L
                    tx.Alloc 1uy |> ignore
                    tx.Alloc 1L |> ignore
                    Expect.equal tx.BudgetRemaining (Nullable 0L) "1 + 7 + 8 = 16 fits"

                let w = witness arena
                arena.Alloc 1uy |> ignore
                let pad = alignUp 8L arena.BytesAllocated - arena.BytesAllocated
                Expect.isGreaterThan pad 0L "the next long needs padding"
                use tx = arena.BeginTransaction()
                tx.SetLimit(pad + 7L)

                let e =
                    catchExn "padding breaks the budget" (fun () ->
                        throwsUnchanged<ArenaBudgetExceededException> arena w "long" (fun () -> tx.Alloc 1L |> ignore)
                        tx.Alloc 1L |> ignore)
                    :?> ArenaBudgetExceededException

                Expect.equal e.RequestedBytes (pad + 8L) "RequestedBytes includes the padding"
                Expect.equal e.RemainingBytes (pad + 7L) "RemainingBytes: the size alone would have fitted"
                let mutable p = Unchecked.defaultof<voidptr>
                Expect.isFalse (tx.TryAllocRaw(8n, 8n, &p)) "Try refuses too"
                tx.SetLimit(pad + 8L)
                tx.Alloc 1L |> ignore
                Expect.equal tx.BudgetRemaining (Nullable 0L) "padding plus size is exactly the limit"

            testCase "every throwing allocation member of Transaction honours the budget and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use tx = arena.BeginTransaction()
                tx.SetLimit 63L

                for name, f in throwingOps tx 8 do
                    throwsUnchanged<ArenaBudgetExceededException> arena w name f

                tx.SetLimit 64L

                for name, f in throwingOps tx 7 do
                    let before = arena.BytesAllocated
                    f ()
                    Expect.equal (arena.BytesAllocated - before) 56L $"{name} takes exactly 56 bytes"
                    arena.Rewind tx.Checkpoint

            testCase "every Try member returns false at the budget and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use tx = arena.BeginTransaction()
                tx.SetLimit 63L
                let f = falseUnchanged arena w

                for name, op in tryOps tx 8 do
                    f name op

                f "TryAlloc" (fun () -> fst (tx.TryAlloc(Big())))
                tx.SetLimit 0L
                f "TryAlloc at zero" (fun () -> fst (tx.TryAlloc 1uy))
                f "TryAllocUninitialized at zero" (fun () -> fst (tx.TryAllocUninitialized<int64>()))

                // 64, not 63: a sequence of unknown count grows a list to 8 longs before Finish trims it.
                for name, op in tryOps tx 7 do
                    tx.SetLimit 64L
                    Expect.isTrue (op ()) $"{name} fits"
                    arena.Rewind tx.Checkpoint

            testCase "a generator is not called when the budget refuses the slice"
            <| fun () ->
                use arena = unchecked 4096L
                use tx = arena.BeginTransaction()
                tx.SetLimit 8L
                let mutable calls = 0
                let mutable s = Span<int64>.Empty

                let ok =
                    tx.TryAllocSlice(
                        2,
                        (fun i ->
                            calls <- calls + 1
                            int64 i),
                        &s
                    )

                Expect.equal (ok, calls, arena.BytesAllocated) (false, 0, 0L) "refused up front"

            testCase "allocations made directly on the arena inside a transaction are bound by its budget"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use tx = arena.BeginTransaction()
                tx.SetLimit 16L
                arena.Alloc 1L |> ignore

                throwsUnchanged<ArenaBudgetExceededException> arena w "arena.AllocRaw" (fun () ->
                    arena.AllocRaw(9n, 1n) |> ignore)

                falseUnchanged arena w "arena.TryAlloc" (fun () -> fst (arena.TryAlloc(Guid.NewGuid())))
                arena.AllocRaw(8n, 1n) |> ignore
                Expect.equal tx.BudgetRemaining (Nullable 0L) "spent through the arena"

            testCase "a savepoint never spends more than what remains of an enclosing budget"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use outer = arena.BeginTransaction()
                outer.SetLimit 100L
                outer.AllocRaw(40n, 1n) |> ignore
                use sp = outer.Savepoint()
                Expect.equal sp.BudgetRemaining (Nullable 60L) "inherits what is left"
                sp.SetLimit 1000L

                Expect.equal
                    (sp.Limit, sp.BudgetRemaining)
                    (Nullable 1000L, Nullable 60L)
                    "its own limit cannot raise it"

                throwsUnchanged<ArenaBudgetExceededException> arena w "61 bytes" (fun () ->
                    sp.AllocRaw(61n, 1n) |> ignore)

                sp.AllocRaw(60n, 1n) |> ignore
                Expect.equal (sp.BudgetRemaining, outer.BudgetRemaining) (Nullable 0L, Nullable 0L) "both spent"

            testCase "a tighter savepoint budget binds the savepoint only"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use outer = arena.BeginTransaction()
                outer.SetLimit 100L
                let sp = outer.Savepoint()
                sp.SetLimit 10L

                Expect.throwsT<ArenaBudgetExceededException>
                    (fun () -> sp.AllocRaw(11n, 1n) |> ignore)
                    "savepoint limit"

                sp.AllocRaw(10n, 1n) |> ignore
                sp.Commit()
                Expect.equal outer.BudgetRemaining (Nullable 90L) "the committed bytes count for the outer budget"
                outer.AllocRaw(90n, 1n) |> ignore

                throwsUnchanged<ArenaBudgetExceededException> arena w "outer limit" (fun () ->
                    outer.AllocRaw(1n, 1n) |> ignore)

            testCase "a rolled-back savepoint returns its bytes to the enclosing budget"
            <| fun () ->
                use arena = unchecked 4096L
                use outer = arena.BeginTransaction()
                outer.SetLimit 32L
                let sp = outer.Savepoint()
                sp.AllocRaw(32n, 1n) |> ignore
                Expect.equal outer.BudgetRemaining (Nullable 0L) "spent"
                sp.Rollback()
                Expect.equal outer.BudgetRemaining (Nullable 32L) "returned"

            testCase "an outer limit set while a savepoint is open binds the savepoint"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use outer = arena.BeginTransaction()
                outer.AllocRaw(10n, 1n) |> ignore
                use sp = outer.Savepoint()
                outer.SetLimit 20L
                Expect.equal sp.BudgetRemaining (Nullable 10L) "bound"

                throwsUnchanged<ArenaBudgetExceededException> arena w "refused" (fun () ->
                    sp.AllocRaw(11n, 1n) |> ignore)

            testCase "a limit below BytesUsed is allowed and refuses everything but zero-size requests"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use tx = arena.BeginTransaction()
                tx.AllocRaw(100n, 1n) |> ignore
                tx.SetLimit 50L
                Expect.equal tx.BudgetRemaining (Nullable 0L) "nothing left"

                throwsUnchanged<ArenaBudgetExceededException> arena w "refused" (fun () ->
                    tx.AllocRaw(1n, 1n) |> ignore)

                let p = tx.AllocRaw(0n, 16n)
                Expect.isTrue (isAligned 16L (vaddr p) && vaddr p <> 0n) "zero bytes still fine"
                tx.SetLimit 101L
                tx.AllocRaw(1n, 1n) |> ignore
                Expect.equal tx.BudgetRemaining (Nullable 0L) "SetLimit replaces the earlier limit"

            testCase "a limit near Int64.MaxValue does not overflow: allocations go on and enclosing budgets still bind"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1L |> ignore
                use tx = arena.BeginTransaction()
                tx.Alloc 2L |> ignore

                for limit in [ Int64.MaxValue; Int64.MaxValue - 4L; Int64.MaxValue / 2L ] do
                    tx.SetLimit limit
                    Expect.equal tx.Limit (Nullable limit) $"limit {limit}"
                    let h = tx.AllocHandle 3L
                    Expect.equal h.Value 3L $"allocation under limit {limit}"

                    // start + limit past Int64.MaxValue saturates, but a limit is set: BudgetRemaining
                    // counts up to the saturated end, never null (null means "no limit").
                    let start = tx.Checkpoint.BytesAllocated

                    let expected =
                        if limit > Int64.MaxValue - start then
                            Nullable(Int64.MaxValue - arena.BytesAllocated)
                        else
                            Nullable(start + limit - arena.BytesAllocated)

                    Expect.equal tx.BudgetRemaining expected $"budget remaining under limit {limit}"

                use sp = tx.Savepoint()
                sp.SetLimit Int64.MaxValue
                sp.Alloc 4L |> ignore
                Expect.equal sp.BytesUsed 8L "a savepoint with a huge limit allocates too"
                tx.SetLimit(tx.BytesUsed + 100L)
                Expect.equal sp.BudgetRemaining (Nullable 100L) "the enclosing budget still binds"
                let w = witness arena
                Expect.equal sp.BudgetRemaining (Nullable 36L) "the witness took 64"

                throwsUnchanged<ArenaBudgetExceededException> arena w "past the enclosing budget" (fun () ->
                    sp.AllocRaw(37n, 1n) |> ignore)

                sp.SetLimit(Int64.MaxValue - 1L)

                throwsUnchanged<ArenaBudgetExceededException>
                    arena
                    w
                    "still, after a new huge savepoint limit"
                    (fun () -> sp.AllocRaw(37n, 1n) |> ignore)

            testCase "a negative limit throws ArgumentOutOfRangeException and changes nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                use tx = arena.BeginTransaction()
                tx.SetLimit 40L
                throwsUnchanged<ArgumentOutOfRangeException> arena w "SetLimit -1" (fun () -> tx.SetLimit -1L)
                Expect.equal tx.Limit (Nullable 40L) "limit unchanged"

            testCase "a request that moves to a fresh block is charged its size only"
            <| fun () ->
                use arena = unchecked 4096L
                arena.AllocRaw(4090n, 1n) |> ignore
                use tx = arena.BeginTransaction()
                tx.SetLimit 8L
                let p = tx.AllocRaw(8n, 8n)
                Expect.isTrue (isAligned 4096L (vaddr p)) "a fresh block"
                Expect.equal (tx.BytesUsed, tx.BudgetRemaining) (8L, Nullable 0L) "the old block's tail is not charged"

            testCase "the budget ends with its transaction"
            <| fun () ->
                use arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                tx.SetLimit 8L
                tx.Commit()
                arena.AllocRaw(1000n, 1n) |> ignore
                Expect.equal arena.BytesAllocated 1000L "unbounded again"
        ]
