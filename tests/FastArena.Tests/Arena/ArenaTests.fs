/// Allocation: every allocation member of Arena (and its Try variant), its alignment and its exact
/// BytesAllocated, and every bad size, alignment and use after Dispose.
module FastArena.Tests.ArenaTests

open System
open System.Collections.Generic
open System.Runtime.InteropServices
open System.Text
open Microsoft.FSharp.NativeInterop
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

let private alignments = [ for i in 0..12 -> 1L <<< i ]

let private construction =
    testList
        "construction"
        [
            testCase "new Arena() reserves nothing; its first allocation reserves one 64 KiB block"
            <| fun () ->
                use arena = new Arena()
                Expect.equal arena.Stats (ArenaStats(0L, 0L, 0)) "no block until the first allocation"
                Expect.equal arena.BlockCount 0 "BlockCount"
                Expect.equal ArenaOptions.DefaultInitialBlockSize (64 * 1024) "64 KiB"
                Expect.equal arena.BytesAllocated 0L "BytesAllocated"
                arena.AllocRaw(1n, 1n) |> ignore

                Expect.equal
                    arena.Stats
                    (ArenaStats(1L, int64 ArenaOptions.DefaultInitialBlockSize, 1))
                    "the first block"

                Expect.equal arena.BlockCount 1 "BlockCount"
                Expect.isFalse arena.TracksDisposal "tracking is opt-in"
                Expect.isFalse arena.IsDisposed "not disposed"
                Expect.equal arena.IsChecked ArenaOptions.Default.CheckedMode "checked mode follows the default options"
                Expect.equal arena.TransactionDepth 0 "no transaction"

            testCase "new Arena(initialCapacity) reserves exactly that first block, on the first allocation"
            <| fun () ->
                use arena = new Arena(1000L)
                Expect.equal arena.Stats (ArenaStats(0L, 0L, 0)) "nothing reserved yet"
                let p = arena.AllocRaw(1000n, 1n)
                Expect.equal arena.Stats (ArenaStats(1000L, 1000L, 1)) "the whole block fits without a new one"
                Expect.isTrue (isAligned 4096L (vaddr p)) "blocks are page-aligned"

            testCase "new Arena(options) takes every option"
            <| fun () ->
                use arena =
                    new Arena(
                        ArenaOptions(
                            InitialBlockSize = 8192L,
                            MaxBlockSize = 8192L,
                            MaxRetainedBytes = 0L,
                            CheckedMode = true,
                            TrackDisposal = true
                        )
                    )

                Expect.equal arena.Stats.BytesReserved 0L "no block yet"
                arena.Alloc(1uy) |> ignore
                Expect.equal arena.Stats.BytesReserved 8192L "first block"
                Expect.isTrue arena.IsChecked "checked"
                Expect.isTrue arena.TracksDisposal "tracking"

            testCase "a first block below one byte is rejected"
            <| fun () ->
                Expect.throwsT<ArgumentOutOfRangeException> (fun () -> new Arena(0L) |> ignore) "zero"
                Expect.throwsT<ArgumentOutOfRangeException> (fun () -> new Arena(-4096L) |> ignore) "negative"

            testCase "null options are rejected"
            <| fun () ->
                Expect.throwsT<ArgumentNullException>
                    (fun () -> new Arena(Unchecked.defaultof<ArenaOptions>) |> ignore)
                    "null"
        ]

