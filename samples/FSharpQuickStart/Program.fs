// FastArena from F#: `arena { }` workflows run as transactions. Ok keeps the allocations, Error gives
// them back, and Arena.attempt lets a workflow recover from a failing part without losing its own work.
open FastArena
open FastArena.FSharp

[<EntryPoint>]
let main _ =
    use mem = Arena.create ()

    // 1. The card's example: allocate, compute, commit.
    let sum =
        arena {
            let! x = alloc 1
            let! y = alloc 2
            return x.Value + y.Value
        }

    printfn "sum:       %A, %d bytes in use" (Arena.run mem sum) mem.Stats.BytesAllocated

    // 2. An Error rolls back: parse numbers into the arena; a bad one undoes the whole batch.
    let parseAll (texts: string list) =
        arena {
            let! numbers = allocZeroed<int, string> texts.Length

            for i, text in List.indexed texts do
                let! n =
                    match System.Int32.TryParse text with
                    | true, n -> Ok n
                    | false, _ -> Error $"not a number: {text}"

                numbers[i] <- n

            return numbers
        }

    let before = mem.Stats.BytesAllocated
    let bad = Arena.run mem (parseAll [ "10"; "20"; "x" ])
    printfn "bad batch: %A, bytes in use unchanged: %b" bad (mem.Stats.BytesAllocated = before)

    match Arena.run mem (parseAll [ "10"; "20"; "30" ]) with
    | Ok numbers -> printfn "batch:     Ok %A" (numbers.ToArray())
    | Error e -> printfn "batch:     Error %s" e

    // 3. Recovery: the inner batch fails and is rolled back; the outer work stays.
    let withFallback =
        arena {
            let! header = allocString "totals"

            match! Arena.attempt (parseAll [ "1"; "two" ]) with
            | Ok numbers -> return $"{header}: {Array.sum (numbers.ToArray())}"
            | Error e -> return $"{header}: fell back after '{e}'"
        }

    printfn "recovery:  %A" (Arena.run mem withFallback)

    // 4. A budget: a workflow may use at most 64 bytes; past that it ends with an Error and gives back.
    let tooBig =
        Arena.withBudgetOr
            64L
            (fun ex -> $"over budget by {ex.RequestedBytes - ex.RemainingBytes} bytes")
            (parseAll [ for i in 1..20 -> string i ])

    printfn "budget:    %A" (Arena.run mem tooBig)
    printfn "in use:    %d bytes" mem.Stats.BytesAllocated
    0
