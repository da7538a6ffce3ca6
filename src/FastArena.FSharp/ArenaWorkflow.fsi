namespace FastArena.FSharp

open FastArena

/// <summary>
/// What a running workflow sees: the arena, the innermost transaction its allocations land in, and
/// whether that transaction was opened for it.
/// </summary>
/// <remarks>
/// A small struct, passed by value. Only code that writes its own primitive workflows or combinators
/// needs it; the operations of <see cref="T:FastArena.FSharp.ArenaOperations"/> cover ordinary use.
/// </remarks>
/// <example>
/// <code lang="fsharp">
/// let depth: ArenaWorkflow&lt;int, string&gt; = fun ctx -> Ok ctx.Transaction.Depth
/// </code>
/// </example>
[<Struct; NoEquality; NoComparison>]
type ArenaContext =
    /// <summary>The arena the workflow allocates in.</summary>
    val Arena: Arena

    /// <summary>The innermost open transaction: the workflow's own scope.</summary>
    val Transaction: Transaction

    /// <summary>
    /// True when <see cref="F:FastArena.FSharp.ArenaContext.Transaction"/> was opened for the workflow
    /// being invoked and nothing has run in it yet, so a scoped workflow may use it instead of opening
    /// a savepoint. A combinator that invokes more than one workflow passes
    /// <see cref="P:FastArena.FSharp.ArenaContext.Inner"/> to them instead.
    /// </summary>
    val IsFreshScope: bool

    /// <summary>A context.</summary>
    /// <param name="arena">The arena the workflow allocates in.</param>
    /// <param name="transaction">The innermost open transaction of <paramref name="arena"/>.</param>
    /// <param name="isFreshScope">Whether <paramref name="transaction"/> was opened for the workflow about to run.</param>
    new: arena: Arena * transaction: Transaction * isFreshScope: bool -> ArenaContext

    /// <summary>The same arena and transaction, not fresh: a scoped workflow invoked with it opens a savepoint.</summary>
    member Inner: ArenaContext

/// <summary>
/// A description of work against an arena which, when run, yields <c>Result&lt;'T, 'E&gt;</c> inside a
/// transaction: <c>Ok</c> commits, <c>Error</c> rolls back, an exception rolls back and propagates.
/// </summary>
/// <remarks>
/// <para>
/// Build workflows with the <c>arena { }</c> builder and the operations of
/// <see cref="T:FastArena.FSharp.ArenaOperations"/>; run one with <c>Arena.run</c>. A workflow is a
/// value: nothing happens until it runs, and it can run many times.
/// </para>
/// <para>
/// A workflow made by <c>arena { }</c> (or <c>Arena.scoped</c>) is <i>scoped</i>: bound inside another
/// workflow it runs as a savepoint, so its <c>Error</c> (or exception) gives back exactly its own
/// allocations before the enclosing workflow sees it. Primitive operations such as <c>alloc</c> are
/// not scoped: each either happens whole or throws, so a savepoint would buy nothing.
/// </para>
/// <para>
/// Values pass between steps as handles (<see cref="T:FastArena.ArenaRef`1"/>,
/// <see cref="T:FastArena.ArenaSlice`1"/>), never as spans: a span cannot cross a <c>let!</c>.
/// </para>
/// <para>
/// It is a function of the <see cref="T:FastArena.FSharp.ArenaContext"/>, so that the builder's inline
/// members flatten a whole <c>arena { }</c> block into one function (in an optimized build): binding a
/// step allocates no managed memory. Invoke a workflow only with the context you were given.
/// </para>
/// </remarks>
/// <example>
/// <code lang="fsharp">
/// use mem = Arena.create ()
/// let pair = arena {
///     let! x = alloc 1
///     let! y = alloc 2
///     return x.Value + y.Value
/// }
/// Arena.run mem pair // Ok 3
/// </code>
/// </example>
type ArenaWorkflow<'T, 'E> = ArenaContext -> Result<'T, 'E>

/// Runs workflows in transactions; shared by the module and the builder.
module internal Scope =
    /// Runs the body in tx (which the caller opened on arena): Ok commits, Error rolls back, an
    /// exception rolls back and propagates. The body's context is fresh when `fresh` is true.
    val inline runIn: arena: Arena -> tx: Transaction -> fresh: bool -> body: ArenaWorkflow<'T, 'E> -> Result<'T, 'E>

/// <summary>
/// The compiled form of a scoped workflow such as an <c>arena { }</c> block: one object whose
/// <c>Invoke</c> runs the block's body directly when the transaction it is given is fresh, and opens a
/// savepoint for it (<see cref="M:FastArena.FSharp.ScopedArenaWorkflow`2.RunInSavepoint(FastArena.FSharp.ArenaContext)"/>) otherwise.
/// </summary>
/// <remarks>
/// The builder's <c>Run</c> derives from it, so that running a block is one virtual call into its
/// body. Code that uses workflows never needs it: a block is an ordinary
/// <see cref="T:FastArena.FSharp.ArenaWorkflow`2"/> (<see cref="P:FastArena.FSharp.ScopedArenaWorkflow`2.Workflow"/>).
/// </remarks>
/// <example>
/// <code lang="fsharp">
/// let block = { new ScopedArenaWorkflow&lt;int, string&gt;() with
///                 member this.Invoke ctx =
///                     if ctx.IsFreshScope then Ok ctx.Transaction.Depth else this.RunInSavepoint ctx }
/// Arena.run mem block.Workflow // Ok 1
/// </code>
/// </example>
[<AbstractClass>]
type ScopedArenaWorkflow<'T, 'E> =
    inherit FSharpFunc<ArenaContext, Result<'T, 'E>>

    /// <summary>For derived types: overriding <c>Invoke</c> is all there is to do.</summary>
    new: unit -> ScopedArenaWorkflow<'T, 'E>

    /// <summary>This object, typed as the workflow it is.</summary>
    member Workflow: ArenaWorkflow<'T, 'E>

    /// <summary>
    /// Opens a savepoint in <paramref name="ctx"/>'s arena and invokes this workflow in it with a fresh
    /// context: <c>Ok</c> commits the savepoint, <c>Error</c> rolls it back, an exception rolls it back
    /// and propagates.
    /// </summary>
    /// <param name="ctx">The context the workflow was invoked with (not fresh).</param>
    /// <returns>The workflow's result.</returns>
    member RunInSavepoint: ctx: ArenaContext -> Result<'T, 'E>
