/// ArenaRef<T>: a storable handle to one value. Every member, and storing it where a ref cannot go.
module FastArena.Tests.ArenaRefTests

open System
open System.Collections.Generic
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// A node of a linked list kept in the arena: a handle inside an arena-allocated struct.
[<Struct>]
type Node = { Value: int; Next: ArenaRef<Node> }

type private Holder = { Ref: ArenaRef<int64> }

[<Tests>]
let tests =
    testList
        "ArenaRef"
        [
            testCase "Value is a reference to the arena value"
            <| fun () ->
                use arena = unchecked 4096L
                let h = arena.AllocHandle 10L
                let copy = h
                h.Value <- 11L
                Expect.equal copy.Value 11L "a copy sees the write"
                let r = &copy.Value
                r <- 12L
                Expect.equal h.Value 12L "through a byref"
                Expect.equal (refAddr &h.Value) (paddr (h.DangerousGetPointer())) "DangerousGetPointer is the address"

            testCase "IsNull, IsChecked and IsLive"
            <| fun () ->
                use plain = unchecked 4096L
                use checkedA = checkedArena 4096L
                let d = ArenaRef<int>()
                let a = plain.AllocHandle 1
                let b = checkedA.AllocHandle 1
                Expect.equal (d.IsNull, d.IsChecked, d.IsLive) (true, false, false) "default"
                Expect.equal (a.IsNull, a.IsChecked, a.IsLive) (false, false, true) "unchecked: live as far as it knows"
                Expect.equal (b.IsNull, b.IsChecked, b.IsLive) (false, true, true) "checked"
                Expect.equal (paddr (d.DangerousGetPointer())) 0n "null pointer"

            testCase "the default handle's Value throws InvalidOperationException"
            <| fun () ->
                let d = ArenaRef<int64>()
                Expect.throwsT<InvalidOperationException> (fun () -> d.Value |> ignore) "default"
                Expect.equal (d.ToString()) "ArenaRef<Int64>(null)" "ToString"

            testCase "equality compares addresses"
            <| fun () ->
                use arena = unchecked 4096L
                let a = arena.AllocHandle 1
                let b = arena.AllocHandle 1
                let a2 = a
                Expect.isTrue (a = a2) "same"
                Expect.isTrue (ArenaRef<int>.op_Equality(a, a2)) "=="
                Expect.isTrue (ArenaRef<int>.op_Inequality(a, b)) "!= for equal values at other addresses"
                Expect.isTrue (a.Equals(box a2)) "Equals(object)"
                Expect.isFalse (a.Equals(box 1)) "other type"
                Expect.equal (a.GetHashCode()) (a2.GetHashCode()) "hash"
                let ok, t = arena.TryAlloc 5
                Expect.isTrue (ok && t <> a && t.Value = 5) "TryAlloc gives a handle too"

            testCase "ToString shows the value"
            <| fun () ->
                use arena = unchecked 4096L
                Expect.equal ((arena.AllocHandle 42L).ToString()) "ArenaRef<Int64>(42)" "value"

            testCase "handles can be stored in arrays, records, dictionaries and closures"
            <| fun () ->
                use arena = unchecked 4096L
                let handles = Array.init 5 (fun i -> arena.AllocHandle(int64 (i * 10)))
                let holder = { Ref = handles[3] }
                let byName = Dictionary<string, ArenaRef<int64>>()
                byName["two"] <- handles[2]
                let read = fun () -> handles[4].Value + 1L
                arena.AllocRaw(800n, 8n) |> ignore
                Expect.equal (handles |> Array.map (fun h -> h.Value)) [| 0L; 10L; 20L; 30L; 40L |] "array"
                Expect.equal holder.Ref.Value 30L "record"
                Expect.equal byName["two"].Value 20L "dictionary"
                Expect.equal (read ()) 41L "closure"

            testCase "ArenaRef and ArenaSlice hold no managed reference, in checked mode too"
            <| fun () ->
                Expect.isFalse
                    (Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<ArenaRef<int>>())
                    "ArenaRef"

                Expect.isFalse
                    (Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<ArenaSlice<int>>())
                    "ArenaSlice"

            testCase "a checked handle stored in arena memory survives a compacting GC and still detects a rewind"
            <| fun () ->
                use arena = checkedArena 4096L
                let cp = arena.GetCheckpoint()
                let mutable head = ArenaRef<Node>()

                for i in 1..5 do
                    head <- arena.AllocHandle { Value = i; Next = head }

                let outer = arena.AllocHandle head
                GC.Collect(2, GCCollectionMode.Forced, true, true)
                GC.WaitForPendingFinalizers()
                let values = ResizeArray()
                let mutable n = outer.Value

                while not n.IsNull do
                    values.Add n.Value.Value
                    n <- n.Value.Next

                Expect.equal (List.ofSeq values) [ 5; 4; 3; 2; 1 ] "walked through handles kept in arena memory"
                let storedHead = outer.Value
                arena.Rewind cp
                Expect.throwsT<InvalidOperationException> (fun () -> storedHead.Value |> ignore) "stale after rewind"
                Expect.isFalse storedHead.IsLive "not live"

            testCase "a handle can live inside an arena-allocated struct (unchecked mode)"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable head = ArenaRef<Node>()

                for i in 1..5 do
                    head <- arena.AllocHandle { Value = i; Next = head }

                let values = ResizeArray()
                let mutable n = head

                while not n.IsNull do
                    values.Add n.Value.Value
                    n <- n.Value.Next

                Expect.equal (List.ofSeq values) [ 5; 4; 3; 2; 1 ] "walked through arena memory"
        ]
