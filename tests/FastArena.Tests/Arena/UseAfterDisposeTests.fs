/// Use after Dispose: every member of the arena, of its lists and of its transactions throws
/// ObjectDisposedException and writes nothing, in unchecked mode too. The regression "ArenaList.Add
/// writes into freed memory after Dispose" runs in a child process whose blocks come from mmap and are
/// made inaccessible (mprotect PROT_NONE) when freed, so a write into freed memory faults and the child
/// dies instead of reporting.
module FastArena.Tests.UseAfterDisposeTests

open System
open System.Diagnostics
open System.IO
open System.Runtime.InteropServices
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

module private Libc =
    [<DllImport("libc", SetLastError = true)>]
    extern nativeint mmap(nativeint addr, unativeint length, int prot, int flags, int fd, nativeint offset)

    [<DllImport("libc", SetLastError = true)>]
    extern int mprotect(nativeint addr, unativeint length, int prot)

let private pageRound (size: nativeint) = (int64 size + 4095L) &&& ~~~4095L

/// Blocks from mmap; freeing makes them inaccessible instead of returning them, so no later
/// allocation can reuse the addresses and every access after a free faults.
let private useGuardedBlocks () =
    NativeBlock.s_testAllocate <-
        Func<nativeint, nativeint>(fun size ->
            let p =
                Libc.mmap (0n, unativeint (pageRound size), 3 (* READ|WRITE *) , 0x22 (* PRIVATE|ANONYMOUS *) , -1, 0n)

            if p = -1n then 0n else p)

    NativeBlock.s_testFree <-
        Action<nativeint, nativeint>(fun p size ->
            if Libc.mprotect (p, unativeint (pageRound size), 0 (* PROT_NONE *) ) <> 0 then
                failwith "mprotect failed")

/// What the child processes run (`FastArena.Tests --child <name>`); the exit code is the verdict.
let runChild (name: string) : int =
    useGuardedBlocks ()

    match name with
    | "list-add-after-dispose" ->
        // The reproduction of the issue, as a user writes it.
        let arena = new Arena(ArenaOptions(CheckedMode = false, InitialBlockSize = 4096L))
        let mutable list = new ArenaList<int64>(arena, 16)
        list.Add 1L
        arena.Dispose()

        let caught =
            try
                list.Add 2L
                none
            with e ->
                e

        if isExn<ObjectDisposedException> caught && list.Count = 1 then
            printfn "ObjectDisposedException, count 1"
            0
        else
            printfn "Add after Dispose did not throw ObjectDisposedException: %A" caught
            3
    | "control-write-after-free" ->
        // The guard itself: a write through a pointer kept from before Dispose must fault.
        let arena = new Arena(ArenaOptions(CheckedMode = false, InitialBlockSize = 4096L))
        let p = arena.AllocRaw(8n, 8n)
        arena.Dispose()
        Marshal.WriteInt64(NativeInterop.NativePtr.toNativeInt (NativeInterop.NativePtr.ofVoidPtr<byte> p), 42L)
        printfn "the write into freed memory went through"
        0
    | _ -> 64

/// Runs this test executable with `--child name` and the extra environment variables; returns
/// (exit code, stdout and stderr). Other test files use it too.
let childWith (env: (string * string) list) (name: string) =
    let self = nonNull Environment.ProcessPath
    let entry = (nonNull (Reflection.Assembly.GetEntryAssembly())).Location

    let info =
        ProcessStartInfo(self, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)

    if Path.GetFileNameWithoutExtension self = "dotnet" then
        info.ArgumentList.Add entry

    info.ArgumentList.Add "--child"
    info.ArgumentList.Add name
    // No crash dump for the control child's deliberate fault.
    info.Environment["DOTNET_DbgEnableMiniDump"] <- "0"

    for key, value in env do
        info.Environment[key] <- value

    use p = nonNull (Process.Start info)
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()

    if not (p.WaitForExit 120_000) then
        p.Kill true
        failtest "the child process did not finish in 120 s"

    p.ExitCode, out.Result + err.Result

let private child = childWith []

let private childProcess =
    testList
        "in a child process with guarded blocks"
        [
            testCase "the guard works: a write into a freed block kills the child"
            <| fun () ->
                if OperatingSystem.IsLinux() then
                    let code, output = child "control-write-after-free"
                    Expect.notEqual code 0 $"the control write must fault; output: {output}"
                    Expect.isFalse (output.Contains "went through") "the write did not go through"

            testCase "ArenaList.Add after arena.Dispose() throws ObjectDisposedException and writes nothing"
            <| fun () ->
                if OperatingSystem.IsLinux() then
                    let code, output = child "list-add-after-dispose"
                    Expect.equal code 0 $"the child reports the exception and did not fault; output: {output}"
                    Expect.stringContains output "ObjectDisposedException, count 1" "what the child saw"
        ]

