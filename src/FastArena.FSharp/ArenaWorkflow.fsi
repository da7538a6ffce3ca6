namespace FastArena.FSharp

open FastArena

/// <summary>
/// What a running workflow sees: the arena and the innermost transaction its allocations land in.
/// </summary>
/// <remarks>
/// A small struct, passed by value. Only code that builds its own primitive workflows needs it; the
/// operations of <see cref="T:FastArena.FSharp.ArenaOperations"/> cover ordinary use.
/// </remarks>
/// <example>
/// <code lang="fsharp">
/// let depth = ArenaWorkflow&lt;int, string&gt;((fun ctx -> Ok ctx.Transaction.Depth), false)
/// </code>
/// </example>
[<Struct; NoEquality; NoComparison>]
type ArenaContext =
    /// <summary>The arena the workflow allocates in.</summary>
    val Arena: Arena

    /// <summary>The innermost open transaction: the workflow's own scope.</summary>
    val Transaction: Transaction

    /// <summary>Pairs an arena with the transaction that is open on it.</summary>
    /// <param name="arena">The arena the workflow allocates in.</param>
    /// <param name="transaction">The innermost open transaction of <paramref name="arena"/>.</param>
    new: arena: Arena * transaction: Transaction -> ArenaContext

/// Runs bodies in savepoints; shared by the workflow type, the module and the builder.
module internal Scope =
    /// Opens a savepoint in the context's arena, runs the body in it, commits on Ok, rolls back on
    /// Error and on an exception (which propagates).
    val run: context: ArenaContext -> body: (ArenaContext -> Result<'T, 'E>) -> Result<'T, 'E>

    /// Like run, on a transaction the caller has opened (and which run disposes).
    val runIn: arena: Arena -> tx: Transaction -> body: (ArenaContext -> Result<'T, 'E>) -> Result<'T, 'E>

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
/// A workflow made by <c>arena { }</c> is <i>scoped</i>: bound inside another workflow it runs as a
/// savepoint, so its <c>Error</c> (or exception) gives back exactly its own allocations before the
/// enclosing workflow sees it. Primitive operations such as <c>alloc</c> are not scoped: each either
/// happens whole or throws, so a savepoint would buy nothing.
/// </para>
/// <para>
/// Values pass between steps as handles (<see cref="T:FastArena.ArenaRef`1"/>,
/// <see cref="T:FastArena.ArenaSlice`1"/>), never as spans: a span cannot cross a <c>let!</c>.
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
[<Sealed>]
type ArenaWorkflow<'T, 'E> =
    /// <summary>Low level: a workflow from a function. Builders and custom primitives use it.</summary>
    /// <param name="body">The work, run against the context of the transaction it lands in.</param>
    /// <param name="isScoped">
    /// Whether <see cref="M:FastArena.FSharp.ArenaWorkflow`2.Invoke(FastArena.FSharp.ArenaContext)"/>
    /// runs <paramref name="body"/> in a savepoint of its own. A primitive whose body either completes
    /// or throws without allocating passes false.
    /// </param>
    /// <example>
    /// <code lang="fsharp">
    /// let allocTwice v = ArenaWorkflow((fun ctx -> Ok(ctx.Arena.AllocHandle v, ctx.Arena.AllocHandle v)), true)
    /// </code>
    /// </example>
    new: body: (ArenaContext -> Result<'T, 'E>) * isScoped: bool -> ArenaWorkflow<'T, 'E>

    /// <summary>The work, without the savepoint that a scoped workflow opens around it.</summary>
    member Body: (ArenaContext -> Result<'T, 'E>)

    /// <summary>Whether the workflow runs in a savepoint of its own when it is invoked.</summary>
    member IsScoped: bool

    /// <summary>
    /// Runs the workflow inside the transaction of <paramref name="context"/>: a scoped workflow opens a
    /// savepoint that <c>Ok</c> commits and <c>Error</c> or an exception rolls back.
    /// </summary>
    /// <param name="context">The running workflow's context.</param>
    /// <returns>The workflow's result.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// let twice (wf: ArenaWorkflow&lt;int, string&gt;) =
    ///     ArenaWorkflow((fun ctx -> wf.Invoke ctx |> Result.bind (fun a -> wf.Invoke ctx |> Result.map ((+) a))), false)
    /// </code>
    /// </example>
    member Invoke: context: ArenaContext -> Result<'T, 'E>
