/// One test list per member of the `arena { }` builder, in the manner of FsToolkit.ErrorHandling's tests.
module FastArena.FSharp.Tests.BuilderTests

open System
open Expecto
open FastArena
open FastArena.FSharp
open FastArena.FSharp.Tests.Helpers

let returnTests =
    testList
        "Return"
        [
            test "return yields Ok and allocates nothing" {
                use mem = checkedArena ()
                let before = snapshot mem
                let result = run mem (arena { return 42 })
                Expect.equal result (Ok 42) "Ok 42"
                Expect.equal (snapshot mem) before "nothing allocated"
            }

            test "a returned handle is live after the commit and holds its value" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! x = alloc 7L
                            return x
                        })

                match result with
                | Ok handle ->
                    Expect.isTrue handle.IsLive "live"
                    Expect.equal handle.Value 7L "value"
                    Expect.equal mem.Stats.BytesAllocated 8L "kept"
                    Expect.equal mem.TransactionDepth 0 "transaction ended"
                | Error e -> failtestf "unexpected Error %s" e
            }
        ]

let returnFromTests =
    testList
        "ReturnFrom"
        [
            test "return! of an operation yields its handle" {
                use mem = checkedArena ()

                match run mem (arena { return! alloc 5 }) with
                | Ok r -> Expect.equal r.Value 5 "value"
                | Error e -> failtestf "unexpected Error %s" e
            }

            test "return! of another workflow yields its value" {
                use mem = checkedArena ()
                let inner = arena { return 3 }
                Expect.equal (run mem (arena { return! inner })) (Ok 3) "Ok 3"
            }

            test "return! of Ok yields the value" {
                use mem = checkedArena ()
                Expect.equal (run mem (arena { return! Ok "fine" })) (Ok "fine") "Ok"
            }

            test "return! of Error rolls back what the workflow allocated" {
                use mem = checkedArena ()
                let before = snapshot mem
                let leaked = ref Unchecked.defaultof<ArenaRef<int>>

                let result =
                    run
                        mem
                        (arena {
                            let! x = alloc 1
                            leaked.Value <- x
                            return! Error "no"
                        })

                Expect.equal result (Error "no") "Error"
                Expect.equal (snapshot mem) before "rolled back"
                Expect.isFalse leaked.Value.IsLive "the handle is stale"
            }
        ]