let private singleValues =
    testList
        "single values"
        [
            testCase "Alloc honours each type's natural alignment and counts size plus padding"
            <| fun () ->
                use arena = unchecked 65536L
                let r0 = &arena.Alloc 7uy
                let base0 = refAddr &r0
                Expect.equal arena.BytesAllocated 1L "one byte"
                let mutable expected = 1L

                let check (alignment: int64) (size: int64) (address: nativeint) name =
                    let start = alignUp alignment expected
                    Expect.equal address (base0 + nativeint start) (name + ": address is the padded cursor")
                    Expect.isTrue (isAligned alignment address) (name + ": aligned")
                    expected <- after expected alignment size
                    Expect.equal arena.BytesAllocated expected (name + ": size plus padding")

                let r1 = &arena.Alloc 0x1122334455667788L
                check 8L 8L (refAddr &r1) "int64"
                let r2 = &arena.Alloc 5s
                check 2L 2L (refAddr &r2) "int16"
                let r3 = &arena.Alloc 9uy
                check 1L 1L (refAddr &r3) "byte"
                let r4 = &arena.Alloc 123456
                check 4L 4L (refAddr &r4) "int32"
                let g = Guid.NewGuid()
                let r5 = &arena.Alloc g
                check 4L 16L (refAddr &r5) "Guid"
                let r6 = &arena.Alloc 2.5
                check 8L 8L (refAddr &r6) "double"

                Expect.equal
                    (r0, r1, r2, r3, r4, r5, r6)
                    (7uy, 0x1122334455667788L, 5s, 9uy, 123456, g, 2.5)
                    "values kept"

            testCase "Alloc returns a writable reference to the arena copy"
            <| fun () ->
                use arena = unchecked 4096L
                let r = &arena.Alloc 1L
                r <- 99L
                let p = NativePtr.ofNativeInt<int64>(refAddr &r)
                Expect.equal (NativePtr.read p) 99L "the write landed in the arena"

            testCase "AllocHandle stores the value behind a handle at the next address"
            <| fun () ->
                use arena = unchecked 4096L
                let first = arena.AllocHandle 1uy
                let h = arena.AllocHandle 42L
                Expect.equal h.Value 42L "value"
                Expect.equal (paddr (h.DangerousGetPointer())) (paddr (first.DangerousGetPointer()) + 8n) "padded to 8"
                Expect.equal arena.BytesAllocated 16L "1 + 7 padding + 8"

            testCase "AllocUninitialized reserves an aligned slot"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let r = &arena.AllocUninitialized<int32>()
                Expect.isTrue (isAligned 4L (refAddr &r)) "aligned"
                r <- 77
                Expect.equal r 77 "writable"
                Expect.equal arena.BytesAllocated 8L "1 + 3 padding + 4"

            testCase "TryAlloc and TryAllocUninitialized succeed with a handle"
            <| fun () ->
                use arena = unchecked 4096L
                let ok, h = arena.TryAlloc 3.25
                Expect.isTrue ok "TryAlloc"
                Expect.equal h.Value 3.25 "value"
                let ok2, u = arena.TryAllocUninitialized<int16>()
                Expect.isTrue ok2 "TryAllocUninitialized"
                Expect.equal (paddr (u.DangerousGetPointer())) (paddr (h.DangerousGetPointer()) + 8n) "next slot"
                Expect.equal arena.BytesAllocated 10L "8 + 2"
        ]

