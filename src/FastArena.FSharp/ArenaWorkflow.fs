namespace FastArena.FSharp

open FastArena

[<Struct; NoEquality; NoComparison>]
type ArenaContext =
    val Arena: Arena
    val Transaction: Transaction
    val IsFreshScope: bool

    new(arena, transaction, isFreshScope) =
        {
            Arena = arena
            Transaction = transaction
            IsFreshScope = isFreshScope
        }

    member this.Inner = ArenaContext(this.Arena, this.Transaction, false)

type ArenaWorkflow<'T, 'E> = ArenaContext -> Result<'T, 'E>

module internal Scope =
    // The one place where a workflow's transaction ends: Ok commits, Error rolls back, and the finally
    // rolls back on an exception (Dispose does nothing once the transaction has ended).
    let inline runIn (arena: Arena) (tx: Transaction) (fresh: bool) (body: ArenaWorkflow<'T, 'E>) =
        try
            let result = body (ArenaContext(arena, tx, fresh))

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

[<AbstractClass>]
type ScopedArenaWorkflow<'T, 'E>() =
    inherit FSharpFunc<ArenaContext, Result<'T, 'E>>()

    member this.Workflow: ArenaWorkflow<'T, 'E> = unbox<ArenaWorkflow<'T, 'E>>(box this)

    member this.RunInSavepoint(ctx: ArenaContext) : Result<'T, 'E> =
        let arena = ctx.Arena
        Scope.runIn arena (arena.BeginTransaction()) true this.Workflow
