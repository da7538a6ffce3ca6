/// Transactions: the closure forms (WithTransaction, CommitIf, WithTransactionInfallible).
module FastArena.Tests.TransactionClosureTests

open System
open System.Collections.Generic
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged
open FastArena.Tests.TransactionSupport

let tests =
    testList
        "closure forms"
        [
            testCase "WithTransaction commits and returns the body's value"
            <| fun () ->
                use arena = unchecked 4096L
                let h = arena.WithTransaction(fun tx -> tx.AllocHandle 7L)
                Expect.equal (h.Value, arena.BytesAllocated, arena.TransactionDepth) (7L, 8L, 0) "committed"

            testCase "WithTransaction rolls back when the body throws and the exception propagates unchanged"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let before = describe arena
                let contents = w.Read()
                let thrown = FormatException "boom"

                let e =
                    catchExn "body throws" (fun () ->
                        arena.WithTransaction(fun tx ->
                            tx.Alloc 1L |> ignore
                            raise thrown)
                        |> ignore)

                Expect.isTrue (obj.ReferenceEquals(e, thrown)) "the same exception object"
                Expect.equal (describe arena) before "rolled back"
                Expect.equal (w.Read()) contents "earlier contents unchanged"

            testCase "WithTransaction with state passes it through"
            <| fun () ->
                use arena = unchecked 4096L
                let r = arena.WithTransaction(40L, (fun tx s -> tx.Alloc(s + 2L)))
                Expect.equal (r, arena.BytesAllocated) (42L, 8L) "committed with the state"

                let e =
                    catchExn "throws" (fun () ->
                        arena.WithTransaction(
                            1,
                            (fun tx _ ->
                                tx.Alloc 1L |> ignore
                                (failwith "no": int))
                        )
                        |> ignore)

                Expect.equal (e.Message, arena.BytesAllocated) ("no", 8L) "rolled back"

            testCase "CommitIf: true commits, false rolls back, an exception rolls back and propagates"
            <| fun () ->
                use arena = unchecked 4096L

                Expect.isTrue
                    (arena.CommitIf(fun tx ->
                        tx.Alloc 1L |> ignore
                        true))
                    "true"

                Expect.equal arena.BytesAllocated 8L "kept"

                Expect.isFalse
                    (arena.CommitIf(fun tx ->
                        tx.Alloc 1L |> ignore
                        false))
                    "false"

                Expect.equal arena.BytesAllocated 8L "given back"

                let e =
                    catchExn "throws" (fun () ->
                        arena.CommitIf(fun tx ->
                            tx.Alloc 1L |> ignore
                            raise (TimeoutException()))
                        |> ignore)

                Expect.isTrue (e :? TimeoutException) "propagated"
                Expect.equal (arena.BytesAllocated, arena.TransactionDepth) (8L, 0) "given back"

            testCase "WithTransactionInfallible commits even when the body throws, then rethrows"
            <| fun () ->
                use arena = unchecked 4096L
                let h = arena.WithTransactionInfallible(fun tx -> tx.AllocHandle 3L)
                Expect.equal (h.Value, arena.BytesAllocated) (3L, 8L) "committed"
                let thrown = TimeoutException()

                let e =
                    catchExn "throws" (fun () ->
                        arena.WithTransactionInfallible(fun tx ->
                            tx.Alloc 4L |> ignore
                            raise thrown)
                        |> ignore)

                Expect.isTrue (obj.ReferenceEquals(e, thrown)) "the same exception"
                Expect.equal (arena.BytesAllocated, arena.TransactionDepth) (16L, 0) "kept"

            testCase "a body may end its transaction itself"
            <| fun () ->
                use arena = unchecked 4096L

                let r =
                    arena.WithTransaction(fun tx ->
                        tx.Alloc 1L |> ignore
                        tx.Rollback()
                        5)

                Expect.equal (r, arena.BytesAllocated) (5, 0L) "its own rollback stands"

                Expect.isTrue
                    (arena.CommitIf(fun tx ->
                        tx.Alloc 1L |> ignore
                        tx.Commit()
                        true))
                    "own commit"

                Expect.equal arena.BytesAllocated 8L "kept"

                Expect.isFalse
                    (arena.CommitIf(fun tx ->
                        tx.Alloc 2L |> ignore
                        tx.Rollback()
                        true))
                    "true after its own rollback: nothing committed, so CommitIf says false"

                Expect.equal arena.BytesAllocated 8L "the rollback stands"

            testCase "a body that leaves a savepoint open: the commit throws and everything rolls back"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<InvalidOperationException> arena w "open savepoint" (fun () ->
                    arena.WithTransaction(fun tx ->
                        tx.Alloc 1L |> ignore
                        tx.Savepoint())
                    |> ignore)

                throwsUnchanged<InvalidOperationException> arena w "WithTransaction(state)" (fun () ->
                    arena.WithTransaction(
                        2L,
                        fun tx s ->
                            tx.Alloc s |> ignore
                            tx.Savepoint()
                    )
                    |> ignore)

                throwsUnchanged<InvalidOperationException> arena w "CommitIf" (fun () ->
                    arena.CommitIf(fun tx ->
                        tx.Alloc 1L |> ignore
                        tx.Savepoint() |> ignore
                        true)
                    |> ignore)

                throwsUnchanged<InvalidOperationException> arena w "WithTransactionInfallible" (fun () ->
                    arena.WithTransactionInfallible(fun tx ->
                        tx.Alloc 1L |> ignore
                        tx.Savepoint())
                    |> ignore)

                Expect.equal arena.TransactionDepth 0 "depth never gets stuck"

            testCase "null bodies are rejected"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<ArgumentNullException> arena w "WithTransaction" (fun () ->
                    arena.WithTransaction(Unchecked.defaultof<Func<Transaction, int>>) |> ignore)

                throwsUnchanged<ArgumentNullException> arena w "WithTransaction(state)" (fun () ->
                    arena.WithTransaction(1, Unchecked.defaultof<Func<Transaction, int, int>>)
                    |> ignore)

                throwsUnchanged<ArgumentNullException> arena w "CommitIf" (fun () ->
                    arena.CommitIf(Unchecked.defaultof<Func<Transaction, bool>>) |> ignore)

                throwsUnchanged<ArgumentNullException> arena w "WithTransactionInfallible" (fun () ->
                    arena.WithTransactionInfallible(Unchecked.defaultof<Func<Transaction, int>>)
                    |> ignore)
        ]
