module FastArena.Benchmarks.Program

open System.Reflection
open BenchmarkDotNet.Configs
open BenchmarkDotNet.Exporters.Json
open BenchmarkDotNet.Running

/// Runs the F# benchmarks with BenchmarkDotNet's command line; exits 1 when any benchmark failed, 3 when the filter selected nothing.
[<EntryPoint>]
let main args =
    let config = DefaultConfig.Instance.AddExporter(JsonExporter.Full)

    let summaries =
        BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args, config)
        |> Seq.toArray

    if
        args
        |> Array.exists (fun a -> a = "--list" || a = "--help" || a = "--info" || a = "--version")
    then
        0
    else
        let cases = summaries |> Array.sumBy (fun s -> s.BenchmarksCases.Length)

        let failed =
            summaries
            |> Array.sumBy (fun s ->
                (s.Reports |> Seq.filter (fun r -> not r.Success) |> Seq.length)
                + (s.BenchmarksCases.Length - s.Reports.Length)
                + (if s.HasCriticalValidationErrors then 1 else 0))

        if cases = 0 then
            eprintfn "benchmarks (F#): nothing ran (check --filter)"
            3
        else
            printfn "benchmarks (F#): %d of %d cases ran, %d failed" (cases - failed) cases failed
            if failed = 0 then 0 else 1
