namespace FastArena.FSharp

open System
open FastArena

[<AutoOpen>]
module ArenaOperations =
    // Primitives are not scoped: each allocates once, or throws having allocated nothing.

    // Inline, so that a `let!` of one flattens into the enclosing block's function.

    let inline alloc (value: 'T) : ArenaWorkflow<ArenaRef<'T>, 'E> =
        fun ctx -> Ok(ctx.Arena.AllocHandle value)

    let inline allocSlice (values: 'T[]) : ArenaWorkflow<ArenaSlice<'T>, 'E> =
        fun ctx -> Ok(ctx.Arena.AllocSliceHandle(ReadOnlySpan<'T>(values)))

    let inline allocSeq (values: seq<'T>) : ArenaWorkflow<ArenaSlice<'T>, 'E> =
        fun ctx ->
            // Enumerate before allocating, so a throwing sequence leaves nothing behind.
            let items = Seq.toArray values
            Ok(ctx.Arena.AllocSliceHandle(ReadOnlySpan<'T>(items)))

    let inline allocInit (count: int) (initializer: int -> 'T) : ArenaWorkflow<ArenaSlice<'T>, 'E> =
        fun ctx ->
            let items = Array.init count initializer
            Ok(ctx.Arena.AllocSliceHandle(ReadOnlySpan<'T>(items)))

    let inline allocZeroed (count: int) : ArenaWorkflow<ArenaSlice<'T>, 'E> =
        fun ctx -> Ok(ctx.Arena.AllocSliceHandle<'T>(count))

    let inline allocString (text: string) : ArenaWorkflow<ArenaSlice<char>, 'E> =
        fun ctx -> Ok(ctx.Arena.AllocStringHandle(text.AsSpan()))

    let currentArena: ArenaWorkflow<Arena, 'E> = fun ctx -> Ok ctx.Arena

    let currentTransaction: ArenaWorkflow<Transaction, 'E> =
        fun ctx -> Ok ctx.Transaction

    let bytesUsed: ArenaWorkflow<int64, 'E> = fun ctx -> Ok ctx.Transaction.BytesUsed

    let budgetRemaining: ArenaWorkflow<int64 option, 'E> =
        fun ctx -> Ok(Option.ofNullable ctx.Transaction.BudgetRemaining)

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Arena =
    let create () = new Arena()

    let createWith (options: ArenaOptions) = new Arena(options)

    let run (arena: Arena) (workflow: ArenaWorkflow<'T, 'E>) : Result<'T, 'E> =
        ArgumentNullException.ThrowIfNull arena
        // The transaction opened here is fresh: a scoped workflow uses it rather than a second one.
        Scope.runIn arena (arena.BeginTransaction()) true workflow

    let scoped (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> =
        fun ctx ->
            if ctx.IsFreshScope then
                workflow ctx.Inner
            else
                let arena = ctx.Arena
                Scope.runIn arena (arena.BeginTransaction()) false workflow

    let attempt (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<Result<'T, 'E>, 'E2> =
        fun ctx ->
            let arena = ctx.Arena
            Ok(Scope.runIn arena (arena.BeginTransaction()) true workflow)

    let private budgeted (bytes: int64) (ctx: ArenaContext) (workflow: ArenaWorkflow<'T, 'E>) =
        let arena = ctx.Arena
        let tx = arena.BeginTransaction()

        try
            tx.SetLimit bytes
        with _ ->
            tx.Dispose()
            reraise ()

        Scope.runIn arena tx true workflow

    let withBudget (bytes: int64) (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> =
        fun ctx -> budgeted bytes ctx workflow

    let withBudgetOr
        (bytes: int64)
        (onExceeded: ArenaBudgetExceededException -> 'E)
        (workflow: ArenaWorkflow<'T, 'E>)
        : ArenaWorkflow<'T, 'E> =
        fun ctx ->
            // The savepoint has rolled back (Scope.runIn's finally) by the time the handler runs.
            try
                budgeted bytes ctx workflow
            with :? ArenaBudgetExceededException as ex ->
                Error(onExceeded ex)

    let ok (value: 'T) : ArenaWorkflow<'T, 'E> = fun _ -> Ok value

    let error (error: 'E) : ArenaWorkflow<'T, 'E> = fun _ -> Error error

    let ofResult (result: Result<'T, 'E>) : ArenaWorkflow<'T, 'E> = fun _ -> result

    // map and ignore pass the context on as it is: the child's result is theirs. Combinators of two
    // workflows, and mapError, pass ctx.Inner, so that a scoped child opens its own savepoint.

    let map (mapping: 'T -> 'U) (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'U, 'E> =
        fun ctx -> Result.map mapping (workflow ctx)

    let map2
        (mapping: 'T -> 'U -> 'V)
        (first: ArenaWorkflow<'T, 'E>)
        (second: ArenaWorkflow<'U, 'E>)
        : ArenaWorkflow<'V, 'E> =
        fun ctx ->
            let inner = ctx.Inner

            match first inner with
            | Ok a ->
                match second inner with
                | Ok b -> Ok(mapping a b)
                | Error e -> Error e
            | Error e -> Error e

    let mapError (mapping: 'E -> 'F) (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'F> =
        // ctx.Inner: a scoped workflow rolls back in its own savepoint before the mapping sees its error.
        fun ctx -> Result.mapError mapping (workflow ctx.Inner)

    let bind (binder: 'T -> ArenaWorkflow<'U, 'E>) (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'U, 'E> =
        fun ctx ->
            let inner = ctx.Inner

            match workflow inner with
            | Ok value -> (binder value) inner
            | Error e -> Error e

    let ignore (workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<unit, 'E> =
        fun ctx -> Result.map ignore (workflow ctx)

    let stats (arena: Arena) = arena.Stats

    let checkpoint (arena: Arena) = arena.GetCheckpoint()

    let rewind (arena: Arena) (checkpoint: Checkpoint) = arena.Rewind checkpoint

    let reset (arena: Arena) = arena.Reset()