let private lists =
    testList
        "ArenaList after the arena's Dispose (unchecked)"
        [
            testCase "every member throws ObjectDisposedException, the count stays, Dispose does nothing"
            <| fun () ->
                let arena = unchecked 4096L
                let mutable list = new ArenaList<int64>(arena, 16)
                list.Add 1L
                list.Add 2L
                arena.Dispose()

                let check (what: string) (caught: exn | null) (count: int) =
                    Expect.isTrue
                        (isExn<ObjectDisposedException> caught)
                        $"{what}: ObjectDisposedException, got %A{caught}"

                    Expect.equal count 2 $"{what}: count unchanged"

                check
                    "Add (spare capacity: the fast path)"
                    (try
                        list.Add 3L
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "TryAdd"
                    (try
                        list.TryAdd 3L |> ignore
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "AddRange span"
                    (try
                        list.AddRange(ReadOnlySpan [| 3L |])
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "AddRange seq"
                    (try
                        list.AddRange(Seq.singleton 3L)
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "indexer"
                    (try
                        let v = list[0] in
                        ignore v
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "AsSpan"
                    (try
                        list.AsSpan().Length |> ignore
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "Pop"
                    (try
                        list.Pop() |> ignore
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "Clear"
                    (try
                        list.Clear()
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "Reserve"
                    (try
                        list.Reserve 1
                        none
                     with e ->
                         e)
                    list.Count

                check
                    "Finish"
                    (try
                        list.Finish().Length |> ignore
                        none
                     with e ->
                         e)
                    list.Count

                list.Dispose()
                Expect.isTrue arena.IsDisposed "still disposed"

            testCase "checked mode: Add after Dispose throws ObjectDisposedException too"
            <| fun () ->
                let arena = checkedArena 4096L
                let mutable list = new ArenaList<int64>(arena, 16)
                list.Add 1L
                arena.Dispose()

                let caught =
                    (try
                        list.Add 2L
                        none
                     with e ->
                         e)

                Expect.isTrue (isExn<ObjectDisposedException> caught) $"ObjectDisposedException, got %A{caught}"
                Expect.equal list.Count 1 "count unchanged"

            testCase "a list that was never given a buffer throws ObjectDisposedException on Add"
            <| fun () ->
                let arena = unchecked 4096L
                let mutable list = new ArenaList<int64>(arena)
                arena.Dispose()

                let caught =
                    (try
                        list.Add 1L
                        none
                     with e ->
                         e)

                Expect.isTrue (isExn<ObjectDisposedException> caught) $"ObjectDisposedException, got %A{caught}"
        ]

let private arenaMembers =
    testList
        "arena members after Dispose"
        [
            testCase
                "BytesAllocated, BlockCount, Stats, TransactionDepth and GetCheckpoint throw ObjectDisposedException"
            <| fun () ->
                let arena = unchecked 4096L
                arena.AllocSlice<byte>(3000).Length |> ignore
                arena.Dispose()
                Expect.throwsT<ObjectDisposedException> (fun () -> arena.BytesAllocated |> ignore) "BytesAllocated"
                Expect.throwsT<ObjectDisposedException> (fun () -> arena.BlockCount |> ignore) "BlockCount"
                Expect.throwsT<ObjectDisposedException> (fun () -> arena.Stats |> ignore) "Stats"
                Expect.throwsT<ObjectDisposedException> (fun () -> arena.TransactionDepth |> ignore) "TransactionDepth"
                Expect.throwsT<ObjectDisposedException> (fun () -> arena.GetCheckpoint() |> ignore) "GetCheckpoint"

            testCase "IsDisposed, IsChecked, TracksDisposal and ToString still answer"
            <| fun () ->
                let arena = unchecked 4096L
                arena.Dispose()
                Expect.isTrue arena.IsDisposed "IsDisposed"
                Expect.isFalse arena.IsChecked "IsChecked"
                Expect.isFalse arena.TracksDisposal "TracksDisposal"
                Expect.equal (arena.ToString()) "Arena (disposed)" "ToString"

            testCase
                "a transaction of a disposed unchecked arena throws ObjectDisposedException; its Dispose does nothing"
            <| fun () ->
                let arena = unchecked 4096L
                let tx = arena.BeginTransaction()
                tx.Alloc 1L |> ignore
                arena.Dispose()

                Expect.throwsT<ObjectDisposedException>
                    (fun () -> tx.Alloc 2L |> ignore)
                    "Alloc through the transaction"

                Expect.throwsT<ObjectDisposedException> (fun () -> tx.Commit()) "Commit"
                Expect.isFalse tx.IsActive "not active"
                tx.Dispose()
        ]

let tests = testList "Use after Dispose" [ lists; arenaMembers; childProcess ]
