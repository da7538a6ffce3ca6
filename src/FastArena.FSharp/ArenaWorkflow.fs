namespace FastArena.FSharp

open FastArena

[<Struct; NoEquality; NoComparison>]
type ArenaContext =
    val Arena: Arena
    val Transaction: Transaction

    new(arena, transaction) =
        {
            Arena = arena
            Transaction = transaction
        }

module internal Scope =
    // The one place where a transaction ends: Ok commits, Error rolls back, and the finally rolls back
    // on an exception (Dispose does nothing once the transaction has ended).
    let runIn (arena: Arena) (tx: Transaction) (body: ArenaContext -> Result<'T, 'E>) =
        try
            let result = body (ArenaContext(arena, tx))

            match result with
            | Ok _ ->
                // The body may have ended the transaction itself (through ctx.Transaction): its decision.
                if tx.IsActive then
                    tx.Commit()
            | Error _ ->
                if tx.IsActive then
                    tx.Rollback()

            result
        finally
            tx.Dispose()

    let run (context: ArenaContext) body =
        let arena = context.Arena
        runIn arena (arena.BeginTransaction()) body

[<Sealed>]
type ArenaWorkflow<'T, 'E>(body: ArenaContext -> Result<'T, 'E>, isScoped: bool) =
    member _.Body = body
    member _.IsScoped = isScoped

    member _.Invoke(context: ArenaContext) =
        if isScoped then Scope.run context body else body context
