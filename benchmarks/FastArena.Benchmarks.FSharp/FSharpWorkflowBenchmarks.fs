namespace FastArena.Benchmarks

open BenchmarkDotNet.Attributes
open FastArena
open FastArena.FSharp

/// The F# layer's overhead: a transaction of 16 allocations of an int64 written as an `arena { }`
/// workflow (run by Arena.run: Ok commits, Error rolls back) against the same written with the C#
/// Transaction API. Per transaction: Ops transactions per invocation, then one reset.
[<MemoryDiagnoser>]
type FSharpWorkflowBenchmarks() =
    static let ops = 64

    // Built once: a workflow is a value that can run many times.
    static let sixteen: ArenaWorkflow<int64, string> =
        arena {
            let! a = alloc 1L
            let! b = alloc 2L
            let! c = alloc 3L
            let! d = alloc 4L
            let! e = alloc 5L
            let! f = alloc 6L
            let! g = alloc 7L
            let! h = alloc 8L
            let! i = alloc 9L
            let! j = alloc 10L
            let! k = alloc 11L
            let! l = alloc 12L
            let! m = alloc 13L
            let! n = alloc 14L
            let! o = alloc 15L
            let! p = alloc 16L

            return
                a.Value
                + b.Value
                + c.Value
                + d.Value
                + e.Value
                + f.Value
                + g.Value
                + h.Value
                + i.Value
                + j.Value
                + k.Value
                + l.Value
                + m.Value
                + n.Value
                + o.Value
                + p.Value
        }

    // The same 16 allocations, then an Error: the whole transaction rolls back.
    static let sixteenThenError: ArenaWorkflow<int64, string> =
        arena {
            let! a = alloc 1L
            let! b = alloc 2L
            let! c = alloc 3L
            let! d = alloc 4L
            let! e = alloc 5L
            let! f = alloc 6L
            let! g = alloc 7L
            let! h = alloc 8L
            let! i = alloc 9L
            let! j = alloc 10L
            let! k = alloc 11L
            let! l = alloc 12L
            let! m = alloc 13L
            let! n = alloc 14L
            let! o = alloc 15L
            let! p = alloc 16L

            let total =
                a.Value
                + b.Value
                + c.Value
                + d.Value
                + e.Value
                + f.Value
                + g.Value
                + h.Value
                + i.Value
                + j.Value
                + k.Value
                + l.Value
                + m.Value
                + n.Value
                + o.Value
                + p.Value

            if total > 0L then
                return! Error "rolled back"
            else
                return total
        }

    let mutable mem: Arena = Unchecked.defaultof<_>

    /// Transactions per invocation.
    static member Ops = ops

    /// Creates a warm arena.
    [<GlobalSetup>]
    member this.Setup() =
        mem <- new Arena()
        this.FSharp_Workflow16_Commit() |> ignore

    /// Frees native memory.
    [<GlobalCleanup>]
    member _.Cleanup() = mem.Dispose()

    /// The C# Transaction API, called from F#: BeginTransaction, 16 tx.Alloc, Commit.
    [<Benchmark(Baseline = true, OperationsPerInvoke = 64)>]
    member _.CSharp_Tx16_Commit() =
        let mutable total = 0L

        for _ in 1..ops do
            use tx = mem.BeginTransaction()

            for v in 1L .. 16L do
                total <- total + tx.Alloc v

            tx.Commit()

        mem.Reset()
        total

    /// The C# Transaction API in the workflow's shape: 16 tx.AllocHandle kept in locals, their values
    /// summed at the end (as the workflow does), then Commit. What 16 live handles cost without the F# layer.
    [<Benchmark(OperationsPerInvoke = 64)>]
    member _.CSharp_Tx16_Handles_Commit() =
        let mutable total = 0L

        for _ in 1..ops do
            use tx = mem.BeginTransaction()
            let a = tx.AllocHandle 1L
            let b = tx.AllocHandle 2L
            let c = tx.AllocHandle 3L
            let d = tx.AllocHandle 4L
            let e = tx.AllocHandle 5L
            let f = tx.AllocHandle 6L
            let g = tx.AllocHandle 7L
            let h = tx.AllocHandle 8L
            let i = tx.AllocHandle 9L
            let j = tx.AllocHandle 10L
            let k = tx.AllocHandle 11L
            let l = tx.AllocHandle 12L
            let m = tx.AllocHandle 13L
            let n = tx.AllocHandle 14L
            let o = tx.AllocHandle 15L
            let p = tx.AllocHandle 16L

            total <-
                total
                + a.Value
                + b.Value
                + c.Value
                + d.Value
                + e.Value
                + f.Value
                + g.Value
                + h.Value
                + i.Value
                + j.Value
                + k.Value
                + l.Value
                + m.Value
                + n.Value
                + o.Value
                + p.Value

            tx.Commit()

        mem.Reset()
        total

    /// The same as an `arena { }` workflow run by Arena.run (Ok commits).
    [<Benchmark(OperationsPerInvoke = 64)>]
    member _.FSharp_Workflow16_Commit() =
        let mutable total = 0L

        for _ in 1..ops do
            match Arena.run mem sixteen with
            | Ok v -> total <- total + v
            | Error _ -> ()

        mem.Reset()
        total

    /// The C# Transaction API: 16 tx.Alloc, then Rollback.
    [<Benchmark(OperationsPerInvoke = 64)>]
    member _.CSharp_Tx16_Rollback() =
        let mutable total = 0L

        for _ in 1..ops do
            use tx = mem.BeginTransaction()

            for v in 1L .. 16L do
                total <- total + tx.Alloc v

            tx.Rollback()

        total

    /// The workflow ending in Error after 16 allocations: Arena.run rolls it back.
    [<Benchmark(OperationsPerInvoke = 64)>]
    member _.FSharp_Workflow16_Error() =
        let mutable failures = 0

        for _ in 1..ops do
            match Arena.run mem sixteenThenError with
            | Ok _ -> ()
            | Error _ -> failures <- failures + 1

        failures