let bindTests =
    testList
        "Bind"
        [
            test "let! of alloc stores an int literal" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! x = alloc 1
                            let! y = alloc 2
                            return x.Value + y.Value
                        })

                Expect.equal result (Ok 3) "1 + 2"
                Expect.equal mem.Stats.BytesAllocated 8L "two ints kept"
            }

            test "let! of allocSlice, allocString, allocZeroed, allocSeq and allocInit" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! xs = allocSlice [| 1; 2; 3 |]
                            let! s = allocString "héllo"
                            let! z = allocZeroed<int64, string> 4
                            let! q = allocSeq (seq { for i in 1..3 -> i * i })
                            let! e = allocInit 4 (fun i -> byte (10 * i))
                            return (xs.ToArray(), s.ToString(), z.ToArray(), q.ToArray(), e.ToArray())
                        })

                Expect.equal
                    result
                    (Ok([| 1; 2; 3 |], "héllo", [| 0L; 0L; 0L; 0L |], [| 1; 4; 9 |], [| 0uy; 10uy; 20uy; 30uy |]))
                    "contents"
            }

            test "a bound handle can be updated in place" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! x = alloc 1
                            x.Value <- x.Value + 1
                            let! xs = allocSlice [| 1; 2; 3 |]
                            xs[2] <- 30
                            return (x, xs)
                        })

                match result with
                | Ok(x, xs) ->
                    Expect.equal x.Value 2 "updated value"
                    Expect.equal (xs.ToArray()) [| 1; 2; 30 |] "updated element"
                | Error e -> failtestf "unexpected Error %s" e
            }

            test "let! of a plain Ok binds its value" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! n = Ok 20
                            let! r = alloc (n + 1)
                            return r.Value * 2
                        })

                Expect.equal result (Ok 42) "Ok 42"
            }

            test "let! of a plain Error stops and rolls back" {
                use mem = checkedArena ()
                let before = snapshot mem
                let mutable after = false

                let result =
                    run
                        mem
                        (arena {
                            let! _ = alloc 1
                            let! (_: int) = Error "bad"
                            after <- true
                            return 0
                        })

                Expect.equal result (Error "bad") "Error"
                Expect.isFalse after "nothing after the Error ran"
                Expect.equal (snapshot mem) before "rolled back"
            }

            test "let! of another workflow that succeeds keeps both parts" {
                use mem = checkedArena ()

                let inner =
                    arena {
                        let! a = alloc 10
                        return a
                    }

                let result =
                    run
                        mem
                        (arena {
                            let! b = alloc 20
                            let! a = inner
                            return (a, b)
                        })

                match result with
                | Ok(a, b) ->
                    Expect.equal (a.Value, b.Value) (10, 20) "values"
                    Expect.equal mem.Stats.BytesAllocated 8L "both kept"
                | Error e -> failtestf "unexpected Error %s" e
            }

            test "let! of a failing workflow rolls back the inner part, then the outer" {
                use mem = checkedArena ()
                let before = snapshot mem
                let innerHandle = ref Unchecked.defaultof<ArenaRef<int>>
                let outerHandle = ref Unchecked.defaultof<ArenaRef<int>>
                let mutable depthInside = 0
                let mutable bytesAfterInner = -1L

                let inner =
                    arena {
                        let! a = alloc 1
                        innerHandle.Value <- a
                        let! tx = currentTransaction
                        depthInside <- tx.Depth
                        return! Error "inner"
                    }

                let result =
                    run
                        mem
                        (arena {
                            let! b = alloc 2
                            outerHandle.Value <- b

                            let! r =
                                arena {
                                    let! x = inner
                                    return x
                                }
                                |> Arena.attempt

                            bytesAfterInner <- mem.BytesAllocated

                            match r with
                            | Ok _ -> return ()
                            | Error e -> return! Error e
                        })

                Expect.equal result (Error "inner") "the inner Error comes out"
                Expect.equal depthInside 3 "run, attempt's savepoint, inner's savepoint"
                Expect.equal bytesAfterInner 4L "the inner part was given back first"
                Expect.isFalse innerHandle.Value.IsLive "inner handle stale"
                Expect.isFalse outerHandle.Value.IsLive "outer handle stale"
                Expect.equal (snapshot mem) before "then the outer part"
            }

            test "do! of a unit workflow" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            do! Arena.ignore (alloc 1L)
                            do! Ok()
                            return! bytesUsed
                        })

                Expect.equal result (Ok 8L) "8 bytes used"
            }

            test "match! binds and matches" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            match! Arena.attempt (Arena.error "x") with
                            | Ok() -> return "ok"
                            | Error e -> return "recovered " + e
                        })

                Expect.equal result (Ok "recovered x") "match!"
            }
        ]

let delayTests =
    testList
        "Delay, Zero and Combine"
        [
            test "Delay: nothing runs until the workflow runs, and it runs each time" {
                use mem = checkedArena ()
                let mutable runs = 0

                let wf =
                    arena {
                        runs <- runs + 1
                        let! x = alloc runs
                        return x.Value
                    }

                Expect.equal runs 0 "building runs nothing"
                Expect.equal (run mem wf) (Ok 1) "first run"
                Expect.equal (run mem wf) (Ok 2) "second run"
                Expect.equal runs 2 "ran twice"
                Expect.equal mem.Stats.BytesAllocated 8L "both runs committed"
            }

            test "Zero: an if without else yields unit" {
                use mem = checkedArena ()
                let flag = false

                let result =
                    run
                        mem
                        (arena {
                            if flag then
                                do! Arena.ignore (alloc 1)
                        })

                Expect.equal result (Ok()) "Ok ()"
                Expect.equal mem.Stats.BytesAllocated 0L "nothing allocated"
            }

            test "Combine: a statement then a return" {
                use mem = checkedArena ()
                let flag = true

                let result =
                    run
                        mem
                        (arena {
                            if flag then
                                do! Arena.ignore (alloc 1)

                            let! y = alloc 2
                            return y.Value
                        })

                Expect.equal result (Ok 2) "Ok 2"
                Expect.equal mem.Stats.BytesAllocated 8L "both"
            }

            test "Combine: an Error in the first part skips the second" {
                use mem = checkedArena ()
                let before = snapshot mem
                let mutable second = false

                let result =
                    run
                        mem
                        (arena {
                            if true then
                                do! Arena.ignore (alloc 1)
                                do! Error "first"

                            second <- true
                            return 1
                        })

                Expect.equal result (Error "first") "Error"
                Expect.isFalse second "second part skipped"
                Expect.equal (snapshot mem) before "rolled back"
            }
        ]

