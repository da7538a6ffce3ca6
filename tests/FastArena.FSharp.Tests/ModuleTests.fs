/// The Arena module's functions and the operations usable inside `arena { }`.
module FastArena.FSharp.Tests.ModuleTests

open System
open Expecto
open FastArena
open FastArena.FSharp
open FastArena.FSharp.Tests.Helpers

let createTests =
    testList
        "create"
        [
            test "create makes an empty arena with default options" {
                use mem = Arena.create ()
                Expect.equal mem.Stats.BytesAllocated 0L "empty"
                Expect.equal mem.Stats.BytesReserved 0L "no block until the first allocation"
                mem.Alloc 1L |> ignore
                Expect.equal mem.Stats.BytesReserved (int64 ArenaOptions.DefaultInitialBlockSize) "64 KiB"
            }

            test "createWith honours the options" {
                use mem =
                    Arena.createWith (ArenaOptions(InitialBlockSize = 128L, CheckedMode = true))

                mem.Alloc 1L |> ignore
                Expect.equal mem.Stats.BytesReserved 128L "first block"
                Expect.isTrue mem.IsChecked "checked"
            }
        ]

let runTests =
    testList
        "run"
        [
            test "Ok commits: the allocations stay and the transaction ends" {
                use mem = checkedArena ()
                let result = run mem (alloc 5L)
                Expect.isOk result "Ok"
                Expect.equal mem.Stats.BytesAllocated 8L "kept"
                Expect.equal mem.TransactionDepth 0 "ended"
            }

            test "the workflow runs in a transaction of depth 1 on an idle arena" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! tx = currentTransaction
                            let! a = currentArena
                            return (tx.Depth, obj.ReferenceEquals(a, mem))
                        })

                Expect.equal result (Ok(1, true)) "depth 1, same arena"
            }

            test "an arena { } bound inside another runs in a savepoint of its own" {
                use mem = checkedArena ()

                let depthOf =
                    arena {
                        let! tx = currentTransaction
                        return tx.Depth
                    }

                let result =
                    run
                        mem
                        (arena {
                            let! outer = depthOf |> Arena.map id
                            let! inner = depthOf
                            let! viaAttempt = Arena.attempt depthOf
                            return (outer, inner, viaAttempt)
                        })

                Expect.equal result (Ok(2, 2, Ok 2)) "each nested block opens depth 2"
                Expect.equal (run mem depthOf) (Ok 1) "run's own transaction is the block's scope"
            }

            test "run inside an open transaction is a savepoint that the outer rollback undoes" {
                use mem = checkedArena ()
                let before = snapshot mem
                let tx = mem.BeginTransaction()
                let result = run mem (arena { let! x = alloc 1 in return x })
                Expect.isOk result "Ok"
                Expect.equal mem.TransactionDepth 1 "back to the outer transaction"
                tx.Rollback()
                Expect.equal (snapshot mem) before "rolled back with the outer transaction"

                match result with
                | Ok h -> Expect.isFalse h.IsLive "stale"
                | Error e -> failtestf "unexpected Error %s" e
            }

            test "Error rolls back: stats, cursor and earlier contents are unchanged" {
                use mem = tinyArena ()
                let earlier = mem.AllocSliceHandle(ReadOnlySpan [| 1L; 2L; 3L |])
                let before = snapshot mem
                let next = nextAllocation mem

                let result =
                    run
                        mem
                        (arena {
                            let! _ = allocZeroed<int64, string> 100
                            let! _ = allocString "spill into new blocks"
                            return! Error "rejected"
                        })

                Expect.equal result (Error "rejected") "Error"
                Expect.equal (snapshot mem) before "stats and cursor"
                Expect.equal (nextAllocation mem) next "next allocation lands where it would have"
                Expect.equal (earlier.ToArray()) [| 1L; 2L; 3L |] "earlier contents"
            }

            test "an exception rolls back and propagates with its type" {
                use mem = tinyArena ()
                let earlier = mem.AllocHandle 7
                let before = snapshot mem

                let wf =
                    arena {
                        let! _ = allocZeroed<byte, string> 1000
                        return raise (ArgumentException "bad")
                    }

                Expect.throwsT<ArgumentException> (fun () -> run mem wf |> ignore) "ArgumentException"
                Expect.equal (snapshot mem) before "unchanged"
                Expect.equal earlier.Value 7 "earlier contents"
            }
        ]

