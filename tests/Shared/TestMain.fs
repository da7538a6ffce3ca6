/// The entry point shared by the Expecto test executables: runs the tests with the command-line
/// arguments and, when FASTARENA_TEST_SUMMARY names a file, appends one line "PASSED FAILED" to it
/// so that build.sh can print a single total for the whole run.
module FastArena.Testing.TestMain

open System
open System.IO
open Expecto
open Expecto.Impl

/// Runs `tests` with Expecto's CLI arguments and records the counts.
let run (argv: string[]) (tests: Test) : int =
    let record (summary: TestRunSummary) =
        match Environment.GetEnvironmentVariable "FASTARENA_TEST_SUMMARY" with
        | null
        | "" -> ()
        | path ->
            let failed = summary.failed.Length + summary.errored.Length
            File.AppendAllText(path, sprintf "%d %d%s" summary.passed.Length failed Environment.NewLine)

    let printer =
        { defaultConfig.printer with
            summary =
                fun config summary ->
                    async {
                        do! defaultConfig.printer.summary config summary
                        record summary
                    } }

    runTestsWithCLIArgs [ CLIArguments.Printer printer ] argv tests