let branchTests =
    testList
        "if and match"
        [
            test "if/else takes the right branch" {
                use mem = checkedArena ()

                let pick n =
                    arena {
                        if n > 0 then
                            let! x = alloc (int64 n)
                            return x.Value
                        else
                            return! Error "not positive"
                    }

                Expect.equal (run mem (pick 5)) (Ok 5L) "then"
                Expect.equal (run mem (pick 0)) (Error "not positive") "else"
                Expect.equal mem.Stats.BytesAllocated 8L "only the Ok run kept its bytes"
            }

            test "match allocates in the chosen case" {
                use mem = checkedArena ()

                let describe (v: Choice<int, string>) =
                    arena {
                        match v with
                        | Choice1Of2 n ->
                            let! x = alloc n
                            return string x.Value
                        | Choice2Of2 s ->
                            let! t = allocString s
                            return t.ToString()
                    }

                Expect.equal (run mem (describe (Choice1Of2 4))) (Ok "4") "int case"
                Expect.equal (run mem (describe (Choice2Of2 "ab"))) (Ok "ab") "string case"
                Expect.equal mem.Stats.BytesAllocated 8L "an int and two chars"
            }
        ]

let forTests =
    testList
        "For"
        [
            test "for over a list allocates each item" {
                use mem = checkedArena ()
                let handles = ResizeArray()

                let result =
                    run
                        mem
                        (arena {
                            for x in [ 1; 2; 3 ] do
                                let! r = alloc x
                                handles.Add r
                        })

                Expect.equal result (Ok()) "Ok"
                Expect.equal [ for h in handles -> h.Value ] [ 1; 2; 3 ] "values"
                Expect.equal mem.Stats.BytesAllocated 12L "three ints"
            }

            test "for over an array and over a lazy sequence" {
                use mem = checkedArena ()
                let mutable sum = 0

                let result =
                    run
                        mem
                        (arena {
                            for x in [| 1; 2 |] do
                                sum <- sum + x

                            for x in Seq.initInfinite id |> Seq.take 3 do
                                let! r = alloc x
                                sum <- sum + r.Value
                        })

                Expect.equal result (Ok()) "Ok"
                Expect.equal sum 6 "1 + 2 + 0 + 1 + 2"
            }

            test "for stops at the first Error, disposes the enumerator and rolls back" {
                use mem = checkedArena ()
                let before = snapshot mem
                let mutable visited = 0
                let mutable disposed = false

                let items =
                    seq {
                        try
                            yield! [ 1; 2; 3; 4 ]
                        finally
                            disposed <- true
                    }

                let result =
                    run
                        mem
                        (arena {
                            for x in items do
                                visited <- visited + 1
                                do! Arena.ignore (alloc x)

                                if x = 2 then
                                    do! Error "two"
                        })

                Expect.equal result (Error "two") "Error"
                Expect.equal visited 2 "stopped at the second item"
                Expect.isTrue disposed "enumerator disposed"
                Expect.equal (snapshot mem) before "rolled back"
            }
        ]

