/// The entry point shared by the Expecto test executables: runs the tests with the command-line
/// arguments and, when FASTARENA_TEST_SUMMARY names a file, appends one line "PASSED FAILED" to it
/// so that build.sh can print a single total for the whole run; when FASTARENA_TEST_FAILURES names a
/// file, each failing test's name and the first line of its message are appended to it, so that the end
/// of a CI log says which tests failed without scrolling back through every suite.
///
/// Output: when stdout is not a terminal (a CI log, a pipe), Expecto runs without colours and without
/// its spinner, so the log holds no ANSI escape codes. Passing tests are summarised as a count per test
/// list (`--summary` still lists every name); failing ones are listed by name.
module FastArena.Testing.TestMain

open System
open System.IO
open Expecto
open Expecto.Impl

/// Stands between Expecto and a redirected stdout: drops ANSI escape sequences (Expecto writes a colour
/// reset at the start of each log line even at colour level 0) and the blanks its progress line leaves
/// at the end of a line, so a CI log reads as plain text. Output goes out line by line.
type private PlainWriter(inner: TextWriter) =
    inherit TextWriter()
    let line = Text.StringBuilder()
    // 0: text; 1: after ESC; 2: inside a CSI sequence (ESC [ ... final byte).
    let mutable state = 0

    let emit () =
        let mutable n = line.Length

        while n > 0 && line.[n - 1] = ' ' do
            n <- n - 1

        inner.WriteLine(line.ToString(0, n))
        line.Clear() |> ignore

    override _.Encoding = inner.Encoding

    override _.Write(c: char) =
        match state, c with
        | 0, '\u001b' -> state <- 1
        | 0, '\n' -> emit ()
        | 0, '\r' -> ()
        | 0, c -> line.Append c |> ignore
        | 1, '[' -> state <- 2
        | 1, _ -> state <- 0
        | _, c when c >= '@' && c <= '~' -> state <- 0
        | _ -> ()

    override _.Flush() =
        if line.Length > 0 then
            inner.Write(line.ToString())
            line.Clear() |> ignore

        inner.Flush()

/// "name N" for each top-level test list under the root, in order of first appearance.
let private countsByList (passed: (FlatTest * TestSummary) list) =
    passed
    |> List.map (fun (t, _) ->
        match t.name with
        | _ :: list :: _ :: _ -> list
        | [ root; _ ] -> root
        | parts -> String.concat "." parts)
    |> List.countBy id
    |> List.map (fun (list, n) -> sprintf "%s %d" list n)
    |> String.concat ", "

/// Runs `tests` with Expecto's CLI arguments and records the counts.
let run (argv: string[]) (tests: Test) : int =
    let record (summary: TestRunSummary) =
        match Environment.GetEnvironmentVariable "FASTARENA_TEST_SUMMARY" with
        | null
        | "" -> ()
        | path ->
            let failed = summary.failed.Length + summary.errored.Length
            File.AppendAllText(path, sprintf "%d %d%s" summary.passed.Length failed Environment.NewLine)

    let recordFailures (config: ExpectoConfig) (summary: TestRunSummary) =
        match Environment.GetEnvironmentVariable "FASTARENA_TEST_FAILURES" with
        | null
        | "" -> ()
        | path ->
            for t, s in summary.failed @ summary.errored do
                let message =
                    match s.result with
                    | TestResult.Failed m -> m
                    | TestResult.Error e -> e.GetType().Name + ": " + e.Message
                    | other -> string other

                let firstLine =
                    message.Trim().Split('\n').[0].Trim()
                    |> fun l -> if l.Length > 300 then l.Substring(0, 300) + "..." else l

                File.AppendAllText(
                    path,
                    sprintf "FAILED: %s -- %s%s" (config.joinWith.format t.name) firstLine Environment.NewLine
                )

    let printer =
        { defaultConfig.printer with
            summary =
                fun config summary ->
                    async {
                        do! defaultConfig.printer.summary config summary
                        printfn "passed: %d (%s)" summary.passed.Length (countsByList summary.passed)

                        for t, _ in summary.failed @ summary.errored do
                            printfn "FAILED: %s" (config.joinWith.format t.name)

                        record summary
                        recordFailures config summary
                    }
        }

    let plain =
        if Console.IsOutputRedirected then
            let writer = new PlainWriter(Console.Out)
            Console.SetOut(TextWriter.Synchronized writer)
            [ CLIArguments.Colours 0; CLIArguments.No_Spinner ]
        else
            []

    try
        runTestsWithCLIArgs ([ CLIArguments.Printer printer ] @ plain) argv tests
    finally
        Console.Out.Flush()