let private slices =
    testList
        "slices"
        [
            testCase "AllocSlice(span) copies with alignment and does not alias the source"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let source = [| 1L; 2L; 3L |]
                let s = arena.AllocSlice(ReadOnlySpan source)
                source[0] <- 100L
                Expect.equal (s.ToArray()) [| 1L; 2L; 3L |] "copied"
                Expect.isTrue (isAligned 8L (spanAddr s)) "aligned"
                Expect.equal arena.BytesAllocated (after 1L 8L 24L) "1 + 7 + 24"

            testCase "AllocSlice(length) is zeroed even over reused memory"
            <| fun () ->
                use arena = unchecked 4096L
                let cp = arena.GetCheckpoint()
                let garbage = arena.AllocSlice(ReadOnlySpan(Array.create 64 0xFFuy))
                let firstAddress = spanAddr garbage
                arena.Rewind cp
                let s = arena.AllocSlice<int64> 8
                Expect.equal (spanAddr s) firstAddress "same memory"
                Expect.equal (s.ToArray()) (Array.zeroCreate 8) "zeroed"
                Expect.equal arena.BytesAllocated 64L "8 longs"

            testCase "AllocSliceUninitialized reserves length elements"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let s = arena.AllocSliceUninitialized<int32> 5
                Expect.equal s.Length 5 "length"
                Expect.isTrue (isAligned 4L (spanAddr s)) "aligned"
                Expect.equal arena.BytesAllocated 24L "1 + 3 + 20"

            testCase "AllocSlice(length, generator) calls the generator in index order"
            <| fun () ->
                use arena = unchecked 4096L
                let calls = ResizeArray()

                let s =
                    arena.AllocSlice(
                        4,
                        fun i ->
                            calls.Add i
                            int64 (i * i)
                    )

                Expect.equal (s.ToArray()) [| 0L; 1L; 4L; 9L |] "values"
                Expect.equal (List.ofSeq calls) [ 0; 1; 2; 3 ] "order"
                Expect.equal arena.BytesAllocated 32L "4 longs"

            testCase "a throwing generator propagates and gives the bytes back"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<TimeZoneNotFoundException> arena w "generator throws" (fun () ->
                    let s =
                        arena.AllocSlice<int64>(
                            10,
                            fun i ->
                                if i = 6 then
                                    raise (TimeZoneNotFoundException())
                                else
                                    int64 i
                        )

                    ())

                throwsUnchanged<TimeZoneNotFoundException> arena w "Try generator throws" (fun () ->
                    let mutable r = Span<int64>.Empty

                    arena.TryAllocSlice<int64>(3, (fun _ -> raise (TimeZoneNotFoundException())), &r)
                    |> ignore)

            testCase "AllocSlice(enumerable) with a known count writes in one pass"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let s = arena.AllocSlice(List<int64>([ 5L; 6L; 7L ]))
                Expect.equal (s.ToArray()) [| 5L; 6L; 7L |] "values"
                Expect.equal arena.BytesAllocated (after 1L 8L 24L) "exactly the elements and padding"

            testCase "AllocSlice(enumerable) of unknown count keeps exactly the elements"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let s = arena.AllocSlice(seq { for i in 1..11 -> int64 i })
                Expect.equal (s.ToArray()) [| 1L .. 11L |] "values"
                Expect.equal arena.BytesAllocated (after 1L 8L 88L) "unused list capacity given back"

            testCase "a collection that yields fewer or more than its Count is an error, not a short slice"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<InvalidOperationException> arena w "fewer" (fun () ->
                    let s = arena.AllocSlice(LyingCollection([| 1L; 2L |], 3))
                    ())

                throwsUnchanged<InvalidOperationException> arena w "more" (fun () ->
                    let s = arena.AllocSlice(LyingCollection([| 1L; 2L; 3L; 4L |], 3))
                    ())

                throwsUnchanged<InvalidOperationException> arena w "Try, fewer" (fun () ->
                    let mutable r = Span<int64>.Empty
                    arena.TryAllocSlice(LyingCollection([| 1L |], 2), &r) |> ignore)

                throwsUnchanged<InvalidOperationException> arena w "Try, more" (fun () ->
                    let mutable r = Span<int64>.Empty
                    arena.TryAllocSlice(LyingCollection([| 1L; 2L; 3L |], 2), &r) |> ignore)

            testCase "a collection that reports a negative Count is an InvalidOperationException"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<InvalidOperationException> arena w "negative Count" (fun () ->
                    let s = arena.AllocSlice(LyingCollection([| 1L |], -1))
                    ())

            testCase "null generator and null enumerable are rejected"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena

                throwsUnchanged<ArgumentNullException> arena w "generator" (fun () ->
                    let s = arena.AllocSlice<int>(3, Unchecked.defaultof<Func<int, int>>)
                    ())

                throwsUnchanged<ArgumentNullException> arena w "enumerable" (fun () ->
                    let s = arena.AllocSlice<int> Unchecked.defaultof<IEnumerable<int>>
                    ())

            testCase "AllocSliceHandle from a span and from a length"
            <| fun () ->
                use arena = unchecked 4096L
                let a = arena.AllocSliceHandle(ReadOnlySpan [| 1s; 2s; 3s |])
                let b = arena.AllocSliceHandle<int64> 2
                Expect.equal (a.ToArray()) [| 1s; 2s; 3s |] "copied"
                Expect.equal (b.ToArray()) [| 0L; 0L |] "zeroed"

                Expect.equal
                    (paddr (b.DangerousGetPointer()))
                    (paddr (a.DangerousGetPointer()) + 8n)
                    "6 bytes padded to 8"

                Expect.equal arena.BytesAllocated 24L "6 + 2 + 16"

            testCase "zero-length slices consume nothing"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let a = arena.AllocSlice<int64> 0
                let b = arena.AllocSlice(ReadOnlySpan<int64>.Empty)
                let c = arena.AllocSliceUninitialized<int64> 0
                let d = arena.AllocSlice(Array.empty<int64>)
                Expect.equal (a.Length, b.Length, c.Length, d.Length) (0, 0, 0, 0) "empty"
                Expect.equal arena.BytesAllocated 1L "nothing consumed"

            testCase "Try slice variants succeed like their throwing twins"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable s = Span<int32>.Empty
                Expect.isTrue (arena.TryAllocSlice(ReadOnlySpan [| 4; 5 |], &s)) "from span"
                Expect.equal (s.ToArray()) [| 4; 5 |] "copied"
                Expect.isTrue (arena.TryAllocSlice<int32>(3, &s)) "zeroed"
                Expect.equal (s.ToArray()) [| 0; 0; 0 |] "zeros"
                Expect.isTrue (arena.TryAllocSliceUninitialized<int32>(2, &s)) "uninitialised"
                Expect.equal s.Length 2 "length"
                Expect.isTrue (arena.TryAllocSlice<int32>(3, (fun i -> i + 10), &s)) "generator"
                Expect.equal (s.ToArray()) [| 10; 11; 12 |] "generated"
                Expect.isTrue (arena.TryAllocSlice([ 8; 9 ], &s)) "enumerable"
                Expect.equal (s.ToArray()) [| 8; 9 |] "enumerated"
                let ok, h = arena.TryAllocSliceHandle(ReadOnlySpan [| 6; 7 |])
                Expect.isTrue ok "handle"
                Expect.equal (h.ToArray()) [| 6; 7 |] "handle values"
                Expect.equal arena.BytesAllocated (4L * int64 (2 + 3 + 2 + 3 + 2 + 2)) "every element, no padding"
        ]