let whileTests =
    testList
        "While"
        [
            test "a while of 1,000,000 iterations does not overflow the stack" {
                use mem = checkedArena ()
                let n = 1_000_000

                let result =
                    run
                        mem
                        (arena {
                            let mutable i = 0

                            while i < n do
                                let! r = alloc i
                                i <- r.Value + 1

                            return i
                        })

                Expect.equal result (Ok n) "counted to a million"
                Expect.equal mem.Stats.BytesAllocated (4L * int64 n) "a million ints"
            }

            test "while stops at the first Error" {
                use mem = checkedArena ()
                let before = snapshot mem
                let mutable iterations = 0

                let result =
                    run
                        mem
                        (arena {
                            while iterations < 100 do
                                iterations <- iterations + 1
                                do! Arena.ignore (alloc iterations)

                                if iterations = 10 then
                                    do! Error "ten"
                        })

                Expect.equal result (Error "ten") "Error"
                Expect.equal iterations 10 "stopped"
                Expect.equal (snapshot mem) before "rolled back"
            }
        ]

let tryWithTests =
    testList
        "TryWith"
        [
            test "catches an exception of a nested workflow, whose allocations are rolled back" {
                use mem = checkedArena ()
                let innerHandle = ref Unchecked.defaultof<ArenaRef<int64>>

                let result =
                    run
                        mem
                        (arena {
                            let! a = alloc 1

                            try
                                return!
                                    arena {
                                        let! b = alloc 2L
                                        innerHandle.Value <- b
                                        return raise (Boom "inner")
                                    }
                            with Boom msg ->
                                return a.Value + msg.Length
                        })

                Expect.equal result (Ok 6) "handler ran"
                Expect.isFalse innerHandle.Value.IsLive "inner allocation rolled back"
                Expect.equal mem.Stats.BytesAllocated 4L "only the outer int"
            }

            test "an exception nobody catches rolls back and propagates with its type" {
                use mem = checkedArena ()
                let kept = mem.AllocHandle 99
                let before = snapshot mem

                let wf =
                    arena {
                        let! _ = allocSlice [| 1; 2; 3 |]
                        invalidOp "broken"
                        return ()
                    }

                Expect.throwsT<InvalidOperationException> (fun () -> run mem wf |> ignore) "propagates"
                Expect.equal (snapshot mem) before "rolled back"
                Expect.equal kept.Value 99 "earlier contents unchanged"
            }

            test "the handler may turn the exception into an Error, which rolls back" {
                use mem = checkedArena ()
                let before = snapshot mem

                let result =
                    run
                        mem
                        (arena {
                            let! _ = alloc 1

                            try
                                failwith "boom"
                                return 0
                            with ex ->
                                return! Error ex.Message
                        })

                Expect.equal result (Error "boom") "Error"
                Expect.equal (snapshot mem) before "rolled back"
            }
        ]

let tryFinallyTests =
    testList
        "TryFinally"
        [
            let body (outcome: int) =
                arena {
                    let! x = alloc outcome

                    match outcome with
                    | 0 -> return x.Value
                    | 1 -> return! Error "error"
                    | _ -> return raise (Boom "exception")
                }

            for outcome, name in [ 0, "Ok"; 1, "Error"; 2, "an exception" ] do
                test $"finally runs on {name}" {
                    use mem = checkedArena ()
                    let mutable finallyRuns = 0

                    let wf =
                        arena {
                            try
                                return! body outcome
                            finally
                                finallyRuns <- finallyRuns + 1
                        }

                    try
                        run mem wf |> ignore
                    with Boom _ ->
                        ()

                    Expect.equal finallyRuns 1 "ran once"
                }
        ]

