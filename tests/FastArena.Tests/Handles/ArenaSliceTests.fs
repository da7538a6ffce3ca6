/// ArenaSlice<T>: a storable handle to a run of values. Every member.
module FastArena.Tests.ArenaSliceTests

open System
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

[<Tests>]
let tests =
    testList
        "ArenaSlice"
        [
            testCase "Length, IsEmpty, Span, ToArray and DangerousGetPointer"
            <| fun () ->
                use arena = unchecked 4096L
                let s = arena.AllocSliceHandle(ReadOnlySpan [| 1; 2; 3 |])
                Expect.equal (s.Length, s.IsEmpty) (3, false) "length"
                let span = s.Span
                span[1] <- 20
                Expect.equal (s.ToArray()) [| 1; 20; 3 |] "the span is the arena memory"
                Expect.equal (spanAddr s.Span) (paddr (s.DangerousGetPointer())) "pointer"
                Expect.isTrue s.IsLive "live"

            testCase "the indexer returns a reference; out-of-range indexes throw"
            <| fun () ->
                use arena = unchecked 4096L
                let s = arena.AllocSliceHandle<int64> 3
                s[2] <- 7L
                let r = &s[0]
                r <- 5L
                Expect.equal (s.ToArray()) [| 5L; 0L; 7L |] "written"

                let w = witness arena

                for i in [ -1; 3; Int32.MinValue ] do
                    throwsUnchanged<ArgumentOutOfRangeException> arena w $"index {i}" (fun () -> s[i] |> ignore)

                Expect.equal (s.ToArray()) [| 5L; 0L; 7L |] "unchanged"

            testCase "the enumerator visits the elements"
            <| fun () ->
                use arena = unchecked 4096L
                let s = arena.AllocSliceHandle(ReadOnlySpan [| 4s; 5s; 6s |])
                let seen = ResizeArray()
                let mutable e = s.GetEnumerator()

                while e.MoveNext() do
                    seen.Add e.Current

                Expect.equal (List.ofSeq seen) [ 4s; 5s; 6s ] "elements"

            testCase "empty and default slices"
            <| fun () ->
                use arena = checkedArena 4096L
                let e = arena.AllocSliceHandle<int> 0
                let d = ArenaSlice<int>()
                Expect.equal (e.Length, e.IsEmpty, e.Span.Length, e.ToArray()) (0, true, 0, [||]) "empty"
                Expect.equal (d.Length, d.IsEmpty, d.IsLive, d.ToArray()) (0, true, true, [||]) "default"
                Expect.throwsT<ArgumentOutOfRangeException> (fun () -> d[0] |> ignore) "no element 0"
                arena.Reset()
                Expect.isTrue e.IsLive "an empty slice is always valid"

            testCase "equality compares address and length"
            <| fun () ->
                use arena = unchecked 4096L
                let a = arena.AllocSliceHandle(ReadOnlySpan [| 1; 2 |])
                let b = arena.AllocSliceHandle(ReadOnlySpan [| 1; 2 |])
                let a2 = a
                Expect.isTrue (ArenaSlice<int>.op_Equality(a, a2)) "=="
                Expect.isTrue (ArenaSlice<int>.op_Inequality(a, b)) "same contents elsewhere"
                Expect.isTrue (a.Equals(box a2)) "Equals(object)"
                Expect.isFalse (a.Equals(box "a")) "other type"
                Expect.equal (a.GetHashCode()) (a2.GetHashCode()) "hash"

            testCase "ToString gives the text of a char slice and the shape of others"
            <| fun () ->
                use arena = unchecked 4096L
                Expect.equal ((arena.AllocStringHandle("hello".AsSpan())).ToString()) "hello" "text"
                Expect.equal ((arena.AllocSliceHandle<int> 3).ToString()) "ArenaSlice<Int32>[3]" "shape"

            testCase "slices can be stored in arrays and closures"
            <| fun () ->
                use arena = unchecked 4096L

                let words =
                    [| "let"; "x"; "="; "1" |]
                    |> Array.map (fun w -> arena.AllocStringHandle(w.AsSpan()))

                let joined = fun () -> words |> Array.map string |> String.concat " "
                arena.AllocRaw(1000n, 1n) |> ignore
                Expect.equal (joined ()) "let x = 1" "read back later"
        ]
