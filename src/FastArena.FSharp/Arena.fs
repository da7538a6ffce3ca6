namespace FastArena.FSharp

open System
open FastArena

[<AutoOpen>]
module ArenaOperations =
    // Primitives are not scoped: each allocates once, or throws having allocated nothing.

    let alloc (value: 'T) : ArenaWorkflow<ArenaRef<'T>, 'E> =
        ArenaWorkflow((fun ctx -> Ok(ctx.Arena.AllocHandle value)), false)

    let allocSlice (values: 'T[]) : ArenaWorkflow<ArenaSlice<'T>, 'E> =
        ArenaWorkflow((fun ctx -> Ok(ctx.Arena.AllocSliceHandle(ReadOnlySpan<'T>(values)))), false)

    let allocSeq (values: seq<'T>) : ArenaWorkflow<ArenaSlice<'T>, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                // Enumerate before allocating, so a throwing sequence leaves nothing behind.
                let items = Seq.toArray values
                Ok(ctx.Arena.AllocSliceHandle(ReadOnlySpan<'T>(items)))),
            false
        )

    let allocInit (count: int) (initializer: int -> 'T) : ArenaWorkflow<ArenaSlice<'T>, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                let items = Array.init count initializer
                Ok(ctx.Arena.AllocSliceHandle(ReadOnlySpan<'T>(items)))),
            false
        )

    let allocZeroed (count: int) : ArenaWorkflow<ArenaSlice<'T>, 'E> =
        ArenaWorkflow((fun ctx -> Ok(ctx.Arena.AllocSliceHandle<'T>(count))), false)

    let allocString (text: string) : ArenaWorkflow<ArenaSlice<char>, 'E> =
        ArenaWorkflow((fun ctx -> Ok(ctx.Arena.AllocStringHandle(text.AsSpan()))), false)

    [<GeneralizableValue>]
    let currentArena<'E> : ArenaWorkflow<Arena, 'E> =
        ArenaWorkflow((fun ctx -> Ok ctx.Arena), false)

    [<GeneralizableValue>]
    let currentTransaction<'E> : ArenaWorkflow<Transaction, 'E> =
        ArenaWorkflow((fun ctx -> Ok ctx.Transaction), false)

    [<GeneralizableValue>]
    let bytesUsed<'E> : ArenaWorkflow<int64, 'E> =
        ArenaWorkflow((fun ctx -> Ok ctx.Transaction.BytesUsed), false)

    [<GeneralizableValue>]
    let budgetRemaining<'E> : ArenaWorkflow<int64 option, 'E> =
        ArenaWorkflow((fun ctx -> Ok(Option.ofNullable ctx.Transaction.BudgetRemaining)), false)

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Arena =
    let create () = new Arena()

    let createWith (options: ArenaOptions) = new Arena(options)

    let run (arena: Arena) (workflow: ArenaWorkflow<'T, 'E>) : Result<'T, 'E> =
        ArgumentNullException.ThrowIfNull arena
        // The transaction opened here is the workflow's scope, so a scoped workflow needs no second one.
        Scope.runIn arena (arena.BeginTransaction()) workflow.Body

    let attempt (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<Result<'T, 'E>, 'E2> =
        ArenaWorkflow((fun ctx -> Ok(Scope.run ctx workflow.Body)), false)

    let private budgeted (bytes: int64) (ctx: ArenaContext) (workflow: ArenaWorkflow<'T, 'E>) =
        let arena = ctx.Arena
        let tx = arena.BeginTransaction()

        try
            tx.SetLimit bytes
        with _ ->
            tx.Dispose()
            reraise ()

        Scope.runIn arena tx workflow.Body

    let withBudget (bytes: int64) (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow((fun ctx -> budgeted bytes ctx workflow), false)

    let withBudgetOr
        (bytes: int64)
        (onExceeded: ArenaBudgetExceededException -> 'E)
        (workflow: ArenaWorkflow<'T, 'E>)
        : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                // The savepoint has rolled back (Scope.runIn's finally) by the time the handler runs.
                try
                    budgeted bytes ctx workflow
                with :? ArenaBudgetExceededException as ex ->
                    Error(onExceeded ex)),
            false
        )

    let scoped (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> = ArenaWorkflow(workflow.Body, true)

    let ok (value: 'T) : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow((fun _ -> Ok value), false)

    let error (error: 'E) : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow((fun _ -> Error error), false)

    let ofResult (result: Result<'T, 'E>) : ArenaWorkflow<'T, 'E> = ArenaWorkflow((fun _ -> result), false)

    let map (mapping: 'T -> 'U) (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'U, 'E> =
        ArenaWorkflow((fun ctx -> Result.map mapping (workflow.Invoke ctx)), false)

    let map2
        (mapping: 'T -> 'U -> 'V)
        (first: ArenaWorkflow<'T, 'E>)
        (second: ArenaWorkflow<'U, 'E>)
        : ArenaWorkflow<'V, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                match first.Invoke ctx with
                | Ok a ->
                    match second.Invoke ctx with
                    | Ok b -> Ok(mapping a b)
                    | Error e -> Error e
                | Error e -> Error e),
            false
        )

    let mapError (mapping: 'E -> 'F) (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'F> =
        ArenaWorkflow((fun ctx -> Result.mapError mapping (workflow.Invoke ctx)), false)

    let bind (binder: 'T -> ArenaWorkflow<'U, 'E>) (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'U, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                match workflow.Invoke ctx with
                | Ok value -> (binder value).Invoke ctx
                | Error e -> Error e),
            false
        )

    let ignore (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<unit, 'E> =
        ArenaWorkflow((fun ctx -> Result.map ignore (workflow.Invoke ctx)), false)

    let stats (arena: Arena) = arena.Stats

    let checkpoint (arena: Arena) = arena.GetCheckpoint()

    let rewind (arena: Arena) (checkpoint: Checkpoint) = arena.Rewind checkpoint

    let reset (arena: Arena) = arena.Reset()
