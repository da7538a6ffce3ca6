/// System.Buffers interop: ArenaBufferWriter (in-place growth, budgets, staleness), Memory<T> over
/// arena memory, and reading streams into the arena under a cap and a budget.
module FastArena.Servers.Tests.BufferTests

open System
open System.IO
open System.Threading
open System.Threading.Tasks
open Expecto
open FastArena
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

/// A writer's written bytes, copied out.
let written (w: ArenaBufferWriter<byte>) = w.WrittenSpan.ToArray()

/// The address of the writer's buffer.
let bufferAddr (w: ArenaBufferWriter<byte>) = roAddr w.WrittenSpan

/// Writes `count` bytes of a pattern starting at `from`.
let writeBytes (w: ArenaBufferWriter<byte>) (from: int) (count: int) =
    w.Write(ReadOnlySpan(Array.init count (fun i -> byte ((from + i) % 251))))

let pattern (count: int) =
    Array.init count (fun i -> byte (i % 251))

/// A stream that is not seekable (its length unknown), counts what it handed out, and completes synchronously.
type TrickleStream(data: byte[]) =
    inherit Stream()
    let mutable position = 0
    member _.BytesRead = position
    override _.CanRead = true
    override _.CanSeek = false
    override _.CanWrite = false
    override _.Length = raise (NotSupportedException())

    override _.Position
        with get () = raise (NotSupportedException())
        and set _ = raise (NotSupportedException())

    override _.Flush() = ()
    override _.Seek(_, _) = raise (NotSupportedException())
    override _.SetLength _ = raise (NotSupportedException())
    override _.Write(_, _, _) = raise (NotSupportedException())

    override _.Read(buffer: byte[], offset: int, count: int) =
        let n = min count (data.Length - position)
        Array.blit data position buffer offset n
        position <- position + n
        n

    override this.ReadAsync(buffer: Memory<byte>, ct: CancellationToken) =
        ct.ThrowIfCancellationRequested()
        let n = min buffer.Length (data.Length - position)
        data.AsSpan(position, n).CopyTo(buffer.Span)
        position <- position + n
        ValueTask<int>(n)

let readAll (arena: Arena) (stream: Stream) (maxBytes: int64) (declared: Nullable<int64>) =
    arena.ReadToEndAsync(stream, maxBytes, declared).AsTask().GetAwaiter().GetResult()