let private strings =
    testList
        "strings"
        [
            testCase "AllocString copies UTF-16 with 2-byte alignment"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let s = arena.AllocString("héllo €".AsSpan())
                Expect.equal (String(s)) "héllo €" "text"
                Expect.isTrue (isAligned 2L (roAddr s)) "aligned"
                Expect.equal arena.BytesAllocated (2L + 14L) "1 + 1 padding + 7 chars"

            testCase "AllocStringHandle keeps the text behind a storable handle"
            <| fun () ->
                use arena = unchecked 4096L
                let h = arena.AllocStringHandle("symbol".AsSpan())
                Expect.equal (h.ToString()) "symbol" "ToString of a char slice is the text"
                Expect.equal h.Length 6 "length"

            testCase "AllocUtf8 transcodes, replacing a lone surrogate with U+FFFD"
            <| fun () ->
                use arena = unchecked 4096L
                let text = "héllo € \ud800!"
                let u = arena.AllocUtf8(text.AsSpan())
                Expect.equal (u.ToArray()) (Encoding.UTF8.GetBytes text) "UTF-8 bytes"
                Expect.equal (u.Slice(u.Length - 4, 3).ToArray()) [| 0xEFuy; 0xBFuy; 0xBDuy |] "U+FFFD"
                Expect.equal arena.BytesAllocated (int64 u.Length) "one byte per UTF-8 unit, no padding"

            testCase "TryAllocString and TryAllocUtf8 succeed"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable s = ReadOnlySpan<char>.Empty
                Expect.isTrue (arena.TryAllocString("abc".AsSpan(), &s)) "string"
                Expect.equal (String(s)) "abc" "text"
                let mutable u = ReadOnlySpan<byte>.Empty
                Expect.isTrue (arena.TryAllocUtf8("ü".AsSpan(), &u)) "utf8"
                Expect.equal (u.ToArray()) [| 0xC3uy; 0xBCuy |] "bytes"
                Expect.equal arena.BytesAllocated 8L "6 + 2"

            testCase "empty strings consume nothing"
            <| fun () ->
                use arena = unchecked 4096L
                let s = arena.AllocString(ReadOnlySpan<char>.Empty)
                let u = arena.AllocUtf8(ReadOnlySpan<char>.Empty)
                Expect.equal (s.Length, u.Length) (0, 0) "empty"
                Expect.equal arena.BytesAllocated 0L "nothing"
        ]

