namespace FastArena.FSharp

open System

[<Sealed>]
type ArenaBuilder() =
    member inline _.Return(value: 'T) : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow((fun _ -> Ok value), false)

    member inline _.ReturnFrom(workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> = workflow

    member inline _.Zero() : ArenaWorkflow<unit, 'E> = ArenaWorkflow((fun _ -> Ok()), false)

    member inline _.Bind
        (workflow: ArenaWorkflow<'T, 'E>, [<InlineIfLambda>] binder: 'T -> ArenaWorkflow<'U, 'E>)
        : ArenaWorkflow<'U, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                match workflow.Invoke ctx with
                | Ok value -> (binder value).Invoke ctx
                | Error error -> Error error),
            false
        )

    member inline _.Delay([<InlineIfLambda>] generator: unit -> ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow((fun ctx -> (generator ()).Invoke ctx), false)

    member inline _.Run(workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> = ArenaWorkflow(workflow.Body, true)

    member inline _.Combine(first: ArenaWorkflow<unit, 'E>, second: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                match first.Invoke ctx with
                | Ok() -> second.Invoke ctx
                | Error error -> Error error),
            false
        )

    member inline _.While
        ([<InlineIfLambda>] guard: unit -> bool, body: ArenaWorkflow<unit, 'E>)
        : ArenaWorkflow<unit, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                // A loop, not recursion: a million iterations use one stack frame.
                let mutable result = Ok()

                while (match result with
                       | Ok() -> guard ()
                       | Error _ -> false) do
                    result <- body.Invoke ctx

                result),
            false
        )

    member inline _.For
        (sequence: seq<'T>, [<InlineIfLambda>] body: 'T -> ArenaWorkflow<unit, 'E>)
        : ArenaWorkflow<unit, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                use enumerator = sequence.GetEnumerator()
                let mutable result = Ok()

                while (match result with
                       | Ok() -> enumerator.MoveNext()
                       | Error _ -> false) do
                    result <- (body enumerator.Current).Invoke ctx

                result),
            false
        )

    member inline _.TryWith
        (body: ArenaWorkflow<'T, 'E>, [<InlineIfLambda>] handler: exn -> ArenaWorkflow<'T, 'E>)
        : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                try
                    body.Invoke ctx
                with error ->
                    (handler error).Invoke ctx),
            false
        )

    member inline _.TryFinally
        (body: ArenaWorkflow<'T, 'E>, [<InlineIfLambda>] compensation: unit -> unit)
        : ArenaWorkflow<'T, 'E> =
        ArenaWorkflow(
            (fun ctx ->
                try
                    body.Invoke ctx
                finally
                    compensation ()),
            false
        )

    member inline _.Using
        (resource: 'R, [<InlineIfLambda>] binder: 'R -> ArenaWorkflow<'T, 'E>)
        : ArenaWorkflow<'T, 'E> when 'R :> IDisposable | null =
        ArenaWorkflow(
            (fun ctx ->
                try
                    (binder resource).Invoke ctx
                finally
                    match box resource with
                    | :? IDisposable as disposable -> disposable.Dispose()
                    | _ -> ()),
            false
        )

    member inline _.Source(workflow: ArenaWorkflow<'T, 'E>) : ArenaWorkflow<'T, 'E> = workflow

[<AutoOpen>]
module ArenaBuilderExtensions =
    type ArenaBuilder with
        member inline _.Source(result: Result<'T, 'E>) : ArenaWorkflow<'T, 'E> = ArenaWorkflow((fun _ -> result), false)

        member inline _.Source(sequence: #seq<'T>) : #seq<'T> = sequence

[<AutoOpen>]
module ArenaBuilderValue =
    let arena = ArenaBuilder()
