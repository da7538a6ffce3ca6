// FastArena from F#: `arena { }` workflows run as transactions. Ok keeps the allocations, Error gives
// them back, and Arena.attempt lets a workflow recover from a failing part without losing its own work.
// The README quotes the regions below (tools/Snippets.fsx keeps the quotes equal to this file). Pasted
// one after the other into a new console project's Program.fs, or into an .fsx script after
// `#r "nuget: FastArena.FSharp"`, they make this program, and each `// prints:` line is what the line
// above it writes (build.sh's consumer check runs them from the packed packages).

// #region card
open FastArena
open FastArena.FSharp

// An Arena is IDisposable: inside a function, `use mem = Arena.create ()` frees it at the end.
let mem = Arena.create ()

let sum: ArenaWorkflow<int, string> =
    arena {
        let! x = alloc 1
        let! y = alloc 2
        return x.Value + y.Value
    }

printfn "sum:       %A, %d bytes in use" (Arena.run mem sum) mem.Stats.BytesAllocated
// prints: sum:       Ok 3, 8 bytes in use
// #endregion

// #region parse
/// Parses numbers into the arena; the first bad one ends the workflow with an Error.
let parseAll (texts: string list) : ArenaWorkflow<ArenaSlice<int>, string> =
    arena {
        let! numbers = allocZeroed texts.Length

        for i, text in List.indexed texts do
            let! n =
                match System.Int32.TryParse text with
                | true, n -> Ok n
                | false, _ -> Error $"not a number: {text}"

            numbers[i] <- n

        return numbers
    }
// #endregion

// #region rollback
let before = mem.Stats.BytesAllocated
let bad = Arena.run mem (parseAll [ "10"; "20"; "x" ])
printfn "bad batch: %A, bytes in use unchanged: %b" bad (mem.Stats.BytesAllocated = before)
// prints: bad batch: Error "not a number: x", bytes in use unchanged: true

match Arena.run mem (parseAll [ "10"; "20"; "30" ]) with
| Ok numbers -> printfn "batch:     Ok %A" (numbers.ToArray())
| Error e -> printfn "batch:     Error %s" e
// prints: batch:     Ok [|10; 20; 30|]
// #endregion

// #region attempt
let withFallback: ArenaWorkflow<string, string> =
    arena {
        let! header = allocString "totals"

        match! Arena.attempt (parseAll [ "1"; "two" ]) with
        | Ok numbers -> return $"{header}: {Array.sum (numbers.ToArray())}"
        | Error e -> return $"{header}: fell back after '{e}'"
    }

printfn "recovery:  %A" (Arena.run mem withFallback)
// prints: recovery:  Ok "totals: fell back after 'not a number: two'"
// #endregion

// #region budget
let tooBig =
    Arena.withBudgetOr
        64L
        (fun ex -> $"over budget by {ex.RequestedBytes - ex.RemainingBytes} bytes")
        (parseAll [ for i in 1..20 -> string i ])

printfn "budget:    %A" (Arena.run mem tooBig)
// prints: budget:    Error "over budget by 16 bytes"
// #endregion

printfn "in use:    %d bytes" mem.Stats.BytesAllocated
mem.Dispose()
