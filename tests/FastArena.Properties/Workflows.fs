/// The F# layer under test: builds `arena { }` workflows from the steps of a Workflow operation.
module FastArena.Properties.Workflows

open System
open System.Runtime.InteropServices
open FastArena
open FastArena.FSharp
open FastArena.Properties.Model
open FastArena.Properties.Ops

/// What a body, generator or workflow throws on purpose.
type BodyFailure() =
    inherit Exception("thrown on purpose by the test")

let private value (id: int) =
    MemoryMarshal.Read<int64>(ReadOnlySpan(Content.elems I64 id 1))

/// The workflow for `steps`: one flat `arena { }` whose nested parts are scopes of their own.
let rec build
    (onAlloc: int -> ArenaRef<int64> -> unit)
    (steps: WStep list)
    (ending: WEnd)
    : ArenaWorkflow<unit, string> =
    arena {
        for s in steps do
            do! step onAlloc s

        return! finish ending
    }

and private step (onAlloc: int -> ArenaRef<int64> -> unit) (s: WStep) : ArenaWorkflow<unit, string> =
    match s with
    | WAlloc id -> alloc (value id) |> Arena.map (onAlloc id)
    | WNested(_, b, e) -> build onAlloc b e
    | WAttempt(_, b, e) -> Arena.attempt (build onAlloc b e) |> Arena.ignore
    | WBudget(_, limit, true, b, e) -> Arena.withBudgetOr limit (fun _ -> "budget") (build onAlloc b e)
    | WBudget(_, limit, false, b, e) -> Arena.withBudget limit (build onAlloc b e)

and private finish (ending: WEnd) : ArenaWorkflow<unit, string> =
    match ending with
    | WOk -> Arena.ok ()
    | WError -> Arena.error "error"
    | WThrow -> fun _ -> raise (BodyFailure())

/// Runs the workflow with Arena.run: Ok commits, Error rolls back, an exception rolls back and propagates.
let run (mem: FastArena.Arena) (onAlloc: int -> ArenaRef<int64> -> unit) (steps: WStep list) (ending: WEnd) =
    Arena.run mem (build onAlloc steps ending)