let usingTests =
    testList
        "Using"
        [
            test "use disposes after Ok" {
                use mem = checkedArena ()
                let counter = new Counter()

                let result =
                    run
                        mem
                        (arena {
                            use c = counter
                            let! x = alloc 1
                            return x.Value + c.Disposals
                        })

                Expect.equal result (Ok 1) "not disposed while in use"
                Expect.equal counter.Disposals 1 "disposed once"
            }

            test "use disposes after Error and after an exception" {
                use mem = checkedArena ()
                let counter = new Counter()

                let failing =
                    arena {
                        use _c = counter
                        return! Error "no"
                    }

                let throwing =
                    arena {
                        use _c = counter
                        return raise (Boom "x")
                    }

                Expect.equal (run mem failing) (Error "no") "Error"
                Expect.throwsT<Boom> (fun () -> run mem throwing |> ignore) "exception"
                Expect.equal counter.Disposals 2 "disposed both times"
            }

            test "use of null is allowed" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            use d = (null: IDisposable | null)
                            let! x = alloc 3
                            return (isNull d, x.Value)
                        })

                Expect.equal result (Ok(true, 3)) "Ok"
            }

            test "use! of a workflow yielding a disposable" {
                use mem = checkedArena ()
                let counter = new Counter()

                let result =
                    run
                        mem
                        (arena {
                            use! c = Arena.ok counter
                            return c.Disposals
                        })

                Expect.equal result (Ok 0) "in use"
                Expect.equal counter.Disposals 1 "disposed"
            }
        ]

let shortCircuitTests =
    testList
        "short-circuit"
        [
            test "the first Error stops the workflow: no later step runs or allocates" {
                use mem = checkedArena ()
                let before = snapshot mem
                let log = ResizeArray()

                let step name (result: Result<int, string>) =
                    arena {
                        log.Add name
                        let! v = result
                        let! r = alloc v
                        return r.Value
                    }

                let result =
                    run
                        mem
                        (arena {
                            let! a = step "a" (Ok 1)
                            let! b = step "b" (Error "b failed")
                            let! c = step "c" (Ok 3)
                            return a + b + c
                        })

                Expect.equal result (Error "b failed") "first Error"
                Expect.equal (List.ofSeq log) [ "a"; "b" ] "c never ran"
                Expect.equal (snapshot mem) before "nothing kept"
            }
        ]

/// A side of an `and!` that logs when it runs, then allocates its value or fails.
let private side
    (log: ResizeArray<string>)
    (name: string)
    (result: Result<int, string>)
    : ArenaWorkflow<ArenaRef<int>, string> =
    fun ctx ->
        log.Add name

        match result with
        | Ok v -> Ok(ctx.Arena.AllocHandle v)
        | Error e -> Error e

/// Two `and!` sides and a return, built once: running it must allocate no managed memory.
let private pairSum: ArenaWorkflow<int64, string> =
    arena {
        let! a = alloc 20L
        and! b = alloc 22L
        return a.Value + b.Value
    }