let attemptTests =
    testList
        "attempt"
        [
            test "attempt hands back the inner Error and keeps the outer work" {
                use mem = checkedArena ()
                let inner = ref Unchecked.defaultof<ArenaRef<int64>>

                let result =
                    run
                        mem
                        (arena {
                            let! outer = alloc 1

                            let! r =
                                Arena.attempt (
                                    arena {
                                        let! x = alloc 2L
                                        inner.Value <- x
                                        return! Error "inner failed"
                                    }
                                )

                            let! after = alloc 3
                            return (outer, r, after)
                        })

                match result with
                | Ok(outer, r, after) ->
                    Expect.equal r (Error "inner failed") "inner result as a value"
                    Expect.equal (outer.Value, after.Value) (1, 3) "outer work kept"
                    Expect.isFalse inner.Value.IsLive "inner work given back"
                    Expect.equal mem.Stats.BytesAllocated 8L "two ints, no long"
                | Error e -> failtestf "unexpected Error %s" e
            }

            test "attempt hands back Ok and keeps the inner work" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! r = Arena.attempt (alloc 5)
                            return r |> Result.map (fun h -> h.Value)
                        })

                Expect.equal result (Ok(Ok 5)) "nested Ok"
                Expect.equal mem.Stats.BytesAllocated 4L "kept"
            }

            test "attempt does not catch exceptions" {
                use mem = checkedArena ()
                let before = snapshot mem

                let wf =
                    arena {
                        let! _ = alloc 1
                        let! _ = Arena.attempt (arena { return raise (Boom "inner") })
                        return ()
                    }

                Expect.throwsT<Boom> (fun () -> run mem wf |> ignore) "propagates"
                Expect.equal (snapshot mem) before "all rolled back"
            }
        ]

let budgetTests =
    testList
        "withBudget"
        [
            test "within the budget the workflow commits" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (Arena.withBudget
                            16L
                            (arena {
                                let! _ = alloc 1L
                                let! left = budgetRemaining
                                let! _ = alloc 2L
                                return left
                            }))

                Expect.equal result (Ok(Some 8L)) "8 bytes left after the first long"
                Expect.equal mem.Stats.BytesAllocated 16L "kept"
            }

            test "past the budget it throws ArenaBudgetExceededException and rolls everything back" {
                use mem = checkedArena ()
                let earlier = mem.AllocHandle 42L
                let before = snapshot mem

                let wf =
                    arena {
                        let! _ = alloc 1
                        let! _ = Arena.withBudget 16L (allocZeroed<int64, string> 3)
                        return ()
                    }

                let ex = Expect.throwsC (fun () -> run mem wf |> ignore) id

                Expect.equal (ex.GetType()) typeof<ArenaBudgetExceededException> "type"
                Expect.equal (snapshot mem) before "unchanged"
                Expect.equal earlier.Value 42L "earlier contents"
            }

            test "a try/with in the enclosing workflow can catch the budget exception" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! kept = alloc 1

                            try
                                do! Arena.withBudget 8L (Arena.ignore (allocZeroed<byte, string> 9))
                            with :? ArenaBudgetExceededException ->
                                ()

                            return kept.Value
                        })

                Expect.equal result (Ok 1) "recovered"
                Expect.equal mem.Stats.BytesAllocated 4L "only the int"
            }

            test "withBudgetOr turns the refusal into an Error after rolling back" {
                use mem = checkedArena ()
                let before = snapshot mem

                let result =
                    run
                        mem
                        (Arena.withBudgetOr
                            100L
                            (fun ex -> $"needs {ex.RequestedBytes}")
                            (arena {
                                let! _ = allocZeroed<byte, string> 60
                                let! _ = allocZeroed<byte, string> 60
                                return ()
                            }))

                Expect.equal result (Error "needs 60") "mapped"
                Expect.equal (snapshot mem) before "rolled back"
            }

            test "withBudgetOr inside attempt lets the outer workflow go on" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! a = alloc 1
                            let! r = Arena.attempt (Arena.withBudgetOr 4L (fun _ -> "too big") (alloc 1L))
                            return (a.Value, r |> Result.map (fun h -> h.Value))
                        })

                Expect.equal result (Ok(1, Error "too big")) "recovered"
            }

            test "a negative budget throws ArgumentOutOfRangeException and leaves no transaction open" {
                use mem = checkedArena ()

                Expect.throwsT<ArgumentOutOfRangeException>
                    (fun () -> run mem (Arena.withBudget -1L (alloc 1)) |> ignore)
                    "negative"

                Expect.equal mem.TransactionDepth 0 "no transaction left open"
                Expect.equal mem.Stats.BytesAllocated 0L "nothing"
            }

            test "budgetRemaining is None without a budget" {
                use mem = checkedArena ()
                Expect.equal (run mem budgetRemaining) (Ok None) "None"
            }
        ]

