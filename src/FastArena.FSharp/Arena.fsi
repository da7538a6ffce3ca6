namespace FastArena.FSharp

open FastArena

/// <summary>
/// The operations usable inside <c>arena { }</c>. Each returns a workflow that yields a handle
/// (<see cref="T:FastArena.ArenaRef`1"/>, <see cref="T:FastArena.ArenaSlice`1"/>), never a span, so the
/// result can cross a <c>let!</c>. An allocation that a budget refuses throws
/// <see cref="T:FastArena.ArenaBudgetExceededException"/>, which rolls the enclosing workflows back.
/// </summary>
[<AutoOpen>]
module ArenaOperations =
    /// <summary>Copies one unmanaged value into the arena.</summary>
    /// <param name="value">The value to store.</param>
    /// <returns>A workflow yielding a handle to the stored value.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! x = alloc 1
    ///     x.Value &lt;- x.Value + 1
    ///     return x.Value // 2
    /// }
    /// </code>
    /// </example>
    val inline alloc: value: 'T -> ArenaWorkflow<ArenaRef<'T>, 'E> when 'T: unmanaged

    /// <summary>Copies an array into the arena with one block copy.</summary>
    /// <param name="values">The elements; null is treated as empty.</param>
    /// <returns>A workflow yielding a handle to the arena copy.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! xs = allocSlice [| 1; 2; 3 |]
    ///     return xs.Span.[2] // 3
    /// }
    /// </code>
    /// </example>
    val inline allocSlice: values: 'T[] -> ArenaWorkflow<ArenaSlice<'T>, 'E> when 'T: unmanaged

    /// <summary>Copies a sequence into the arena (it is enumerated once, when the workflow runs).</summary>
    /// <param name="values">The elements.</param>
    /// <returns>A workflow yielding a handle to the arena copy.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! squares = allocSeq (seq { for i in 1..4 -> i * i })
    ///     return squares.Length // 4
    /// }
    /// </code>
    /// </example>
    val inline allocSeq: values: seq<'T> -> ArenaWorkflow<ArenaSlice<'T>, 'E> when 'T: unmanaged

    /// <summary>Allocates <paramref name="count"/> elements, element <c>i</c> being <c>initializer i</c>.</summary>
    /// <param name="count">Number of elements, not negative.</param>
    /// <param name="initializer">Makes element <c>i</c>; called in order, before anything is allocated.</param>
    /// <returns>A workflow yielding a handle to the slice.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! evens = allocInit 5 (fun i -> 2 * i)
    ///     return evens.ToArray() // [| 0; 2; 4; 6; 8 |]
    /// }
    /// </code>
    /// </example>
    val inline allocInit: count: int -> initializer: (int -> 'T) -> ArenaWorkflow<ArenaSlice<'T>, 'E> when 'T: unmanaged

    /// <summary>Allocates <paramref name="count"/> zeroed elements.</summary>
    /// <param name="count">Number of elements, not negative (a negative count throws <c>ArgumentOutOfRangeException</c>).</param>
    /// <returns>A workflow yielding a handle to the zeroed slice.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! buffer = allocZeroed&lt;byte, string&gt; 256
    ///     return buffer.Length // 256
    /// }
    /// </code>
    /// </example>
    val inline allocZeroed: count: int -> ArenaWorkflow<ArenaSlice<'T>, 'E> when 'T: unmanaged

    /// <summary>Copies a string's characters into the arena.</summary>
    /// <param name="text">The text; null is treated as empty.</param>
    /// <returns>A workflow yielding a handle to the characters (its <c>ToString()</c> gives the text back).</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! name = allocString "fastarena"
    ///     return name.ToString() // "fastarena"
    /// }
    /// </code>
    /// </example>
    val inline allocString: text: string -> ArenaWorkflow<ArenaSlice<char>, 'E>

    /// <summary>The arena the workflow runs in, for the core's API (spans, lists, raw memory).</summary>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! mem = currentArena
    ///     return mem.Stats.BytesAllocated
    /// }
    /// </code>
    /// </example>
    val currentArena: ArenaWorkflow<Arena, 'E>

    /// <summary>The innermost open transaction: the running workflow's own scope.</summary>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! tx = currentTransaction
    ///     return tx.Depth // 1 when run by Arena.run on an idle arena
    /// }
    /// </code>
    /// </example>
    val currentTransaction: ArenaWorkflow<Transaction, 'E>

    /// <summary>Bytes allocated so far in the innermost scope, padding included.</summary>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! _ = alloc 1L
    ///     return! bytesUsed // 8L
    /// }
    /// </code>
    /// </example>
    val bytesUsed: ArenaWorkflow<int64, 'E>

    /// <summary>Bytes the tightest open budget still allows; None when no open scope has a budget.</summary>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.withBudget 64L (arena { return! budgetRemaining }) // Ok (Some 64L) when run
    /// </code>
    /// </example>
    val budgetRemaining: ArenaWorkflow<int64 option, 'E>

/// <summary>
/// Functions over arenas and workflows. Used qualified (<c>Arena.run</c>), beside the core's
/// <see cref="T:FastArena.Arena"/> type.
/// </summary>
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Arena =
    /// <summary>Creates an arena with default options (a 64 KiB first block). Dispose it when done.</summary>
    /// <returns>The new arena.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// use mem = Arena.create ()
    /// </code>
    /// </example>
    val create: unit -> Arena

    /// <summary>Creates an arena with the given options.</summary>
    /// <param name="options">Block sizes, retention, checked mode and disposal tracking.</param>
    /// <returns>The new arena.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// use mem = Arena.createWith (ArenaOptions(CheckedMode = true))
    /// </code>
    /// </example>
    val createWith: options: ArenaOptions -> Arena

    /// <summary>
    /// Runs a workflow in a new transaction on <paramref name="arena"/> (a savepoint, when one is
    /// already open): <c>Ok</c> commits, <c>Error</c> rolls back and is returned, an exception rolls
    /// back and propagates. After <c>Error</c> or an exception the arena's stats, cursor and contents
    /// are what they were before.
    /// </summary>
    /// <param name="arena">The arena to allocate in.</param>
    /// <param name="workflow">The work.</param>
    /// <returns>The workflow's result.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// use mem = Arena.create ()
    /// let r = Arena.run mem (arena { let! x = alloc 41 in return x.Value + 1 }) // Ok 42
    /// </code>
    /// </example>
    val run: arena: Arena -> workflow: ArenaWorkflow<'T, 'E> -> Result<'T, 'E>

    /// <summary>
    /// Runs <paramref name="workflow"/> in a savepoint and yields its result as a value: an
    /// <c>Error</c> rolls back only the inner workflow's allocations, and the enclosing workflow goes on
    /// with its own work intact. Exceptions still roll back and propagate.
    /// </summary>
    /// <param name="workflow">The inner work, which may fail.</param>
    /// <returns>A workflow that always succeeds with the inner result.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// arena {
    ///     let! kept = alloc 1
    ///     match! Arena.attempt (arena { let! _ = alloc 2 in return! Error "no" }) with
    ///     | Ok _ -> return "inner kept"
    ///     | Error e -> return sprintf "recovered from %s, kept %d" e kept.Value
    /// }
    /// </code>
    /// </example>
    val attempt: workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<Result<'T, 'E>, 'E2>

    /// <summary>
    /// Runs <paramref name="workflow"/> in a savepoint whose allocations (padding included) may total at
    /// most <paramref name="bytes"/> (the core's <c>Transaction.SetLimit</c>; enclosing budgets still
    /// apply). An allocation past the budget throws <see cref="T:FastArena.ArenaBudgetExceededException"/>:
    /// the savepoint and, unless something catches the exception, every enclosing workflow roll back.
    /// Use <see cref="M:FastArena.FSharp.ArenaModule.withBudgetOr``2"/> to get an <c>Error</c> instead.
    /// </summary>
    /// <param name="bytes">The cap in bytes, not negative (a negative cap throws <c>ArgumentOutOfRangeException</c> when the workflow runs).</param>
    /// <param name="workflow">The work.</param>
    /// <returns>The capped workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.withBudget 1024L (arena { let! _ = allocZeroed&lt;byte, string&gt; 4096 in return () })
    /// // running it throws ArenaBudgetExceededException and leaves the arena as it was
    /// </code>
    /// </example>
    val withBudget: bytes: int64 -> workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<'T, 'E>

    /// <summary>
    /// Like <see cref="M:FastArena.FSharp.ArenaModule.withBudget``2"/>, but a budget refusal while the
    /// workflow runs becomes <c>Error (onExceeded ex)</c> after the savepoint has rolled back.
    /// </summary>
    /// <param name="bytes">The cap in bytes, not negative.</param>
    /// <param name="onExceeded">Turns the refusal into the workflow's error.</param>
    /// <param name="workflow">The work.</param>
    /// <returns>The capped workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.withBudgetOr 1024L (fun ex -> sprintf "needs %d bytes" ex.RequestedBytes) (allocZeroed&lt;byte, string&gt; 4096)
    /// // runs to Error "needs 4096 bytes"
    /// </code>
    /// </example>
    val withBudgetOr:
        bytes: int64 ->
        onExceeded: (ArenaBudgetExceededException -> 'E) ->
        workflow: ArenaWorkflow<'T, 'E> ->
            ArenaWorkflow<'T, 'E>

    /// <summary>
    /// Makes <paramref name="workflow"/> scoped: invoked inside another workflow it runs in a savepoint
    /// of its own; invoked directly in a transaction opened for it (by <c>run</c>, <c>attempt</c> or
    /// <c>withBudget</c>) it uses that one. The builder's <c>Run</c> calls it on every <c>arena { }</c>.
    /// </summary>
    /// <param name="workflow">The work.</param>
    /// <returns>The scoped workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// let twoValues = Arena.scoped (Arena.map2 (fun a b -> (a, b)) (alloc 1) (alloc 2))
    /// </code>
    /// </example>
    val scoped: workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<'T, 'E>

    /// <summary>A workflow that allocates nothing and succeeds with <paramref name="value"/>.</summary>
    /// <param name="value">The result.</param>
    /// <returns>The workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.ok 42 // runs to Ok 42
    /// </code>
    /// </example>
    val ok: value: 'T -> ArenaWorkflow<'T, 'E>

    /// <summary>A workflow that fails with <paramref name="error"/>.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.error "bad input" // runs to Error "bad input"
    /// </code>
    /// </example>
    val error: error: 'E -> ArenaWorkflow<'T, 'E>

    /// <summary>A workflow that yields <paramref name="result"/>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.ofResult (Ok 1 : Result&lt;int, string&gt;)
    /// </code>
    /// </example>
    val ofResult: result: Result<'T, 'E> -> ArenaWorkflow<'T, 'E>

    /// <summary>Transforms a workflow's value.</summary>
    /// <param name="mapping">Applied to the value on <c>Ok</c>.</param>
    /// <param name="workflow">The work.</param>
    /// <returns>The mapped workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// alloc 21 |> Arena.map (fun r -> r.Value * 2) // runs to Ok 42
    /// </code>
    /// </example>
    val map: mapping: ('T -> 'U) -> workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<'U, 'E>

    /// <summary>Combines the values of two workflows, run one after the other.</summary>
    /// <param name="mapping">Applied to both values when both succeed.</param>
    /// <param name="first">Runs first.</param>
    /// <param name="second">Runs second, unless the first failed.</param>
    /// <returns>The combined workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.map2 (fun (a: ArenaRef&lt;int&gt;) (b: ArenaRef&lt;int&gt;) -> a.Value + b.Value) (alloc 1) (alloc 2) // Ok 3
    /// </code>
    /// </example>
    val map2:
        mapping: ('T -> 'U -> 'V) ->
        first: ArenaWorkflow<'T, 'E> ->
        second: ArenaWorkflow<'U, 'E> ->
            ArenaWorkflow<'V, 'E>

    /// <summary>Transforms a workflow's error. The rollback has already happened when the mapping runs.</summary>
    /// <param name="mapping">Applied to the error.</param>
    /// <param name="workflow">The work.</param>
    /// <returns>The mapped workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.error 404 |> Arena.mapError (sprintf "code %d") // runs to Error "code 404"
    /// </code>
    /// </example>
    val mapError: mapping: ('E -> 'F) -> workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<'T, 'F>

    /// <summary>Runs a workflow, then the workflow made from its value.</summary>
    /// <param name="binder">Makes the next workflow.</param>
    /// <param name="workflow">The first workflow.</param>
    /// <returns>The sequenced workflow.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// alloc 1 |> Arena.bind (fun r -> alloc (r.Value + 1))
    /// </code>
    /// </example>
    val bind: binder: ('T -> ArenaWorkflow<'U, 'E>) -> workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<'U, 'E>

    /// <summary>Discards a workflow's value.</summary>
    /// <param name="workflow">The work.</param>
    /// <returns>A workflow yielding unit.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// alloc 1 |> Arena.ignore
    /// </code>
    /// </example>
    val ignore: workflow: ArenaWorkflow<'T, 'E> -> ArenaWorkflow<unit, 'E>

    /// <summary>A snapshot of the arena's memory use (<see cref="P:FastArena.Arena.Stats"/>). O(1).</summary>
    /// <param name="arena">The arena.</param>
    /// <returns>The stats.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// (Arena.stats mem).BytesAllocated
    /// </code>
    /// </example>
    val stats: arena: Arena -> ArenaStats

    /// <summary>The arena's current position, for <see cref="M:FastArena.FSharp.ArenaModule.rewind(FastArena.Arena,FastArena.Checkpoint)"/>.</summary>
    /// <param name="arena">The arena.</param>
    /// <returns>The checkpoint.</returns>
    /// <example>
    /// <code lang="fsharp">
    /// let cp = Arena.checkpoint mem
    /// </code>
    /// </example>
    val checkpoint: arena: Arena -> Checkpoint

    /// <summary>Gives back everything allocated since <paramref name="checkpoint"/> (<see cref="M:FastArena.Arena.Rewind(FastArena.Checkpoint)"/>).</summary>
    /// <param name="arena">The arena.</param>
    /// <param name="checkpoint">A checkpoint of this arena that no rewind has gone below since.</param>
    /// <example>
    /// <code lang="fsharp">
    /// let cp = Arena.checkpoint mem
    /// Arena.run mem (alloc 1) |> ignore
    /// Arena.rewind mem cp
    /// </code>
    /// </example>
    val rewind: arena: Arena -> checkpoint: Checkpoint -> unit

    /// <summary>Gives back every allocation, keeping the blocks (<see cref="M:FastArena.Arena.Reset"/>).</summary>
    /// <param name="arena">The arena; no transaction may be open.</param>
    /// <example>
    /// <code lang="fsharp">
    /// Arena.reset mem
    /// </code>
    /// </example>
    val reset: arena: Arena -> unit