let private raw =
    testList
        "raw memory"
        [
            testCase "AllocRaw honours every power-of-two alignment up to 4096 with predictable padding"
            <| fun () ->
                use arena = unchecked 65536L
                let base0 = vaddr (arena.AllocRaw(1n, 1n))
                let mutable expected = 1L

                for a in alignments do
                    let p = arena.AllocRaw(3n, nativeint a)
                    Expect.equal (vaddr p) (base0 + nativeint (alignUp a expected)) $"address at alignment {a}"
                    Expect.isTrue (isAligned a (vaddr p)) $"aligned to {a}"
                    expected <- after expected a 3L
                    Expect.equal arena.BytesAllocated expected $"size plus padding at alignment {a}"

            testCase "AllocZeroed clears reused memory"
            <| fun () ->
                use arena = unchecked 4096L
                let cp = arena.GetCheckpoint()
                let garbage = arena.AllocSlice(ReadOnlySpan(Array.create 100 0xABuy))
                arena.Rewind cp
                let p = arena.AllocZeroed(100n, 16n)
                Expect.equal (readBytes (vaddr p) 100) (Array.zeroCreate 100) "zeros"
                Expect.equal arena.BytesAllocated 100L "size"
                let mutable q = NativePtr.toVoidPtr (NativePtr.nullPtr<byte>)
                Expect.isTrue (arena.TryAllocZeroed(5n, 8n, &q)) "Try"
                Expect.equal (readBytes (vaddr q) 5) (Array.zeroCreate 5) "Try zeros"
                Expect.equal arena.BytesAllocated (after 100L 8L 5L) "padding counted"

            testCase "AllocCacheAligned aligns to CacheLineSize"
            <| fun () ->
                use arena = unchecked 4096L
                arena.Alloc 1uy |> ignore
                let p = arena.AllocCacheAligned 10n
                Expect.equal Arena.CacheLineSize 64 "64-byte lines"
                Expect.isTrue (isAligned (int64 Arena.CacheLineSize) (vaddr p)) "aligned"
                Expect.equal arena.BytesAllocated 74L "1 + 63 + 10"
                let mutable q = NativePtr.toVoidPtr (NativePtr.nullPtr<byte>)
                Expect.isTrue (arena.TryAllocCacheAligned(1n, &q)) "Try"
                Expect.equal (vaddr q) (vaddr p + 64n) "next line"
                Expect.equal arena.BytesAllocated 129L "74 + 54 + 1"

            testCase "TryAllocRaw succeeds with an aligned pointer"
            <| fun () ->
                use arena = unchecked 4096L
                let mutable p = NativePtr.toVoidPtr (NativePtr.nullPtr<byte>)
                Expect.isTrue (arena.TryAllocRaw(7n, 1n, &p)) "first"
                Expect.isTrue (arena.TryAllocRaw(8n, 32n, &p)) "second"
                Expect.isTrue (isAligned 32L (vaddr p)) "aligned"
                Expect.equal arena.BytesAllocated 40L "7 + 25 + 8"

            testCase "zero-size requests return aligned non-null addresses and consume nothing"
            <| fun () ->
                use arena = unchecked 8192L
                let first = arena.AllocRaw(3n, 1n)
                let next = vaddr first + 3n

                for a in alignments do
                    let p = arena.AllocRaw(0n, nativeint a)
                    Expect.notEqual (vaddr p) 0n $"non-null at {a}"
                    Expect.isTrue (isAligned a (vaddr p)) $"aligned to {a}"
                    let z = arena.AllocZeroed(0n, nativeint a)
                    Expect.isTrue (isAligned a (vaddr z) && vaddr z <> 0n) $"zeroed variant at {a}"
                    let mutable t = NativePtr.toVoidPtr (NativePtr.nullPtr<byte>)
                    Expect.isTrue (arena.TryAllocRaw(0n, nativeint a, &t)) $"Try at {a}"
                    Expect.isTrue (isAligned a (vaddr t) && vaddr t <> 0n) $"Try aligned at {a}"
                    Expect.equal arena.BytesAllocated 3L $"nothing consumed at {a}"

                let c = arena.AllocCacheAligned 0n
                Expect.isTrue (isAligned 64L (vaddr c)) "cache-aligned zero"
                Expect.equal (vaddr (arena.AllocRaw(1n, 1n))) next "the cursor did not move"
        ]

