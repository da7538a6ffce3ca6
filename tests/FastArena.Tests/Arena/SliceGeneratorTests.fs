/// AllocSlice with a struct generator (ISliceGenerator): the same contract as the Func overload.
module FastArena.Tests.SliceGeneratorTests

open System
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// Element i is i * i.
[<Struct>]
type Squares =
    interface ISliceGenerator<int64> with
        member _.Generate(index) = int64 index * int64 index

/// Throws at element `At`.
[<Struct>]
type ThrowsAt =
    val At: int
    new(at) = { At = at }

    interface ISliceGenerator<int> with
        member this.Generate(index) =
            if index = this.At then
                raise (InvalidOperationException "generator failed")

            index

[<Tests>]
let tests =
    testList
        "AllocSlice with a struct generator"
        [
            testCase "element i is Generate(i), aligned, with the same bytes as the Func overload"
            <| fun () ->
                use a = unchecked 4096L
                use b = unchecked 4096L
                a.Alloc 1uy |> ignore
                b.Alloc 1uy |> ignore
                let s = a.AllocSlice<int64, Squares>(5, Squares())
                let f = b.AllocSlice(5, Func<int, int64>(fun i -> int64 i * int64 i))
                Expect.equal (s.ToArray()) [| 0L; 1L; 4L; 9L; 16L |] "values"
                Expect.equal (s.ToArray()) (f.ToArray()) "same as the Func overload"
                Expect.isTrue (isAligned 8L (spanAddr s)) "aligned"
                Expect.equal a.Stats b.Stats "same bytes"
                Expect.equal (a.AllocSlice<int64, Squares>(0, Squares())).Length 0 "empty"
                Expect.equal a.Stats b.Stats "an empty slice consumes nothing"

            testCase "a generator that throws gives the slice back and the exception propagates"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<InvalidOperationException> arena w "throws at element 3" (fun () ->
                    (arena.AllocSlice<int, ThrowsAt>(10, ThrowsAt(3))).Length |> ignore)

            testCase "bad lengths and budgets throw and change nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<ArgumentOutOfRangeException> arena w "negative length" (fun () ->
                    (arena.AllocSlice<int64, Squares>(-1, Squares())).Length |> ignore)

                let tx = arena.BeginTransaction()
                tx.SetLimit 16L

                throwsUnchanged<ArenaBudgetExceededException> arena w "past the budget" (fun () ->
                    (arena.AllocSlice<int64, Squares>(3, Squares())).Length |> ignore)

                tx.Rollback()

            testCase "after Dispose it throws ObjectDisposedException"
            <| fun () ->
                let arena = unchecked 4096L
                arena.Dispose()

                Expect.throwsT<ObjectDisposedException>
                    (fun () -> (arena.AllocSlice<int64, Squares>(2, Squares())).Length |> ignore)
                    "disposed"
        ]
