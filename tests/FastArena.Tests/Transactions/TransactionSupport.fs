/// What the transaction tests share: every allocation member of Transaction as named calls, their Try
/// twins, and the members that must throw once a transaction has ended.
module FastArena.Tests.TransactionSupport

open System
open System.Collections.Generic
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged


/// Every allocation member of Transaction, as named calls that ask for `bytes` bytes of longs
/// (a multiple of 8) and assert nothing: the budget tests run them against a limit.
let throwingOps (tx: Transaction) (n: int) : (string * (unit -> unit)) list =
    let longs = Array.init n int64
    let chars = String('x', 4 * n)

    [
        "AllocSlice(span)",
        (fun () ->
            let s = tx.AllocSlice(ReadOnlySpan longs)
            ())
        "AllocSlice(length)",
        (fun () ->
            let s = tx.AllocSlice<int64> n
            ())
        "AllocSliceUninitialized",
        (fun () ->
            let s = tx.AllocSliceUninitialized<int64> n
            ())
        "AllocSlice(generator)",
        (fun () ->
            let s = tx.AllocSlice(n, (fun i -> int64 i))
            ())
        "AllocSlice(collection)",
        (fun () ->
            let s = tx.AllocSlice(List<int64>(longs))
            ())
        "AllocSlice(sequence)",
        (fun () ->
            let s = tx.AllocSlice(Seq.ofArray longs |> Seq.map id)
            ())
        "AllocSliceHandle(span)", (fun () -> tx.AllocSliceHandle(ReadOnlySpan longs) |> ignore)
        "AllocSliceHandle(length)", (fun () -> tx.AllocSliceHandle<int64> n |> ignore)
        "AllocString",
        (fun () ->
            let s = tx.AllocString(chars.AsSpan())
            ())
        "AllocStringHandle", (fun () -> tx.AllocStringHandle(chars.AsSpan()) |> ignore)
        "AllocUtf8",
        (fun () ->
            let s = tx.AllocUtf8(String('y', 8 * n).AsSpan())
            ())
        "AllocRaw", (fun () -> tx.AllocRaw(nativeint (8 * n), 8n) |> ignore)
        "AllocZeroed", (fun () -> tx.AllocZeroed(nativeint (8 * n), 8n) |> ignore)
        "AllocCacheAligned", (fun () -> tx.AllocCacheAligned(nativeint (8 * n)) |> ignore)
    ]

/// The Try twins of `throwingOps`, returning their bool.
let tryOps (tx: Transaction) (n: int) : (string * (unit -> bool)) list =
    let longs = Array.init n int64
    let chars = String('x', 4 * n)

    [
        "TryAllocSlice(span)",
        (fun () ->
            let mutable s = Span<int64>.Empty
            tx.TryAllocSlice(ReadOnlySpan longs, &s))
        "TryAllocSlice(length)",
        (fun () ->
            let mutable s = Span<int64>.Empty
            tx.TryAllocSlice<int64>(n, &s))
        "TryAllocSliceUninitialized",
        (fun () ->
            let mutable s = Span<int64>.Empty
            tx.TryAllocSliceUninitialized<int64>(n, &s))
        "TryAllocSlice(generator)",
        (fun () ->
            let mutable s = Span<int64>.Empty
            tx.TryAllocSlice(n, (fun i -> int64 i), &s))
        "TryAllocSlice(collection)",
        (fun () ->
            let mutable s = Span<int64>.Empty
            tx.TryAllocSlice(List<int64>(longs), &s))
        "TryAllocSlice(sequence)",
        (fun () ->
            let mutable s = Span<int64>.Empty
            tx.TryAllocSlice(Seq.ofArray longs |> Seq.map id, &s))
        "TryAllocSliceHandle", (fun () -> fst (tx.TryAllocSliceHandle(ReadOnlySpan longs)))
        "TryAllocString",
        (fun () ->
            let mutable s = ReadOnlySpan<char>.Empty
            tx.TryAllocString(chars.AsSpan(), &s))
        "TryAllocUtf8",
        (fun () ->
            let mutable s = ReadOnlySpan<byte>.Empty
            tx.TryAllocUtf8(String('y', 8 * n).AsSpan(), &s))
        "TryAllocRaw",
        (fun () ->
            let mutable p = Unchecked.defaultof<voidptr>
            tx.TryAllocRaw(nativeint (8 * n), 8n, &p))
        "TryAllocZeroed",
        (fun () ->
            let mutable p = Unchecked.defaultof<voidptr>
            tx.TryAllocZeroed(nativeint (8 * n), 8n, &p))
        "TryAllocCacheAligned",
        (fun () ->
            let mutable p = Unchecked.defaultof<voidptr>
            tx.TryAllocCacheAligned(nativeint (8 * n), &p))
    ]

/// Every member of a transaction handle that must throw once it has ended.
let endedMembers (tx: Transaction) : (string * (unit -> unit)) list =
    [
        "Commit", (fun () -> tx.Commit())
        "Rollback", (fun () -> tx.Rollback())
        "Savepoint", (fun () -> tx.Savepoint() |> ignore)
        "SetLimit", (fun () -> tx.SetLimit 10L)
        "Arena", (fun () -> tx.Arena |> ignore)
        "ArenaDepth", (fun () -> tx.ArenaDepth |> ignore)
        "Checkpoint", (fun () -> tx.Checkpoint |> ignore)
        "BytesUsed", (fun () -> tx.BytesUsed |> ignore)
        "Diff", (fun () -> tx.Diff |> ignore)
        "Limit", (fun () -> tx.Limit |> ignore)
        "BudgetRemaining", (fun () -> tx.BudgetRemaining |> ignore)
        "Alloc", (fun () -> tx.Alloc 1L |> ignore)
        "AllocHandle", (fun () -> tx.AllocHandle 1L |> ignore)
        "TryAlloc", (fun () -> tx.TryAlloc 1L |> ignore)
        "AllocUninitialized", (fun () -> tx.AllocUninitialized<int64>() |> ignore)
        "TryAllocUninitialized", (fun () -> tx.TryAllocUninitialized<int64>() |> ignore)
        "new ArenaList(transaction)",
        (fun () ->
            let l = new ArenaList<int>(tx)
            ())
    ]
    @ (throwingOps tx 1)
    @ (tryOps tx 1 |> List.map (fun (name, f) -> name, (fun () -> f () |> ignore)))
