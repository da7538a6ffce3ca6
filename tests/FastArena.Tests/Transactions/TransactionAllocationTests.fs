/// Transactions: every allocation member of Transaction, for each type.
module FastArena.Tests.TransactionAllocationTests

open System
open System.Collections.Generic
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged
open FastArena.Tests.TransactionSupport

let tests =
    testList
        "allocation members and types"
        [
            testCase "every allocation member of Transaction stores its values and counts them exactly"
            <| fun () ->
                use arena = unchecked 4096L
                use tx = arena.BeginTransaction()
                let mutable expected = 0L

                let counts name alignment size =
                    expected <- after expected alignment size
                    Expect.equal tx.BytesUsed expected name

                let r = &tx.Alloc 5L
                counts "Alloc" 8L 8L
                let h = tx.AllocHandle 6L
                counts "AllocHandle" 8L 8L
                let ok, t = tx.TryAlloc 7L
                counts "TryAlloc" 8L 8L
                let u = &tx.AllocUninitialized<int64>()
                u <- 8L
                counts "AllocUninitialized" 8L 8L
                let ok2, tu = tx.TryAllocUninitialized<int64>()
                tu.Value <- 9L
                counts "TryAllocUninitialized" 8L 8L
                Expect.equal (r, h.Value, ok && ok2, t.Value, u, tu.Value) (5L, 6L, true, 7L, 8L, 9L) "single values"
                let a = tx.AllocSlice(ReadOnlySpan [| 1L; 2L |])
                counts "AllocSlice(span)" 8L 16L
                let b = tx.AllocSlice<int64> 2
                counts "AllocSlice(length)" 8L 16L
                let c = tx.AllocSliceUninitialized<int64> 1
                counts "AllocSliceUninitialized" 8L 8L
                let d = tx.AllocSlice(2, (fun i -> int64 (i + 3)))
                counts "AllocSlice(generator)" 8L 16L
                let e = tx.AllocSlice(List<int64>([ 5L ]))
                counts "AllocSlice(collection)" 8L 8L
                let f = tx.AllocSliceHandle(ReadOnlySpan [| 6L |])
                counts "AllocSliceHandle(span)" 8L 8L
                let g = tx.AllocSliceHandle<int64> 1
                counts "AllocSliceHandle(length)" 8L 8L
                let mutable s = Span<int64>.Empty
                Expect.isTrue (tx.TryAllocSlice(ReadOnlySpan [| 7L |], &s) && s[0] = 7L) "TryAllocSlice(span)"
                counts "TryAllocSlice(span)" 8L 8L
                Expect.isTrue (tx.TryAllocSlice<int64>(1, &s) && s[0] = 0L) "TryAllocSlice(length)"
                counts "TryAllocSlice(length)" 8L 8L
                Expect.isTrue (tx.TryAllocSliceUninitialized<int64>(1, &s)) "TryAllocSliceUninitialized"
                counts "TryAllocSliceUninitialized" 8L 8L
                Expect.isTrue (tx.TryAllocSlice(1, (fun _ -> 8L), &s) && s[0] = 8L) "TryAllocSlice(generator)"
                counts "TryAllocSlice(generator)" 8L 8L
                Expect.isTrue (tx.TryAllocSlice([ 9L ], &s) && s[0] = 9L) "TryAllocSlice(enumerable)"
                counts "TryAllocSlice(enumerable)" 8L 8L
                let ok3, sh = tx.TryAllocSliceHandle(ReadOnlySpan [| 10L |])
                Expect.isTrue (ok3 && sh[0] = 10L) "TryAllocSliceHandle"
                counts "TryAllocSliceHandle" 8L 8L

                Expect.equal
                    (a.ToArray(), b.ToArray(), c.Length, d.ToArray(), e.ToArray(), f.ToArray(), g.ToArray())
                    ([| 1L; 2L |], [| 0L; 0L |], 1, [| 3L; 4L |], [| 5L |], [| 6L |], [| 0L |])
                    "slices"

                let str = tx.AllocString("ab".AsSpan())
                counts "AllocString" 2L 4L
                let strH = tx.AllocStringHandle("c".AsSpan())
                counts "AllocStringHandle" 2L 2L
                let mutable ro = ReadOnlySpan<char>.Empty
                Expect.isTrue (tx.TryAllocString("d".AsSpan(), &ro) && ro[0] = 'd') "TryAllocString"
                counts "TryAllocString" 2L 2L
                let utf = tx.AllocUtf8("é".AsSpan())
                counts "AllocUtf8" 1L 2L
                let mutable rb = ReadOnlySpan<byte>.Empty
                Expect.isTrue (tx.TryAllocUtf8("f".AsSpan(), &rb) && rb[0] = byte 'f') "TryAllocUtf8"
                counts "TryAllocUtf8" 1L 1L
                Expect.equal (String(str), strH.ToString(), utf.ToArray()) ("ab", "c", [| 0xC3uy; 0xA9uy |]) "text"
                let p = tx.AllocRaw(3n, 16n)
                counts "AllocRaw" 16L 3L
                let z = tx.AllocZeroed(4n, 4n)
                counts "AllocZeroed" 4L 4L
                let q = tx.AllocCacheAligned 1n
                counts "AllocCacheAligned" 64L 1L
                let mutable v = Unchecked.defaultof<voidptr>
                Expect.isTrue (tx.TryAllocRaw(1n, 32n, &v) && isAligned 32L (vaddr v)) "TryAllocRaw"
                counts "TryAllocRaw" 32L 1L
                Expect.isTrue (tx.TryAllocZeroed(2n, 2n, &v) && readBytes (vaddr v) 2 = [| 0uy; 0uy |]) "TryAllocZeroed"
                counts "TryAllocZeroed" 2L 2L
                Expect.isTrue (tx.TryAllocCacheAligned(1n, &v) && isAligned 64L (vaddr v)) "TryAllocCacheAligned"
                counts "TryAllocCacheAligned" 64L 1L
                Expect.isTrue (isAligned 16L (vaddr p) && isAligned 64L (vaddr q)) "aligned"
                Expect.equal (readBytes (vaddr z) 4) [| 0uy; 0uy; 0uy; 0uy |] "zeroed"

            testCase "twenty nested savepoints: depths, a middle rollback, and commits down to the top"
            <| fun () ->
                use arena = unchecked 4096L
                let txs = Array.zeroCreate<Transaction> 20
                txs[0] <- arena.BeginTransaction()

                for i in 1..19 do
                    txs[i] <- txs[i - 1].Savepoint()
                    txs[i].Alloc(int64 i) |> ignore

                Expect.equal (txs |> Array.map _.Depth) [| 1..20 |] "Depth"
                Expect.equal (arena.TransactionDepth, txs[0].ArenaDepth) (20, 20) "arena depth"
                txs[10].Rollback()
                Expect.equal (arena.TransactionDepth, arena.BytesAllocated) (10, 72L) "savepoints 10..19 gone"

                Expect.isTrue
                    (txs[10..] |> Array.forall (fun t -> t.Status = TransactionStatus.RolledBack))
                    "all rolled back"

                for i in 9..-1..0 do
                    txs[i].Commit()

                Expect.equal (arena.TransactionDepth, arena.BytesAllocated) (0, 72L) "committed"

            testCase "TransactionDiff and TransactionStatus values"
            <| fun () ->
                let d = TransactionDiff(100L, 2, 1L)
                Expect.equal (d.BytesAllocated, d.BlocksTouched, d.BlocksCreated) (100L, 2, 1L) "properties"
                Expect.equal d (TransactionDiff(100L, 2, 1L)) "equality"
                Expect.notEqual d (TransactionDiff(100L, 2, 0L)) "inequality"

                Expect.equal
                    (Enum.GetNames<TransactionStatus>())
                    [| "Active"; "Committed"; "RolledBack" |]
                    "the three states"

            testCase "ArenaBudgetExceededException constructors"
            <| fun () ->
                let a = ArenaBudgetExceededException()
                Expect.isNotEmpty a.Message "default message"
                Expect.equal (a.RequestedBytes, a.RemainingBytes) (0L, 0L) "no figures"
                let b = ArenaBudgetExceededException "over"
                Expect.equal b.Message "over" "message"
                let inner = TimeoutException()
                let c = ArenaBudgetExceededException("over", inner)
                Expect.isTrue (obj.ReferenceEquals(c.InnerException, inner)) "inner"
        ]