let mergeSourcesTests =
    testList
        "MergeSources (and!)"
        [
            test "and! runs both sides, first then second, and keeps both allocations" {
                use mem = checkedArena ()
                let log = ResizeArray()

                let result =
                    run
                        mem
                        (arena {
                            let! a = side log "a" (Ok 1)
                            and! b = side log "b" (Ok 2)
                            return (a, b)
                        })

                match result with
                | Ok(a, b) ->
                    Expect.equal (List.ofSeq log) [ "a"; "b" ] "in order"
                    Expect.equal (a.Value, b.Value) (1, 2) "values"
                    Expect.isTrue (a.IsLive && b.IsLive) "committed"
                    Expect.equal mem.Stats.BytesAllocated 8L "both kept"
                    Expect.equal mem.TransactionDepth 0 "transaction ended"
                | Error e -> failtestf "unexpected Error %s" e
            }

            test "three and four sides, mixing operations, plain results and blocks" {
                use mem = checkedArena ()

                let three =
                    arena {
                        let! a = alloc 1
                        and! b = Ok 2
                        and! c = arena { return! alloc 3 }
                        return a.Value + b + c.Value
                    }

                let four =
                    arena {
                        let! a = alloc 1L
                        and! b = allocSlice [| 2L; 3L |]
                        and! c = Ok 4L
                        and! d = allocString "five"
                        return a.Value + b.ToArray().[0] + b.ToArray().[1] + c + int64 d.Length
                    }

                Expect.equal (run mem three) (Ok 6) "1 + 2 + 3"
                Expect.equal mem.Stats.BytesAllocated 8L "two ints"
                mem.Reset()
                Expect.equal (run mem four) (Ok 14L) "1 + 2 + 3 + 4 + 4"
                Expect.equal mem.Stats.BytesAllocated (8L + 16L + 8L) "a long, two longs, four chars"
            }

            test "an Error on the first side stops before the second and rolls the block back" {
                use mem = checkedArena ()
                let before = snapshot mem
                let log = ResizeArray()

                let result =
                    run
                        mem
                        (arena {
                            let! _ = alloc 7
                            let! a = side log "a" (Error "a failed")
                            and! b = side log "b" (Ok 2)
                            return a.Value + b.Value
                        })

                Expect.equal result (Error "a failed") "the first side's Error"
                Expect.equal (List.ofSeq log) [ "a" ] "the second side never ran"
                Expect.equal (snapshot mem) before "rolled back"
            }

            test "an Error on the second side rolls back the first side's allocations too" {
                use mem = checkedArena ()
                let kept = mem.AllocHandle 99
                let before = snapshot mem
                let log = ResizeArray()
                let first = ref Unchecked.defaultof<ArenaRef<int>>

                let result =
                    run
                        mem
                        (arena {
                            let! a =
                                arena {
                                    let! a = side log "a" (Ok 1)
                                    first.Value <- a
                                    return a
                                }

                            and! b = side log "b" (Error "b failed")
                            return a.Value + b.Value
                        })

                Expect.equal result (Error "b failed") "the second side's Error"
                Expect.equal (List.ofSeq log) [ "a"; "b" ] "both ran"
                Expect.isFalse first.Value.IsLive "the first side's handle is stale"
                Expect.equal (snapshot mem) before "rolled back"
                Expect.equal kept.Value 99 "earlier contents unchanged"
            }

            test "an exception on either side rolls the block back and propagates with its type" {
                for failing in [ "a"; "b" ] do
                    use mem = tinyArena ()
                    let kept = mem.AllocHandle 99
                    let before = snapshot mem
                    let next = nextAllocation mem

                    let throwing name : ArenaWorkflow<ArenaRef<int64>, string> =
                        fun ctx ->
                            let r = ctx.Arena.AllocHandle 1L

                            if name = failing then
                                raise (Boom name)

                            Ok r

                    let wf =
                        arena {
                            let! _ = allocZeroed<int64, string> 20
                            let! a = throwing "a"
                            and! b = throwing "b"
                            return a.Value + b.Value
                        }

                    Expect.throwsT<Boom> (fun () -> run mem wf |> ignore) $"{failing}: propagates"
                    Expect.equal (snapshot mem) before $"{failing}: stats and cursor"
                    Expect.equal (nextAllocation mem) next $"{failing}: the next allocation lands where it would have"
                    Expect.equal kept.Value 99 $"{failing}: earlier contents unchanged"
            }

            test "a side that is a block runs in its own savepoint; its Error rolls back the enclosing block" {
                use mem = checkedArena ()
                let before = snapshot mem
                let mutable depthInSide = 0

                let failingBlock =
                    arena {
                        let! _ = alloc 1
                        let! tx = currentTransaction
                        depthInSide <- tx.Depth
                        return! Error "side failed"
                    }

                let result =
                    run
                        mem
                        (arena {
                            let! a = alloc 2
                            and! (b: int) = failingBlock
                            return a.Value + b
                        })

                Expect.equal result (Error "side failed") "Error"
                Expect.equal depthInSide 2 "run's transaction, then the side's savepoint"
                Expect.equal (snapshot mem) before "rolled back"
            }

            test "and! then more steps (Bind2): a later Error rolls back both sides" {
                use mem = checkedArena ()
                let before = snapshot mem
                let mutable ranAfter = false

                let result =
                    run
                        mem
                        (arena {
                            let! a = alloc 1
                            and! b = alloc 2
                            do! if a.Value + b.Value > 2 then Error "too big" else Ok()
                            ranAfter <- true
                            return a.Value
                        })

                Expect.equal result (Error "too big") "Error"
                Expect.isFalse ranAfter "stopped"
                Expect.equal (snapshot mem) before "rolled back"
            }

            test "and! inside Arena.attempt rolls back only the attempted block" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! outer = alloc 5

                            let! attempted =
                                Arena.attempt (
                                    arena {
                                        let! a = alloc 1
                                        and! (b: ArenaRef<int>) = Error "inner"
                                        return a.Value + b.Value
                                    }
                                )

                            return (outer.Value, attempted)
                        })

                Expect.equal result (Ok(5, Error "inner")) "the outer part goes on"
                Expect.equal mem.Stats.BytesAllocated 4L "only the outer int"
            }

