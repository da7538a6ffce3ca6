namespace FastArena.FSharp

open System

/// <summary>
/// The builder behind <c>arena { }</c>. The workflow it makes is scoped: run by <c>Arena.run</c> it
/// is the transaction; bound inside another workflow it is a savepoint. <c>Ok</c> keeps its
/// allocations, <c>Error</c> gives them back and short-circuits, an exception gives them back and
/// propagates.
/// </summary>
/// <remarks>
/// <para>
/// Every member is inline: in an optimized build the compiler flattens a block into one method, so
/// running a block built once allocates no managed memory, however many steps it binds, and its
/// handles stay locals of that method (the builder keeps the F# optimizer from splitting a long block
/// into continuation methods). A block built inside a function is one object made at each call.
/// </para>
/// <para>
/// Inside: <c>let!</c>, <c>and!</c> and <c>do!</c> of arena workflows (the operations of
/// <see cref="T:FastArena.FSharp.ArenaOperations"/>, other <c>arena { }</c> blocks) and of plain
/// <c>Result&lt;'T, 'E&gt;</c> values; <c>return</c>, <c>return!</c>, <c>match!</c>, <c>if</c>,
/// <c>match</c>, <c>for</c> over any sequence, <c>while</c> (a loop: a million iterations use one stack
/// frame), <c>try/with</c>, <c>try/finally</c> and <c>use</c> (null allowed).
/// </para>
/// <para>
/// <c>try/with</c> inside a workflow catches like ordinary F#: the allocations made in the same scope
/// before the exception stay. To have them given back, put the risky part in its own <c>arena { }</c>.
/// </para>
/// <para>
/// Recursion through <c>return!</c> grows the stack (and opens a savepoint per level); use <c>while</c>
/// or <c>for</c> for long loops.
/// </para>
/// </remarks>
[<Sealed>]
type ArenaBuilder =
    /// <summary>Creates a builder. The <c>arena</c> value is the one to use.</summary>
    new: unit -> ArenaBuilder

    /// <summary><c>return value</c>: succeeds with <paramref name="value"/>.</summary>
    /// <param name="value">The result.</param>
    /// <returns>A workflow that allocates nothing.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena { return 42 }
    /// </code>
    /// </example>
    member inline Return: value: 'T -> ArenaWorkflow<'T, 'E>

    /// <summary><c>return! workflow</c>: ends with another workflow's result.</summary>
    /// <param name="workflow">The workflow (or, through <c>Source</c>, a <c>Result</c>).</param>
    /// <returns>The same workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena { return! alloc 1 }
    /// </code>
    /// </example>
    member inline ReturnFrom: [<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<'T, 'E>

    /// <summary>The empty branch: succeeds with unit.</summary>
    /// <returns>A workflow that allocates nothing.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena { if false then return () }
    /// </code>
    /// </example>
    member inline Zero: unit -> ArenaWorkflow<unit, 'E>

    /// <summary><c>let! value = workflow</c>: runs the workflow; on <c>Ok</c> goes on with its value, on <c>Error</c> stops.</summary>
    /// <param name="workflow">The first step.</param>
    /// <param name="binder">The rest of the workflow.</param>
    /// <returns>The sequenced workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! x = alloc 1
    ///     let! y = Ok 2
    ///     return x.Value + y
    /// }
    /// </code>
    /// </example>
    member inline Bind:
        [<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E> * [<InlineIfLambda>] binder: ('T -> ArenaWorkflow<'U, 'E>) ->
            ArenaWorkflow<'U, 'E>

    /// <summary><c>let! value = workflow</c> followed by <c>return</c>: runs the workflow and maps its <c>Ok</c> value.</summary>
    /// <param name="workflow">The step.</param>
    /// <param name="mapping">The returned expression, as a function of the step's value.</param>
    /// <returns>The mapped workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! x = alloc 1
    ///     return x.Value + 1
    /// }
    /// </code>
    /// </example>
    member inline BindReturn:
        [<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E> * [<InlineIfLambda>] mapping: ('T -> 'U) ->
            ArenaWorkflow<'U, 'E>

    /// <summary>
    /// <c>let! a = first and! b = second</c>: runs <paramref name="first"/>, then <paramref name="second"/>,
    /// in the enclosing block's transaction, and pairs their values. An <c>Error</c> of either side
    /// stops and rolls the whole block back, the other side's allocations included; so does an exception.
    /// A side that is itself an <c>arena { }</c> block runs in its own savepoint.
    /// </summary>
    /// <param name="first">The first side; runs first.</param>
    /// <param name="second">The second side; runs only when the first succeeded.</param>
    /// <returns>A workflow of both values. Three or more sides nest it.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! x = alloc 1
    ///     and! y = alloc 2
    ///     and! z = Ok 3
    ///     return x.Value + y.Value + z // Ok 6
    /// }
    /// </code>
    /// </example>
    member inline MergeSources:
        [<InlineIfLambda>] first: ArenaWorkflow<'T, 'E> * [<InlineIfLambda>] second: ArenaWorkflow<'U, 'E> ->
            ArenaWorkflow<'T * 'U, 'E>

    /// <summary>
    /// <c>let! a = first and! b = second</c> followed by more steps: <c>MergeSources</c> then <c>Bind</c>,
    /// without building the pair.
    /// </summary>
    /// <param name="first">The first side; runs first.</param>
    /// <param name="second">The second side; runs only when the first succeeded.</param>
    /// <param name="binder">The rest of the workflow.</param>
    /// <returns>The sequenced workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! name = allocString "ada"
    ///     and! score = alloc 90
    ///     do! if score.Value &lt; 50 then Error "too low" else Ok () // rolls back both
    ///     return name.Length
    /// }
    /// </code>
    /// </example>
    member inline Bind2:
        [<InlineIfLambda>] first: ArenaWorkflow<'T, 'E> *
        [<InlineIfLambda>] second: ArenaWorkflow<'U, 'E> *
        [<InlineIfLambda>] binder: ('T * 'U -> ArenaWorkflow<'V, 'E>) ->
            ArenaWorkflow<'V, 'E>

    /// <summary>
    /// <c>let! a = first and! b = second</c> followed by <c>return</c>: <c>MergeSources</c> then
    /// <c>BindReturn</c>, without building the pair.
    /// </summary>
    /// <param name="first">The first side; runs first.</param>
    /// <param name="second">The second side; runs only when the first succeeded.</param>
    /// <param name="mapping">The returned expression, as a function of both values.</param>
    /// <returns>The mapped workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! x = alloc 1
    ///     and! y = alloc 2
    ///     return x.Value + y.Value // Ok 3
    /// }
    /// </code>
    /// </example>
    member inline Bind2Return:
        [<InlineIfLambda>] first: ArenaWorkflow<'T, 'E> *
        [<InlineIfLambda>] second: ArenaWorkflow<'U, 'E> *
        [<InlineIfLambda>] mapping: ('T * 'U -> 'V) ->
            ArenaWorkflow<'V, 'E>

    /// <summary>Wraps the workflow's body so that nothing runs until the workflow does.</summary>
    /// <param name="generator">Makes the workflow when it runs.</param>
    /// <returns>The delayed workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena { printfn "runs only when the workflow runs" }
    /// </code>
    /// </example>
    member inline Delay: [<InlineIfLambda>] generator: (unit -> ArenaWorkflow<'T, 'E>) -> ArenaWorkflow<'T, 'E>

    /// <summary>
    /// Makes the finished workflow scoped, as <c>Arena.scoped</c> does: bound inside another, it runs in
    /// a savepoint. The block becomes one <see cref="T:FastArena.FSharp.ScopedArenaWorkflow`2"/> whose
    /// <c>Invoke</c> is the flattened body, so running it is one virtual call.
    /// </summary>
    /// <param name="workflow">The delayed body.</param>
    /// <returns>The scoped workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// let inner = arena { let! _ = alloc 1 in return! Error "no" } // rolls back its own alloc when bound
    /// </code>
    /// </example>
    member inline Run: [<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<'T, 'E>

    /// <summary>Sequencing: runs <paramref name="first"/>, then <paramref name="second"/> unless the first failed.</summary>
    /// <param name="first">The unit-valued first part.</param>
    /// <param name="second">The rest.</param>
    /// <returns>The sequenced workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     do! Arena.ignore (alloc 1)
    ///     return 2
    /// }
    /// </code>
    /// </example>
    member inline Combine:
        [<InlineIfLambda>] first: ArenaWorkflow<unit, 'E> * [<InlineIfLambda>] second: ArenaWorkflow<'T, 'E> ->
            ArenaWorkflow<'T, 'E>

    /// <summary><c>while guard do body</c>: a loop that stops at the first <c>Error</c>; constant stack depth.</summary>
    /// <param name="guard">Checked before each iteration.</param>
    /// <param name="body">One iteration.</param>
    /// <returns>The loop.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let mutable i = 0
    ///     while i &lt; 1_000_000 do
    ///         i &lt;- i + 1
    /// }
    /// </code>
    /// </example>
    member inline While:
        [<InlineIfLambda>] guard: (unit -> bool) * [<InlineIfLambda>] body: ArenaWorkflow<unit, 'E> ->
            ArenaWorkflow<unit, 'E>

    /// <summary><c>for x in sequence do body</c>: stops at the first <c>Error</c>; the enumerator is disposed.</summary>
    /// <param name="sequence">The items.</param>
    /// <param name="body">One iteration.</param>
    /// <returns>The loop.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     for x in [ 1; 2; 3 ] do
    ///         do! Arena.ignore (alloc x)
    /// }
    /// </code>
    /// </example>
    member inline For:
        sequence: seq<'T> * [<InlineIfLambda>] body: ('T -> ArenaWorkflow<unit, 'E>) -> ArenaWorkflow<unit, 'E>

    /// <summary><c>try body with handler</c>: an exception from <paramref name="body"/> goes to the handler.</summary>
    /// <param name="body">The guarded part.</param>
    /// <param name="handler">Makes the workflow to run instead.</param>
    /// <returns>The guarded workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     try
    ///         return! arena { return failwith "boom" }
    ///     with ex ->
    ///         return! Error ex.Message
    /// }
    /// </code>
    /// </example>
    member inline TryWith:
        [<InlineIfLambda>] body: ArenaWorkflow<'T, 'E> * [<InlineIfLambda>] handler: (exn -> ArenaWorkflow<'T, 'E>) ->
            ArenaWorkflow<'T, 'E>

    /// <summary><c>try body finally compensation</c>: the compensation runs however the body ends.</summary>
    /// <param name="body">The guarded part.</param>
    /// <param name="compensation">Runs after the body: on Ok, on Error and on an exception.</param>
    /// <returns>The guarded workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     try
    ///         let! x = alloc 1
    ///         return x.Value
    ///     finally
    ///         printfn "done"
    /// }
    /// </code>
    /// </example>
    member inline TryFinally:
        [<InlineIfLambda>] body: ArenaWorkflow<'T, 'E> * [<InlineIfLambda>] compensation: (unit -> unit) ->
            ArenaWorkflow<'T, 'E>

    /// <summary><c>use resource = value</c>: disposes the resource however the rest ends; null is allowed and skipped.</summary>
    /// <param name="resource">The resource (may be null).</param>
    /// <param name="binder">The rest of the workflow.</param>
    /// <returns>The guarded workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     use stream = new System.IO.MemoryStream()
    ///     return stream.Length
    /// }
    /// </code>
    /// </example>
    member inline Using:
        resource: 'R * [<InlineIfLambda>] binder: ('R -> ArenaWorkflow<'T, 'E>) -> ArenaWorkflow<'T, 'E>
            when 'R :> IDisposable | null

    /// <summary>Lets <c>let!</c>, <c>do!</c> and <c>return!</c> take an arena workflow.</summary>
    /// <param name="workflow">The workflow.</param>
    /// <returns>The same workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena { let! x = alloc 1 in return x }
    /// </code>
    /// </example>
    member inline Source: [<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<'T, 'E>

/// <summary>The <c>Source</c> overloads that let <c>arena { }</c> bind plain results and loop over sequences.</summary>
[<AutoOpen>]
module ArenaBuilderExtensions =
    type ArenaBuilder with
        /// <summary>Lets <c>let!</c>, <c>do!</c> and <c>return!</c> take a plain <c>Result</c>; an <c>Error</c> short-circuits and rolls back.</summary>
        /// <param name="result">The result.</param>
        /// <returns>A workflow that allocates nothing and yields <paramref name="result"/>.</returns>
        /// <example>
        /// <code lang="fsharp">
        /// arena {
        ///     let! n = (if input > 0 then Ok input else Error "negative")
        ///     return! alloc n
        /// }
        /// </code>
        /// </example>
        member inline Source: result: Result<'T, 'E> -> ArenaWorkflow<'T, 'E>

        /// <summary>Lets <c>for</c> loop over any sequence.</summary>
        /// <param name="sequence">The items.</param>
        /// <returns>The same sequence.</returns>
        /// <example>
        /// <code lang="fsharp">
        /// arena { for x in [| 1; 2 |] do do! Arena.ignore (alloc x) }
        /// </code>
        /// </example>
        member inline Source: sequence: 'S -> 'S when 'S :> seq<'T>

/// <summary>The <c>arena { }</c> builder value, opened with the namespace.</summary>
[<AutoOpen>]
module ArenaBuilderValue =
    /// <summary>
    /// Builds a workflow over an arena in which <c>Error</c> rolls back: run it with <c>Arena.run</c>.
    /// Name your arena variables something else (<c>mem</c>, <c>scratch</c>) so they do not hide it.
    /// </summary>
    /// <example>
    /// <code lang="fsharp">
    /// use mem = Arena.create ()
    /// Arena.run mem (arena {
    ///     let! x = alloc 1
    ///     let! y = alloc 2
    ///     return x.Value + y.Value
    /// }) // Ok 3
    /// </code>
    /// </example>
    val arena: ArenaBuilder