let private badInput =
    testList
        "bad input"
        [
            testCase "negative sizes and lengths throw ArgumentOutOfRangeException, Try variants too"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let t = throwsUnchanged<ArgumentOutOfRangeException> arena w
                t "AllocRaw" (fun () -> arena.AllocRaw(-1n, 8n) |> ignore)
                t "AllocRaw min" (fun () -> arena.AllocRaw(nativeint Int64.MinValue, 8n) |> ignore)
                t "AllocZeroed" (fun () -> arena.AllocZeroed(-8n, 8n) |> ignore)
                t "AllocCacheAligned" (fun () -> arena.AllocCacheAligned(-1n) |> ignore)

                t "TryAllocRaw" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocRaw(-1n, 8n, &p) |> ignore)

                t "TryAllocZeroed" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocZeroed(-1n, 8n, &p) |> ignore)

                t "TryAllocCacheAligned" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocCacheAligned(-1n, &p) |> ignore)

                t "AllocSlice(length)" (fun () ->
                    let x = arena.AllocSlice<int>(-1)
                    ())

                t "AllocSliceUninitialized" (fun () ->
                    let x = arena.AllocSliceUninitialized<int>(-1)
                    ())

                t "AllocSlice(length, generator)" (fun () ->
                    let x = arena.AllocSlice<int>(-1, id)
                    ())

                t "AllocSliceHandle(length)" (fun () -> arena.AllocSliceHandle<int>(-1) |> ignore)

                t "TryAllocSlice(length)" (fun () ->
                    let mutable s = Span<int>.Empty
                    arena.TryAllocSlice<int>(-1, &s) |> ignore)

                t "TryAllocSliceUninitialized" (fun () ->
                    let mutable s = Span<int>.Empty
                    arena.TryAllocSliceUninitialized<int>(-1, &s) |> ignore)

                t "TryAllocSlice(length, generator)" (fun () ->
                    let mutable s = Span<int>.Empty
                    arena.TryAllocSlice<int>(-1, id, &s) |> ignore)

            testCase "requests over MaxRequestSize throw, Try variants return false, nothing wraps"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let t = throwsUnchanged<ArgumentOutOfRangeException> arena w
                let f = falseUnchanged arena w
                let over = nativeint (Arena.MaxRequestSize + 1L)
                let huge = nativeint Int64.MaxValue
                Expect.equal Arena.MaxRequestSize (1L <<< 40) "1 TiB"
                t "AllocRaw over" (fun () -> arena.AllocRaw(over, 1n) |> ignore)
                t "AllocRaw Int64.MaxValue (padding would wrap)" (fun () -> arena.AllocRaw(huge, 4096n) |> ignore)
                t "AllocZeroed over" (fun () -> arena.AllocZeroed(over, 8n) |> ignore)
                t "AllocCacheAligned over" (fun () -> arena.AllocCacheAligned(huge) |> ignore)

                t "AllocSlice of Int32.MaxValue 1 KiB structs" (fun () ->
                    let x = arena.AllocSlice<Big>(Int32.MaxValue)
                    ())

                t "AllocSliceUninitialized over" (fun () ->
                    let x = arena.AllocSliceUninitialized<Big>(Int32.MaxValue)
                    ())

                t "AllocSliceHandle over" (fun () -> arena.AllocSliceHandle<Big>(Int32.MaxValue) |> ignore)

                f "TryAllocRaw over" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocRaw(over, 1n, &p))

                f "TryAllocRaw Int64.MaxValue" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocRaw(huge, 64n, &p))

                f "TryAllocZeroed over" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocZeroed(over, 1n, &p))

                f "TryAllocCacheAligned over" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocCacheAligned(huge, &p))

                f "TryAllocSlice over" (fun () ->
                    let mutable s = Span<Big>.Empty
                    arena.TryAllocSlice<Big>(Int32.MaxValue, &s))

                f "TryAllocSliceUninitialized over" (fun () ->
                    let mutable s = Span<Big>.Empty
                    arena.TryAllocSliceUninitialized<Big>(Int32.MaxValue, &s))

            testCase "alignments that are not a power of two up to 4096 throw, even for zero bytes"
            <| fun () ->
                use arena = unchecked 4096L
                let w = witness arena
                let t = throwsUnchanged<ArgumentOutOfRangeException> arena w

                for a in [ 0L; -8L; 3L; 6L; 12L; 4095L; 4097L; 8192L; 1L <<< 40; Int64.MinValue ] do
                    let a = nativeint a
                    t $"AllocRaw alignment {a}" (fun () -> arena.AllocRaw(8n, a) |> ignore)
                    t $"AllocRaw zero bytes alignment {a}" (fun () -> arena.AllocRaw(0n, a) |> ignore)
                    t $"AllocZeroed alignment {a}" (fun () -> arena.AllocZeroed(8n, a) |> ignore)

                    t $"TryAllocRaw alignment {a}" (fun () ->
                        let mutable p = Unchecked.defaultof<_>
                        arena.TryAllocRaw(8n, a, &p) |> ignore)

                    t $"TryAllocZeroed alignment {a}" (fun () ->
                        let mutable p = Unchecked.defaultof<_>
                        arena.TryAllocZeroed(0n, a, &p) |> ignore)

                Expect.equal Arena.MaxAlignment 4096 "a page"

            testCase "every member throws ObjectDisposedException after Dispose; a second Dispose is harmless"
            <| fun () ->
                let arena = unchecked 4096L
                let h = arena.AllocHandle 5L
                let cp = arena.GetCheckpoint()
                arena.Dispose()
                arena.Dispose()
                Expect.isTrue arena.IsDisposed "IsDisposed"

                let t name f =
                    Expect.throwsT<ObjectDisposedException> f name

                t "Alloc" (fun () -> arena.Alloc 1L |> ignore)
                t "AllocHandle" (fun () -> arena.AllocHandle 1L |> ignore)
                t "AllocUninitialized" (fun () -> arena.AllocUninitialized<int>() |> ignore)
                t "TryAlloc" (fun () -> arena.TryAlloc 1L |> ignore)
                t "TryAllocUninitialized" (fun () -> arena.TryAllocUninitialized<int>() |> ignore)

                t "AllocSlice(span)" (fun () ->
                    let x = arena.AllocSlice(ReadOnlySpan [| 1 |])
                    ())

                t "AllocSlice(length)" (fun () ->
                    let x = arena.AllocSlice<int> 1
                    ())

                t "AllocSlice(0)" (fun () ->
                    let x = arena.AllocSlice<int> 0
                    ())

                t "AllocSliceUninitialized" (fun () ->
                    let x = arena.AllocSliceUninitialized<int> 1
                    ())

                t "AllocSlice(generator)" (fun () ->
                    let x = arena.AllocSlice<int>(1, id)
                    ())

                t "AllocSlice(enumerable)" (fun () ->
                    let x = arena.AllocSlice [ 1 ]
                    ())

                t "AllocSlice(unknown count)" (fun () ->
                    let x = arena.AllocSlice(seq { 1 })
                    ())

                t "AllocSliceHandle" (fun () -> arena.AllocSliceHandle(ReadOnlySpan [| 1 |]) |> ignore)
                t "AllocSliceHandle(length)" (fun () -> arena.AllocSliceHandle<int> 1 |> ignore)

                t "TryAllocSlice(span)" (fun () ->
                    let mutable s = Span<int>.Empty
                    arena.TryAllocSlice(ReadOnlySpan [| 1 |], &s) |> ignore)

                t "TryAllocSlice(length)" (fun () ->
                    let mutable s = Span<int>.Empty
                    arena.TryAllocSlice<int>(1, &s) |> ignore)

                t "TryAllocSliceUninitialized" (fun () ->
                    let mutable s = Span<int>.Empty
                    arena.TryAllocSliceUninitialized<int>(1, &s) |> ignore)

                t "TryAllocSlice(generator)" (fun () ->
                    let mutable s = Span<int>.Empty
                    arena.TryAllocSlice<int>(1, id, &s) |> ignore)

                t "TryAllocSlice(enumerable)" (fun () ->
                    let mutable s = Span<int>.Empty
                    arena.TryAllocSlice([ 1 ], &s) |> ignore)

                t "TryAllocSliceHandle" (fun () -> arena.TryAllocSliceHandle(ReadOnlySpan [| 1 |]) |> ignore)

                t "AllocString" (fun () ->
                    let x = arena.AllocString("a".AsSpan())
                    ())

                t "AllocStringHandle" (fun () -> arena.AllocStringHandle("a".AsSpan()) |> ignore)

                t "TryAllocString" (fun () ->
                    let mutable c = ReadOnlySpan<char>.Empty
                    arena.TryAllocString("a".AsSpan(), &c) |> ignore)

                t "AllocUtf8" (fun () ->
                    let x = arena.AllocUtf8("a".AsSpan())
                    ())

                t "TryAllocUtf8" (fun () ->
                    let mutable u = ReadOnlySpan<byte>.Empty
                    arena.TryAllocUtf8("a".AsSpan(), &u) |> ignore)

                t "AllocRaw" (fun () -> arena.AllocRaw(8n, 8n) |> ignore)
                t "AllocRaw(0)" (fun () -> arena.AllocRaw(0n, 8n) |> ignore)
                t "AllocZeroed" (fun () -> arena.AllocZeroed(8n, 8n) |> ignore)
                t "AllocCacheAligned" (fun () -> arena.AllocCacheAligned 8n |> ignore)

                t "TryAllocRaw" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocRaw(8n, 8n, &p) |> ignore)

                t "TryAllocRaw over MaxRequestSize" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocRaw(nativeint Int64.MaxValue, 8n, &p) |> ignore)

                t "TryAllocZeroed" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocZeroed(8n, 8n, &p) |> ignore)

                t "TryAllocCacheAligned" (fun () ->
                    let mutable p = Unchecked.defaultof<_>
                    arena.TryAllocCacheAligned(8n, &p) |> ignore)

                t "Stats" (fun () -> arena.Stats |> ignore)
                t "GetCheckpoint" (fun () -> arena.GetCheckpoint() |> ignore)
                t "Rewind" (fun () -> arena.Rewind cp)
                t "Reset" (fun () -> arena.Reset())
                t "Trim" (fun () -> arena.Trim() |> ignore)
                t "BeginTransaction" (fun () -> arena.BeginTransaction() |> ignore)
                t "TransactionDepth" (fun () -> arena.TransactionDepth |> ignore)
                t "WithTransaction" (fun () -> arena.WithTransaction(fun _ -> 1) |> ignore)
                t "CommitIf" (fun () -> arena.CommitIf(fun _ -> true) |> ignore)
                t "WithTransactionInfallible" (fun () -> arena.WithTransactionInfallible(fun _ -> 1) |> ignore)

                t "new ArenaList" (fun () ->
                    let l = new ArenaList<int>(arena)
                    ())

                Expect.equal h.IsNull false "an unchecked handle is a bare pointer"
                Expect.stringContains (arena.ToString()) "disposed" "ToString says so"

            testCase
                "when the operating system refuses a block: OutOfMemoryException, Try variants false, nothing changes"
            <| fun () ->
                // A 1 TiB block: refused under Linux's default heuristic overcommit and on Windows.
                // Where the OS would grant it, this test has nothing to observe and is skipped.
                let refused =
                    try
                        let p = NativeMemory.AlignedAlloc(unativeint Arena.MaxRequestSize, 4096un)
                        NativeMemory.AlignedFree p
                        false
                    with :? OutOfMemoryException ->
                        true

                if not refused then
                    skiptest "the operating system grants 1 TiB of address space here"

                use arena = unchecked 4096L
                let w = witness arena
                let size = nativeint Arena.MaxRequestSize
                throwsUnchanged<OutOfMemoryException> arena w "AllocRaw" (fun () -> arena.AllocRaw(size, 8n) |> ignore)

                falseUnchanged arena w "TryAllocRaw" (fun () ->
                    let mutable p = Unchecked.defaultof<voidptr>
                    arena.TryAllocRaw(size, 8n, &p))

                falseUnchanged arena w "TryAllocSlice" (fun () ->
                    let mutable s = Span<Big>.Empty
                    arena.TryAllocSlice<Big>(1 <<< 30, &s))

                use tx = arena.BeginTransaction()

                throwsUnchanged<OutOfMemoryException> arena w "in a transaction" (fun () ->
                    tx.AllocZeroed(size, 8n) |> ignore)

                falseUnchanged arena w "Try in a transaction" (fun () ->
                    let mutable p = Unchecked.defaultof<voidptr>
                    tx.TryAllocCacheAligned(size, &p))

                tx.Commit()
                let mutable l = new ArenaList<Big>(arena)
                let before = describe arena
                Expect.isFalse (l.TryReserve(1 <<< 30)) "ArenaList.TryReserve of 1 TiB"

                let e =
                    try
                        l.Reserve(1 <<< 30)
                        none
                    with e ->
                        e

                Expect.isTrue (isExn<OutOfMemoryException> e) "ArenaList.Reserve of 1 TiB"
                Expect.equal (describe arena, l.Capacity) (before, 0) "unchanged"
                l.Dispose()

                // The first block is reserved by the first allocation, which reports the refusal.
                // (No witness: it would need the block.)
                use huge = new Arena(Arena.MaxRequestSize)
                let hugeBefore = describe huge

                Expect.throwsT<OutOfMemoryException>
                    (fun () -> huge.AllocRaw(1n, 1n) |> ignore)
                    "a first block of 1 TiB"

                Expect.equal (describe huge) hugeBefore "a first block of 1 TiB: stats, cursor and depth unchanged"
                Expect.equal huge.BlockCount 0 "still no block"
                let mutable hp = Unchecked.defaultof<voidptr>
                Expect.isFalse (huge.TryAllocRaw(1n, 1n, &hp)) "TryAllocRaw with a refused first block"
                Expect.equal (describe huge) hugeBefore "TryAllocRaw: unchanged"

            testCase "ToString, BytesAllocated and BlockCount describe a live arena"
            <| fun () ->
                use arena = unchecked 4096L
                arena.AllocRaw(100n, 1n) |> ignore
                Expect.equal arena.BytesAllocated arena.Stats.BytesAllocated "BytesAllocated"
                Expect.equal arena.BlockCount arena.Stats.BlockCount "BlockCount"
                Expect.stringContains (arena.ToString()) "100 of 4096 bytes in 1 blocks" "ToString"
        ]

[<Tests>]
let tests =
    testList "Arena allocation" [ construction; singleValues; slices; strings; raw; badInput ]