#if !DEBUG
            // Only an optimized build inlines the builder's members.
            test "a block of two sides and a return runs without allocating managed memory" {
                use mem = Arena.createWith (ArenaOptions(CheckedMode = false))

                for _ in 1..1000 do
                    Arena.run mem pairSum |> ignore
                    mem.Reset()

                let before = GC.GetAllocatedBytesForCurrentThread()

                for _ in 1..1000 do
                    Arena.run mem pairSum |> ignore
                    mem.Reset()

                let allocated = GC.GetAllocatedBytesForCurrentThread() - before
                Expect.isLessThan allocated 1000L "less than one managed byte a run"
            }
#endif
            test "the block of two sides computes its sum" {
                use mem = checkedArena ()
                Expect.equal (run mem pairSum) (Ok 42L) "20 + 22"
                Expect.equal mem.Stats.BytesAllocated 16L "two longs"
            }
        ]

/// Sixteen allocations in one block, built once: running it must allocate no managed memory.
let private sixteen: ArenaWorkflow<int64, string> =
    arena {
        let! a0 = alloc 0L
        let! a1 = alloc 1L
        let! a2 = alloc 2L
        let! a3 = alloc 3L
        let! a4 = alloc 4L
        let! a5 = alloc 5L
        let! a6 = alloc 6L
        let! a7 = alloc 7L
        let! a8 = alloc 8L
        let! a9 = alloc 9L
        let! a10 = alloc 10L
        let! a11 = alloc 11L
        let! a12 = alloc 12L
        let! a13 = alloc 13L
        let! a14 = alloc 14L
        let! a15 = alloc 15L

        return
            a0.Value
            + a1.Value
            + a2.Value
            + a3.Value
            + a4.Value
            + a5.Value
            + a6.Value
            + a7.Value
            + a8.Value
            + a9.Value
            + a10.Value
            + a11.Value
            + a12.Value
            + a13.Value
            + a14.Value
            + a15.Value
    }

let inliningTests =
    testList
        "inlining"
        [
#if !DEBUG
            // Only an optimized build inlines the builder's members; a Debug build allocates closures.
            test "a block of 16 allocations runs without allocating managed memory" {
                use mem = Arena.createWith (ArenaOptions(CheckedMode = false))

                for _ in 1..1000 do
                    Arena.run mem sixteen |> ignore
                    mem.Reset()

                let before = GC.GetAllocatedBytesForCurrentThread()

                for _ in 1..1000 do
                    Arena.run mem sixteen |> ignore
                    mem.Reset()

                // The runtime may allocate a few bytes once in a while (tiering); a closure per step would
                // be hundreds of bytes a run.
                let allocated = GC.GetAllocatedBytesForCurrentThread() - before
                Expect.isLessThan allocated 1000L "less than one managed byte a run"
            }
#endif
            test "the block of 16 allocations computes its sum" {
                use mem = checkedArena ()
                Expect.equal (run mem sixteen) (Ok 120L) "0 + 1 + ... + 15"
                Expect.equal mem.Stats.BytesAllocated 128L "16 longs"
            }
        ]

/// A hand-written scoped workflow: the depth it runs at, after one int; Error when asked to fail.
type private DepthProbe(fail: bool) =
    inherit ScopedArenaWorkflow<int, string>()

    override this.Invoke ctx =
        if ctx.IsFreshScope then
            ctx.Arena.AllocHandle 1 |> ignore

            if fail then Error "probe" else Ok ctx.Transaction.Depth
        else
            this.RunInSavepoint ctx