let private writer =
    testList
        "ArenaBufferWriter"
        [
            testCase "while it is the newest allocation the buffer grows in place: same address, contents kept"
            <| fun () ->
                use arena = unchecked 65536L
                let w = ArenaBufferWriter<byte>(arena, 64)
                writeBytes w 0 50
                let first = bufferAddr w
                writeBytes w 50 5000
                Expect.equal (bufferAddr w) first "same buffer"
                Expect.equal (written w) (pattern 5050) "contents"
                Expect.isGreaterThanOrEqual w.Capacity 5050 "capacity"
                Expect.equal arena.BytesAllocated (int64 w.Capacity) "the arena holds exactly the buffer"

            testCase "when something was allocated after it, the buffer moves and keeps its contents"
            <| fun () ->
                use arena = unchecked 65536L
                let w = ArenaBufferWriter<byte>(arena, 64)
                writeBytes w 0 60
                let first = bufferAddr w
                arena.Alloc 1L |> ignore
                writeBytes w 60 100
                Expect.notEqual (bufferAddr w) first "moved"
                Expect.equal (written w) (pattern 160) "contents"

            testCase
                "ToSlice gives the unwritten tail back and returns exactly the written bytes; the writer starts over"
            <| fun () ->
                use arena = unchecked 65536L
                let w = ArenaBufferWriter<byte>(arena, 1000)
                writeBytes w 0 10
                Expect.equal arena.BytesAllocated 1000L "buffer of 1000"
                let slice = w.ToSlice()
                Expect.equal arena.BytesAllocated 10L "tail given back"
                Expect.equal (slice.ToArray()) (pattern 10) "slice"
                Expect.equal (w.WrittenCount, w.Capacity) (0, 0) "empty again"

            testCase "an unmanaged element type: aligned, grows, keeps values"
            <| fun () ->
                use arena = unchecked 65536L
                arena.Alloc 1uy |> ignore
                let w = ArenaBufferWriter<int64>(arena, 4)

                for i in 0..999 do
                    let span = w.GetSpan 1
                    span[0] <- int64 i * 3L
                    w.Advance 1

                Expect.isTrue (isAligned 8L (roAddr w.WrittenSpan)) "8-aligned"
                Expect.equal (w.WrittenSpan.ToArray()) (Array.init 1000 (fun i -> int64 i * 3L)) "values"

            testCase
                "a growth past the budget throws ArenaBudgetExceededException; arena and writer unchanged (in place and moving)"
            <| fun () ->
                for moving in [ false; true ] do
                    use arena = unchecked 65536L
                    let w0 = witness arena
                    use tx = arena.BeginTransaction()
                    tx.SetLimit 2000L
                    let w = ArenaBufferWriter<byte>(arena, 1000)
                    writeBytes w 0 900

                    let wit = if moving then witness arena else w0

                    let before = written w, w.Capacity
                    let t = throwsUnchanged<ArenaBudgetExceededException> arena wit
                    t $"GetSpan past the budget (moving={moving})" (fun () -> w.GetSpan(3000).Length |> ignore)

                    t $"Write past the budget (moving={moving})" (fun () ->
                        w.Write(ReadOnlySpan(Array.zeroCreate<byte> 3000)))

                    Expect.equal (written w, w.Capacity) before "writer unchanged"

            testCase "a growth is cut to what the budget allows, so a write that fits exactly succeeds"
            <| fun () ->
                use arena = unchecked 65536L
                use tx = arena.BeginTransaction()
                tx.SetLimit 1500L
                let w = ArenaBufferWriter<byte>(arena, 1000)
                writeBytes w 0 1000
                writeBytes w 1000 500
                Expect.equal (written w) (pattern 1500) "all 1500 bytes"
                Expect.equal tx.BudgetRemaining (Nullable 0L) "budget spent exactly"

            testCase "bad arguments throw ArgumentOutOfRangeException and change nothing"
            <| fun () ->
                use arena = unchecked 65536L
                let wit = witness arena
                let w = ArenaBufferWriter<byte>(arena, 16)
                writeBytes w 0 10
                let t = throwsUnchanged<ArgumentOutOfRangeException> arena wit
                t "Advance past the free capacity" (fun () -> w.Advance(w.FreeCapacity + 1))
                t "negative Advance" (fun () -> w.Advance -1)
                t "negative size hint" (fun () -> w.GetSpan(-1).Length |> ignore)
                Expect.equal (written w) (pattern 10) "writer unchanged"

                Expect.throwsT<ArgumentOutOfRangeException>
                    (fun () -> ArenaBufferWriter<byte>(arena, 0) |> ignore)
                    "capacity 0"

                Expect.throwsT<ArgumentNullException>
                    (fun () -> ArenaBufferWriter<byte>(Unchecked.defaultof<Arena>) |> ignore)
                    "null arena"

            testCase "checked mode: after a rewind below the buffer every member throws InvalidOperationException"
            <| fun () ->
                use arena = checkedArena 65536L
                let cp = arena.GetCheckpoint()
                let w = ArenaBufferWriter<byte>(arena, 64)
                writeBytes w 0 10
                let memory = w.GetMemory 8
                arena.Rewind cp
                let wit = witness arena
                let t = throwsUnchanged<InvalidOperationException> arena wit
                t "GetSpan" (fun () -> w.GetSpan().Length |> ignore)
                t "Advance" (fun () -> w.Advance 1)
                t "WrittenSpan" (fun () -> w.WrittenSpan.Length |> ignore)
                t "Write" (fun () -> w.Write(ReadOnlySpan [| 1uy |]))
                t "ToSlice" (fun () -> w.ToSlice() |> ignore)
                t "memory handed out earlier" (fun () -> memory.Span.Length |> ignore)

            testCase "a disposed arena: the writer throws ObjectDisposedException"
            <| fun () ->
                let arena = unchecked 4096L
                let w = ArenaBufferWriter<byte>(arena)
                writeBytes w 0 10
                arena.Dispose()
                Expect.throwsT<ObjectDisposedException> (fun () -> w.GetSpan().Length |> ignore) "GetSpan"
        ]

let private memory =
    testList
        "Memory<T>"
        [
            testCase "AsMemory covers the slice's elements; Pin gives their address"
            <| fun () ->
                use arena = unchecked 4096L
                let slice = arena.AllocSliceHandle(ReadOnlySpan [| 1; 2; 3; 4 |])
                let m = slice.AsMemory()
                Expect.equal (m.ToArray()) [| 1; 2; 3; 4 |] "elements"
                m.Span[2] <- 30
                Expect.equal slice[2] 30 "same memory"
                use pin = m.Slice(1).Pin()
                Expect.equal (vaddr pin.Pointer) (paddr (slice.DangerousGetPointer()) + 4n) "address of element 1"

            testCase "AllocMemory allocates zeroed elements"
            <| fun () ->
                use arena = unchecked 4096L
                let m = arena.AllocMemory<int64> 5
                Expect.equal (m.ToArray()) (Array.zeroCreate 5) "zeroed"
                Expect.equal arena.BytesAllocated 40L "40 bytes"

            testCase "checked mode: Memory over arena memory is stale after a rewind, like handles"
            <| fun () ->
                use arena = checkedArena 4096L
                let keep = arena.AllocMemory<int> 2
                let cp = arena.GetCheckpoint()
                let m = arena.AllocMemory<int> 3
                arena.Rewind cp
                Expect.throwsT<InvalidOperationException> (fun () -> m.Span.Length |> ignore) "Span"
                Expect.throwsT<InvalidOperationException> (fun () -> m.Pin() |> ignore) "Pin"
                Expect.equal keep.Length 2 "memory below the rewind stays live"
                Expect.equal (keep.Span.ToArray()) [| 0; 0 |] "and readable"

                Expect.throwsT<InvalidOperationException> (fun () -> m.ToArray() |> ignore) "ToArray"
        ]