let combinatorTests =
    testList
        "workflow functions"
        [
            test "ok, error and ofResult" {
                use mem = checkedArena ()
                Expect.equal (run mem (Arena.ok 1)) (Ok 1) "ok"
                Expect.equal (run mem (Arena.error "e": ArenaWorkflow<int, string>)) (Error "e") "error"
                Expect.equal (run mem (Arena.ofResult (Ok 2))) (Ok 2) "ofResult"
            }

            test "map and map2" {
                use mem = checkedArena ()
                Expect.equal (run mem (alloc 21 |> Arena.map (fun r -> r.Value * 2))) (Ok 42) "map"

                let sum =
                    Arena.map2 (fun (a: ArenaRef<int>) (b: ArenaRef<int>) -> a.Value + b.Value) (alloc 1) (alloc 2)

                Expect.equal (run mem sum) (Ok 3) "map2"
            }

            test "map2 stops at the first Error and rolls back" {
                use mem = checkedArena ()
                let before = snapshot mem
                let mutable secondRan = false

                let second =
                    arena {
                        secondRan <- true
                        return 2
                    }

                let wf =
                    Arena.map2
                        (fun (_: ArenaRef<int>) (b: int) -> b)
                        (alloc 1)
                        (Arena.bind (fun _ -> Arena.error "x") (alloc 5))
                    |> Arena.bind (fun _ -> second)

                Expect.equal (run mem wf) (Error "x") "Error"
                Expect.isFalse secondRan "not run"
                Expect.equal (snapshot mem) before "rolled back"
            }

            test "mapError sees the error after the rollback" {
                use mem = checkedArena ()
                let mutable bytesSeen = -1L

                let wf =
                    arena {
                        let! _ = alloc 1
                        return! Error 404
                    }
                    |> Arena.mapError (fun code ->
                        bytesSeen <- mem.BytesAllocated
                        $"code {code}")

                Expect.equal (run mem wf) (Error "code 404") "mapped"
                Expect.equal bytesSeen 0L "already rolled back"
            }

            test "bind and ignore" {
                use mem = checkedArena ()
                let wf = alloc 1 |> Arena.bind (fun r -> alloc (r.Value + 1)) |> Arena.ignore
                Expect.equal (run mem wf) (Ok()) "unit"
                Expect.equal mem.Stats.BytesAllocated 8L "both"
            }

            test "scoped gives a primitive composition its own savepoint" {
                use mem = checkedArena ()
                let first = ref Unchecked.defaultof<ArenaRef<int>>

                let pair =
                    Arena.map2
                        (fun (a: ArenaRef<int>) (_: unit) -> a)
                        (alloc 1
                         |> Arena.map (fun a ->
                             first.Value <- a
                             a))
                        (Arena.error "second failed")
                    |> Arena.scoped

                let result =
                    run
                        mem
                        (arena {
                            let! r = Arena.attempt pair
                            let! bytes = bytesUsed
                            return (Result.isError r, bytes)
                        })

                Expect.equal result (Ok(true, 0L)) "the savepoint gave the first alloc back"
                Expect.isFalse first.Value.IsLive "stale"
            }

            test "bytesUsed counts the innermost scope only" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! _ = alloc 1L

                            let! inner =
                                arena {
                                    let! _ = alloc 1
                                    return! bytesUsed
                                }

                            let! outer = bytesUsed
                            return (inner, outer)
                        })

                Expect.equal result (Ok(4L, 12L)) "inner 4, outer 8 + 4"
            }
        ]

let arenaFunctionTests =
    testList
        "arena functions"
        [
            test "stats, checkpoint and rewind" {
                use mem = checkedArena ()
                let cp = Arena.checkpoint mem
                let r = run mem (alloc 1L)
                Expect.equal (Arena.stats mem).BytesAllocated 8L "allocated"
                Arena.rewind mem cp
                Expect.equal (Arena.stats mem).BytesAllocated 0L "rewound"

                match r with
                | Ok h -> Expect.isFalse h.IsLive "stale after rewind"
                | Error e -> failtestf "unexpected Error %s" e
            }

            test "reset gives everything back" {
                use mem = checkedArena ()
                run mem (allocSlice [| 1; 2; 3 |]) |> ignore
                Arena.reset mem
                Expect.equal (Arena.stats mem).BytesAllocated 0L "empty"
            }

            test "reset inside a workflow throws InvalidOperationException and rolls back" {
                use mem = checkedArena ()
                let before = snapshot mem

                let wf =
                    arena {
                        let! _ = alloc 1
                        let! a = currentArena
                        Arena.reset a
                        return ()
                    }

                Expect.throwsT<InvalidOperationException>
                    (fun () -> run mem wf |> ignore)
                    "reset with an open transaction"

                Expect.equal (snapshot mem) before "unchanged"
            }

            test "allocZeroed with a negative count throws ArgumentOutOfRangeException and rolls back" {
                use mem = checkedArena ()
                let earlier = mem.AllocHandle 3
                let before = snapshot mem

                let wf =
                    arena {
                        let! _ = alloc 1
                        let! _ = allocZeroed<int, string> -1
                        return ()
                    }

                Expect.throwsT<ArgumentOutOfRangeException> (fun () -> run mem wf |> ignore) "negative"
                Expect.equal (snapshot mem) before "unchanged"
                Expect.equal earlier.Value 3 "earlier contents"
            }

            test "null arrays and strings allocate empty slices" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! xs = allocSlice (Unchecked.defaultof<int[]>)
                            let! s = allocString (Unchecked.defaultof<string>)
                            return (xs.Length, s.Length)
                        })

                Expect.equal result (Ok(0, 0)) "empty"
                Expect.equal mem.Stats.BytesAllocated 0L "nothing allocated"
            }

            test "running on a disposed arena throws ObjectDisposedException" {
                let mem = checkedArena ()
                mem.Dispose()
                Expect.throwsT<ObjectDisposedException> (fun () -> run mem (alloc 1) |> ignore) "disposed"
            }
        ]

let tests =
    testList
        "module"
        [
            createTests
            runTests
            attemptTests
            budgetTests
            combinatorTests
            arenaFunctionTests
        ]