let runTests =
    testList
        "Run"
        [
            test "a block is one scoped workflow object" {
                let block: ArenaWorkflow<int, string> = arena { return 1 }

                match box block with
                | :? ScopedArenaWorkflow<int, string> as scoped ->
                    Expect.isTrue (obj.ReferenceEquals(scoped.Workflow, block)) "Workflow is the block itself"
                | other -> failtestf "a block is a %s" (other.GetType().Name)
            }

            test "run by Arena.run, a block uses the fresh transaction instead of opening a savepoint" {
                use mem = checkedArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! tx = currentTransaction
                            return tx.Depth, mem.TransactionDepth
                        })

                Expect.equal result (Ok(1, 1)) "depth 1: no savepoint"
                Expect.equal mem.TransactionDepth 0 "ended"
            }

            test "bound in another block, a block opens its own savepoint" {
                use mem = checkedArena ()
                let inner: ArenaWorkflow<Transaction, string> = arena { return! currentTransaction }

                let result =
                    run
                        mem
                        (arena {
                            let! outer = currentTransaction
                            let! tx = inner
                            return outer.Depth, tx.Depth, tx.IsActive
                        })

                Expect.equal result (Ok(1, 2, false)) "the inner block ran at depth 2 and committed"
            }

            test "a block's Error in its savepoint gives back exactly its own allocations" {
                use mem = tinyArena ()

                let inner: ArenaWorkflow<unit, string> =
                    arena {
                        let! _ = allocZeroed<int64, string> 40
                        return! Error "inner"
                    }

                let mutable afterOuterAlloc = Unchecked.defaultof<Snapshot>

                let result =
                    run
                        mem
                        (arena {
                            let! kept = alloc 5
                            afterOuterAlloc <- snapshot mem
                            let! attempted = Arena.attempt inner
                            Expect.equal (snapshot mem) afterOuterAlloc "the inner block left nothing behind"
                            return kept.Value, attempted
                        })

                Expect.equal result (Ok(5, Error "inner")) "the outer block goes on"
            }

            test "an exception in a bound block rolls its savepoint and the enclosing transaction back" {
                use mem = tinyArena ()
                let before = snapshot mem

                let inner: ArenaWorkflow<int, string> =
                    arena {
                        let! _ = allocZeroed<int64, string> 40
                        return raise (Boom "inner")
                    }

                Expect.throwsT<Boom>
                    (fun () ->
                        run
                            mem
                            (arena {
                                let! _ = alloc 1
                                return! inner
                            })
                        |> ignore)
                    "the exception propagates"

                Expect.equal (snapshot mem) before "stats, cursor and depth as before"
            }

            test "a hand-written ScopedArenaWorkflow runs fresh in Arena.run and in a savepoint when bound" {
                use mem = checkedArena ()
                Expect.equal (run mem (DepthProbe false).Workflow) (Ok 1) "fresh: the run's transaction"

                let result =
                    run
                        mem
                        (arena {
                            let! depth = (DepthProbe false).Workflow
                            return depth
                        })

                Expect.equal result (Ok 2) "bound: its own savepoint (RunInSavepoint)"
                Expect.equal mem.Stats.BytesAllocated 8L "both runs committed their int"
            }

            test "RunInSavepoint rolls back on Error, and only the savepoint" {
                use mem = tinyArena ()

                let result =
                    run
                        mem
                        (arena {
                            let! kept = alloc 7
                            let before = snapshot mem
                            // Invoked with the block's own (not fresh) context: the probe opens its savepoint.
                            let! attempted = fun (ctx: ArenaContext) -> Ok((DepthProbe true).Workflow ctx)
                            Expect.equal (snapshot mem) before "the probe's int was given back"
                            return kept.Value, attempted
                        })

                Expect.equal result (Ok(7, Error "probe")) "the probe failed alone"
                Expect.equal mem.Stats.BytesAllocated 4L "only the outer int"
            }
        ]

let tests =
    testList
        "builder"
        [
            returnTests
            returnFromTests
            bindTests
            delayTests
            runTests
            branchTests
            forTests
            whileTests
            tryWithTests
            tryFinallyTests
            usingTests
            shortCircuitTests
            mergeSourcesTests
            inliningTests
        ]
