namespace FastArena.FSharp

open System

// Every member is inline and takes its workflows as [<InlineIfLambda>] functions of the context, so the
// compiler flattens an `arena { }` block into one function: a `let!` of `alloc` becomes a direct call
// of the core's AllocHandle and a match on its Result, with no closure allocated per step. The
// continuations are applied as `(binder value) ctx`, not `binder value ctx`: the optimizer inlines the
// inner application first and can then beta-reduce the outer one; the two-argument form leaves a
// closure per step (520 bytes for 16 steps, measured).
//
// Bind, Bind2, Combine and Run copy the context into a mutable local that the rest of the block reads.
// The F# optimizer moves a large match target (the rest of a block after a `let!`) into a method of
// its own ("splitting"), which takes every value bound so far as an argument: a 16-step block became
// four methods that passed up to fourteen 32-byte ArenaRefs by value, about half of its cost. It never
// splits an expression that reads a mutable local, so the block stays one method whose handles are
// locals; the JIT drops the copies.
[<Sealed>]
type ArenaBuilder() =
    member inline _.Return(value: 'T) : ArenaWorkflow<'T, 'E> = fun _ -> Ok value

    member inline _.ReturnFrom([<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> = workflow

    member inline _.Zero() : ArenaWorkflow<unit, 'E> = fun _ -> Ok()

    member inline _.Bind
        ([<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E>, [<InlineIfLambda>] binder: 'T -> ArenaWorkflow<'U, 'E>)
        : ArenaWorkflow<'U, 'E> =
        fun ctx ->
            let mutable ctx = ctx

            match workflow ctx with
            | Ok value -> (binder value) ctx
            | Error error -> Error error

    member inline _.BindReturn
        ([<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E>, [<InlineIfLambda>] mapping: 'T -> 'U)
        : ArenaWorkflow<'U, 'E> =
        fun ctx ->
            match workflow ctx with
            | Ok value -> Ok(mapping value)
            | Error error -> Error error

    // `and!`: both sides run one after the other in the enclosing block's transaction, so an Error or an
    // exception of either side rolls the whole block back. They get ctx.Inner (as Arena.map2 does): a
    // scoped side opens its own savepoint. Bind2 and Bind2Return spare the pair MergeSources builds.
    member inline _.MergeSources
        ([<InlineIfLambda>] first: ArenaWorkflow<'T, 'E>, [<InlineIfLambda>] second: ArenaWorkflow<'U, 'E>)
        : ArenaWorkflow<'T * 'U, 'E> =
        fun ctx ->
            let inner = ctx.Inner

            match first inner with
            | Ok a ->
                match second inner with
                | Ok b -> Ok(a, b)
                | Error error -> Error error
            | Error error -> Error error

    member inline _.Bind2
        (
            [<InlineIfLambda>] first: ArenaWorkflow<'T, 'E>,
            [<InlineIfLambda>] second: ArenaWorkflow<'U, 'E>,
            [<InlineIfLambda>] binder: 'T * 'U -> ArenaWorkflow<'V, 'E>
        ) : ArenaWorkflow<'V, 'E> =
        fun ctx ->
            let mutable ctx = ctx
            let inner = ctx.Inner

            match first inner with
            | Ok a ->
                match second inner with
                | Ok b -> (binder (a, b)) ctx
                | Error error -> Error error
            | Error error -> Error error

    member inline _.Bind2Return
        (
            [<InlineIfLambda>] first: ArenaWorkflow<'T, 'E>,
            [<InlineIfLambda>] second: ArenaWorkflow<'U, 'E>,
            [<InlineIfLambda>] mapping: 'T * 'U -> 'V
        ) : ArenaWorkflow<'V, 'E> =
        fun ctx ->
            let inner = ctx.Inner

            match first inner with
            | Ok a ->
                match second inner with
                | Ok b -> Ok(mapping (a, b))
                | Error error -> Error error
            | Error error -> Error error

    member inline _.Delay([<InlineIfLambda>] generator: unit -> ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> =
        fun ctx -> (generator ()) ctx

    // One object: its Invoke is the flattened body (one virtual call per run), and opens a savepoint
    // through the non-inline RunInSavepoint when the context is not fresh. That call's result is matched
    // and rebuilt so that it is not a tail call: a method with an explicit `tail.` call is compiled
    // once, fully optimized but without tiering, so the JIT never sees the core's static readonly flags
    // as constants (measured: a 16-step block kept a disposal-tracking test and call per allocation).
    member inline _.Run([<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> =
        let block =
            { new ScopedArenaWorkflow<'T, 'E>() with
                member this.Invoke ctx =
                    let mutable ctx = ctx

                    if ctx.IsFreshScope then
                        workflow ctx.Inner
                    else
                        match this.RunInSavepoint ctx with
                        | Ok value -> Ok value
                        | Error error -> Error error
            }

        block.Workflow

    member inline _.Combine
        ([<InlineIfLambda>] first: ArenaWorkflow<unit, 'E>, [<InlineIfLambda>] second: ArenaWorkflow<'T, 'E>)
        : ArenaWorkflow<'T, 'E> =
        fun ctx ->
            let mutable ctx = ctx

            match first ctx with
            | Ok() -> second ctx
            | Error error -> Error error

    member inline _.While
        ([<InlineIfLambda>] guard: unit -> bool, [<InlineIfLambda>] body: ArenaWorkflow<unit, 'E>)
        : ArenaWorkflow<unit, 'E> =
        fun ctx ->
            // A loop, not recursion: a million iterations use one stack frame.
            let mutable result = Ok()

            while (match result with
                   | Ok() -> guard ()
                   | Error _ -> false) do
                result <- body ctx

            result

    member inline _.For
        (sequence: seq<'T>, [<InlineIfLambda>] body: 'T -> ArenaWorkflow<unit, 'E>)
        : ArenaWorkflow<unit, 'E> =
        fun ctx ->
            use enumerator = sequence.GetEnumerator()
            let mutable result = Ok()

            while (match result with
                   | Ok() -> enumerator.MoveNext()
                   | Error _ -> false) do
                result <- (body enumerator.Current) ctx

            result

    member inline _.TryWith
        ([<InlineIfLambda>] body: ArenaWorkflow<'T, 'E>, [<InlineIfLambda>] handler: exn -> ArenaWorkflow<'T, 'E>)
        : ArenaWorkflow<'T, 'E> =
        fun ctx ->
            try
                body ctx
            with error ->
                (handler error) ctx

    member inline _.TryFinally
        ([<InlineIfLambda>] body: ArenaWorkflow<'T, 'E>, [<InlineIfLambda>] compensation: unit -> unit)
        : ArenaWorkflow<'T, 'E> =
        fun ctx ->
            try
                body ctx
            finally
                compensation ()

    member inline _.Using
        (resource: 'R, [<InlineIfLambda>] binder: 'R -> ArenaWorkflow<'T, 'E>)
        : ArenaWorkflow<'T, 'E> when 'R :> IDisposable | null =
        fun ctx ->
            try
                (binder resource) ctx
            finally
                match box resource with
                | :? IDisposable as disposable -> disposable.Dispose()
                | _ -> ()

    member inline _.Source([<InlineIfLambda>] workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> = workflow

[<AutoOpen>]
module ArenaBuilderExtensions =
    type ArenaBuilder with
        member inline _.Source(result: Result<'T, 'E>) : ArenaWorkflow<'T, 'E> = fun _ -> result

        member inline _.Source(sequence: #seq<'T>) : #seq<'T> = sequence

[<AutoOpen>]
module ArenaBuilderValue =
    let arena = ArenaBuilder()