let private streams =
    testList
        "reading streams"
        [
            testCase "a stream under the cap is read whole, into exactly its size"
            <| fun () ->
                use arena = unchecked 65536L
                let data = pattern 50_000
                let slice = readAll arena (new TrickleStream(data)) 100_000L (Nullable())
                Expect.equal (slice.ToArray()) data "contents"
                Expect.equal arena.BytesAllocated 50_000L "exactly the body"

            testCase "a declared or seekable length over the cap is refused before anything is read"
            <| fun () ->
                use arena = unchecked 65536L
                let wit = witness arena
                let ms = new MemoryStream(pattern 30_000)

                throwsUnchanged<ArenaBudgetExceededException> arena wit "seekable over the cap" (fun () ->
                    readAll arena ms 20_000L (Nullable()) |> ignore)

                Expect.equal ms.Position 0L "nothing read"
                let trickle = new TrickleStream(pattern 30_000)

                throwsUnchanged<ArenaBudgetExceededException> arena wit "declared over the cap" (fun () ->
                    readAll arena trickle 20_000L (Nullable 30_000L) |> ignore)

                Expect.equal trickle.BytesRead 0 "nothing read"

            testCase "an undeclared stream over the cap: reading stops one byte past it, the bytes read are given back"
            <| fun () ->
                use arena = unchecked 65536L
                let wit = witness arena
                let trickle = new TrickleStream(pattern 1_000_000)

                throwsUnchanged<ArenaBudgetExceededException> arena wit "over the cap" (fun () ->
                    readAll arena trickle 20_000L (Nullable()) |> ignore)

                Expect.equal trickle.BytesRead 20_001 "stopped one byte past the cap"

            testCase "a stream of exactly the cap is accepted"
            <| fun () ->
                use arena = unchecked 65536L
                let slice = readAll arena (new TrickleStream(pattern 20_000)) 20_000L (Nullable())
                Expect.equal slice.Length 20_000 "all of it"

            testCase
                "the arena's budget refuses a declared length before reading, and an undeclared one as soon as it is passed"
            <| fun () ->
                use arena = unchecked 65536L
                let wit = witness arena
                use tx = arena.BeginTransaction()
                tx.SetLimit 8_000L
                let declared = new TrickleStream(pattern 9_000)

                throwsUnchanged<ArenaBudgetExceededException> arena wit "declared over the budget" (fun () ->
                    readAll arena declared Int64.MaxValue (Nullable 9_000L) |> ignore)

                Expect.equal declared.BytesRead 0 "nothing read"
                let undeclared = new TrickleStream(pattern 9_000)

                throwsUnchanged<ArenaBudgetExceededException> arena wit "undeclared over the budget" (fun () ->
                    readAll arena undeclared Int64.MaxValue (Nullable()) |> ignore)

                Expect.isLessThanOrEqual undeclared.BytesRead 8_001 "stopped one byte past the budget"

                let slice =
                    readAll arena (new TrickleStream(pattern 8_000)) Int64.MaxValue (Nullable())

                Expect.equal (slice.ToArray()) (pattern 8_000) "exactly the budget fits"

            testCase "bad arguments and cancellation throw and change nothing"
            <| fun () ->
                use arena = unchecked 65536L
                let wit = witness arena

                throwsUnchanged<ArgumentOutOfRangeException> arena wit "negative cap" (fun () ->
                    readAll arena (new MemoryStream()) -1L (Nullable()) |> ignore)

                throwsUnchanged<ArgumentOutOfRangeException> arena wit "negative declared length" (fun () ->
                    readAll arena (new MemoryStream()) 10L (Nullable -1L) |> ignore)

                throwsUnchanged<ArgumentNullException> arena wit "null stream" (fun () ->
                    readAll arena (Unchecked.defaultof<Stream>) 10L (Nullable()) |> ignore)

                use cts = new CancellationTokenSource()
                cts.Cancel()

                throwsUnchanged<OperationCanceledException> arena wit "cancelled" (fun () ->
                    arena
                        .ReadToEndAsync(new TrickleStream(pattern 100), 1000L, Nullable(), cts.Token)
                        .AsTask()
                        .GetAwaiter()
                        .GetResult()
                    |> ignore)
        ]

let tests = testList "buffers" [ writer; memory; streams ]
