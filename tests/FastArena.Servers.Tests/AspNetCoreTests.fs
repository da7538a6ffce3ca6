/// The ASP.NET Core layer through an in-process host on a loopback port: per-request arenas from a pool,
/// the budget's 413, the arena's return after normal, failing and aborted requests, metrics, body reading;
/// and the server sample, whose arena and GC endpoints must answer identically.
module FastArena.Servers.Tests.AspNetCoreTests

open System
open System.Diagnostics.Metrics
open System.IO
open System.IO.Pipelines
open System.Net.Http
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks
open Expecto
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Hosting.Server
open Microsoft.AspNetCore.Hosting.Server.Features
open Microsoft.AspNetCore.Http
open Microsoft.AspNetCore.Server.Kestrel.Core
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging
open FastArena
open FastArena.AspNetCore
open FastArena.Tests.Common
open FastArena.Testing.Unchanged

let sync (t: Task<'T>) = t.GetAwaiter().GetResult()

/// The address a started application listens on.
let address (app: WebApplication) =
    let server = app.Services.GetRequiredService<IServer>()

    match server.Features.Get<IServerAddressesFeature>() with
    | null -> failwith "no server addresses"
    | f -> Uri(f.Addresses |> Seq.head)

/// Waits (up to 20 s) until `condition` holds; the server finishes requests after the client has its answer.
let eventually (message: string) (condition: unit -> bool) =
    let deadline = DateTime.UtcNow.AddSeconds 20.0

    while not (condition ()) && DateTime.UtcNow < deadline do
        Thread.Sleep 10

    Expect.isTrue (condition ()) message

let unckeckedPool () =
    new ArenaPool(ArenaPoolOptions(ArenaOptions = ArenaOptions(InitialBlockSize = 16384L, CheckedMode = false)))

/// A host with the middleware (budget 64 KiB) over `pool`, and test endpoints; `configure` adjusts the
/// builder first (Kestrel's limits, for example).
let startHostWith
    (configure: WebApplicationBuilder -> unit)
    (pool: ArenaPool)
    (ran: int ref)
    (captured: (IArenaFeature | null) ref)
    =
    let builder = WebApplication.CreateSlimBuilder()
    builder.WebHost.UseUrls("http://127.0.0.1:0") |> ignore
    builder.Logging.ClearProviders() |> ignore
    configure builder

    builder.Services.AddFastArena(fun o ->
        o.Pool <- pool
        o.RequestBudgetBytes <- Nullable 65536L)
    |> ignore

    let app = builder.Build()
    app.UseFastArena() |> ignore

    let handle (path: string) (f: HttpContext -> Task) =
        app.MapMethods(path, [ "GET"; "POST" ], RequestDelegate f) |> ignore

    handle "/ok" (fun ctx ->
        task {
            Interlocked.Increment(&ran.contents) |> ignore
            let arena = ctx.GetArena()
            arena.AllocRaw(1000n, 1n) |> ignore
            captured.Value <- ctx.GetArenaFeature()
            do! Task.Yield()

            let used =
                match ctx.GetArenaFeature() with
                | null -> -1L
                | f -> f.BytesUsed

            do! ctx.Response.WriteAsync(string used)
        })

    handle "/fail" (fun ctx ->
        task {
            ctx.GetArena().AllocRaw(100n, 1n) |> ignore
            do! Task.Yield()
            raise (InvalidOperationException "endpoint failed")
        })

    handle "/budget" (fun ctx ->
        task {
            Interlocked.Increment(&ran.contents) |> ignore
            ctx.GetArena().AllocRaw(100000n, 1n) |> ignore
            do! ctx.Response.WriteAsync "not reached"
        })

    handle "/body" (fun ctx ->
        task {
            Interlocked.Increment(&ran.contents) |> ignore
            let! body = ctx.ReadBodyIntoArenaAsync()
            do! ctx.Response.WriteAsync(string body.Length + ":" + string (body.ToArray() |> Array.sumBy int))
        })

    handle "/wait" (fun ctx ->
        task {
            ctx.GetArena().AllocRaw(10n, 1n) |> ignore
            do! Task.Delay(Timeout.Infinite, ctx.RequestAborted)
        })

    (app.StartAsync()).GetAwaiter().GetResult()
    app

/// `startHostWith` with Kestrel's defaults.
let startHost pool ran captured = startHostWith ignore pool ran captured

let private withHost
    (f: WebApplication -> HttpClient -> ArenaPool -> int ref -> (IArenaFeature | null) ref -> unit)
    ()
    =
    use pool = unckeckedPool ()
    let ran = ref 0
    let captured: (IArenaFeature | null) ref = ref null
    let app = startHost pool ran captured

    try
        use client = new HttpClient(BaseAddress = address app)
        f app client pool ran captured
    finally
        (app.StopAsync()).GetAwaiter().GetResult()
        (app.DisposeAsync()).AsTask().GetAwaiter().GetResult()

let get (client: HttpClient) (path: string) = sync (client.GetAsync path)

let post (client: HttpClient) (path: string) (body: byte[]) =
    sync (client.PostAsync(path, new ByteArrayContent(body)))

let text (r: HttpResponseMessage) = sync (r.Content.ReadAsStringAsync())

/// Sends raw bytes on a fresh loopback connection, then closes it without reading the answer.
let sendAndClose (uri: Uri) (bytes: byte[]) =
    use socket = new TcpClient()
    socket.Connect("127.0.0.1", uri.Port)
    let stream = socket.GetStream()
    stream.Write(bytes, 0, bytes.Length)
    stream.Flush()
    Thread.Sleep 200
    socket.Client.LingerState <- LingerOption(true, 0)

let private middleware =
    testList
        "middleware"
        [
            testCase "each request gets an arena from the pool, holding its allocations, and gives it back"
            <| withHost (fun _ client pool ran captured ->
                for _ in 1..5 do
                    let r = get client "/ok"
                    Expect.equal (int r.StatusCode) 200 "200"
                    Expect.equal (text r) "1000" "the request's bytes"

                eventually "every arena back" (fun () -> pool.Stats.Outstanding = 0L)
                Expect.equal pool.Stats.Rented 5L "one rent per request"

                Expect.throwsT<InvalidOperationException>
                    (fun () ->
                        match captured.Value with
                        | null -> failtest "no feature captured"
                        | f -> f.Arena |> ignore)
                    "the feature is dead once the request ended")

            testCase "a failing endpoint answers 500 and its arena goes back"
            <| withHost (fun _ client pool _ _ ->
                let r = get client "/fail"
                Expect.equal (int r.StatusCode) 500 "500"
                eventually "arena back" (fun () -> pool.Stats.Outstanding = 0L)
                Expect.equal pool.Stats.Discarded 0L "pooled again, not discarded")

            testCase "a budget breach answers 413 with a ProblemDetails body; the arena goes back"
            <| withHost (fun _ client pool _ _ ->
                let r = get client "/budget"
                Expect.equal (int r.StatusCode) 413 "413"
                Expect.stringStarts (string r.Content.Headers.ContentType) "application/problem+json" "problem+json"
                Expect.stringContains (text r) "\"status\":413" "ProblemDetails status"
                eventually "arena back" (fun () -> pool.Stats.Outstanding = 0L))

            testCase "a Content-Length over the budget is refused with 413 before the endpoint runs"
            <| withHost (fun _ client pool ran _ ->
                let r = post client "/body" (Array.zeroCreate 100000)
                Expect.equal (int r.StatusCode) 413 "413"
                Expect.equal ran.Value 0 "the endpoint never ran"
                Expect.equal pool.Stats.Rented 0L "no arena rented")

            testCase "a body is read into the arena; a chunked body over the budget answers 413"
            <| withHost (fun _ client pool _ _ ->
                let body = Array.init 5000 (fun i -> byte (i % 7))
                let r = post client "/body" body
                Expect.equal (text r) $"5000:{body |> Array.sumBy int}" "length and checksum"
                let chunked = new StreamContent(new MemoryStream(Array.zeroCreate<byte> 200000))
                let req = new HttpRequestMessage(HttpMethod.Post, "/body", Content = chunked)
                req.Headers.TransferEncodingChunked <- Nullable true
                let r = sync (client.SendAsync req)
                Expect.equal (int r.StatusCode) 413 "413 for the chunked body"
                eventually "arenas back" (fun () -> pool.Stats.Outstanding = 0L))

            testCase "aborted requests give their arena back: a body cut short, a client gone while the endpoint waits"
            <| withHost (fun app _ pool _ _ ->
                let uri = address app

                sendAndClose
                    uri
                    (Encoding.ASCII.GetBytes
                        "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\nonly a few bytes")

                sendAndClose uri (Encoding.ASCII.GetBytes "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
                eventually "two rents seen" (fun () -> pool.Stats.Rented = 2L)
                eventually "both arenas back" (fun () -> pool.Stats.Outstanding = 0L))

            // A body that trickles in below Kestrel's minimum data rate is answered 408 by Kestrel itself
            // (docs/decisions.md, "Servers"); the request's arena goes back like any aborted request's.
            testCase "a slow sender gets 408 Request Timeout and its arena goes back"
            <| fun () ->
                use pool = unckeckedPool ()
                let ran = ref 0
                let captured: (IArenaFeature | null) ref = ref null

                let slowLimit (b: WebApplicationBuilder) =
                    b.WebHost.ConfigureKestrel(fun o ->
                        o.Limits.MinRequestBodyDataRate <-
                            MinDataRate(bytesPerSecond = 100.0, gracePeriod = TimeSpan.FromSeconds 2.0))
                    |> ignore

                let app = startHostWith slowLimit pool ran captured

                try
                    use socket = new TcpClient()
                    socket.Connect("127.0.0.1", (address app).Port)
                    let stream = socket.GetStream()
                    stream.ReadTimeout <- 20000

                    let head =
                        Encoding.ASCII.GetBytes "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n"

                    stream.Write(head, 0, head.Length)
                    // One byte every 100 ms (10 B/s, a tenth of the minimum) until the server answers.
                    let deadline = DateTime.UtcNow.AddSeconds 20.0

                    while socket.Available = 0 && DateTime.UtcNow < deadline do
                        try
                            stream.WriteByte(byte ' ')
                        with :? IOException ->
                            ()

                        Thread.Sleep 100

                    let buffer = Array.zeroCreate<byte> 4096
                    let n = stream.Read(buffer, 0, buffer.Length)
                    let answer = Encoding.ASCII.GetString(buffer, 0, n)
                    Expect.stringStarts answer "HTTP/1.1 408" "Kestrel answers 408 Request Timeout"
                    Expect.equal ran.Value 1 "the endpoint was reading the body"
                    eventually "the arena is back" (fun () -> pool.Stats.Outstanding = 0L)
                    Expect.equal pool.Stats.Rented 1L "one rent"
                finally
                    (app.StopAsync()).GetAwaiter().GetResult()
                    (app.DisposeAsync()).AsTask().GetAwaiter().GetResult()

            testCase "metrics: bytes per request and budget rejections are recorded; the pool gauges report"
            <| withHost (fun app client pool _ _ ->
                let factory = app.Services.GetRequiredService<IMeterFactory>()
                let bytes = Collections.Concurrent.ConcurrentBag<int64>()
                let mutable rejections = 0L
                let mutable idle = -1L
                use listener = new MeterListener()

                listener.InstrumentPublished <-
                    fun i l ->
                        // This host's meter only (tests run in parallel, each host has its own).
                        if
                            i.Meter.Name = FastArenaMetrics.MeterName
                            && obj.ReferenceEquals(i.Meter.Scope, factory)
                        then
                            l.EnableMeasurementEvents i

                listener.SetMeasurementEventCallback<int64>(fun i v _ _ ->
                    match i.Name with
                    | "fastarena.request.bytes" -> bytes.Add v
                    | "fastarena.budget.rejections" -> Interlocked.Add(&rejections, v) |> ignore
                    | "fastarena.pool.leased" -> ()
                    | _ -> ())

                listener.SetMeasurementEventCallback<int>(fun i v _ _ ->
                    if i.Name = "fastarena.pool.idle" then
                        idle <- int64 v)

                listener.Start()
                get client "/ok" |> ignore
                get client "/budget" |> ignore
                post client "/body" (Array.zeroCreate 100000) |> ignore
                eventually "arenas back" (fun () -> pool.Stats.Outstanding = 0L)

                eventually $"two requests measured (saw {bytes.Count}, {rejections} rejections)" (fun () ->
                    bytes.Count = 2)

                Expect.contains bytes 1000L "the /ok request held 1000 bytes"
                Expect.equal rejections 2L "the breach and the oversized body"
                listener.RecordObservableInstruments()
                Expect.equal idle (int64 pool.Stats.Idle) "the idle gauge reports the pool")

            // Checked mode detects concurrent use (invariant I13), not use from another thread, so a request's
            // arena may resume on another thread after an await.
            testCase "checked mode: a request's arena follows it across awaits, and every arena goes back"
            <| fun () ->
                use pool =
                    new ArenaPool(
                        ArenaPoolOptions(ArenaOptions = ArenaOptions(InitialBlockSize = 16384L, CheckedMode = true))
                    )

                let ran = ref 0
                let captured: (IArenaFeature | null) ref = ref null
                let app = startHost pool ran captured

                try
                    use client = new HttpClient(BaseAddress = address app)

                    for _ in 1..20 do
                        let r = get client "/ok"
                        Expect.equal (int r.StatusCode) 200 "200 after an await hop"
                        Expect.equal (text r) "1000" "the request's bytes"

                    eventually "every arena back" (fun () -> pool.Stats.Outstanding = 0L)
                    Expect.equal pool.Stats.Discarded 0L "none discarded"
                finally
                    (app.StopAsync()).GetAwaiter().GetResult()
                    (app.DisposeAsync()).AsTask().GetAwaiter().GetResult()

            testCase
                "without the middleware, GetArena throws InvalidOperationException; UseFastArena needs AddFastArena"
            <| fun () ->
                Expect.throwsT<InvalidOperationException>
                    (fun () -> DefaultHttpContext().GetArena() |> ignore)
                    "GetArena"

                Expect.isNull (DefaultHttpContext().GetArenaFeature()) "no feature"
                let builder = WebApplication.CreateSlimBuilder()
                let app = builder.Build()
                Expect.throwsT<InvalidOperationException> (fun () -> app.UseFastArena() |> ignore) "UseFastArena"
        ]

let readPipe (arena: Arena) (data: byte[]) (maxBytes: int64) (declared: Nullable<int64>) =
    let reader =
        PipeReader.Create(new MemoryStream(data), StreamPipeReaderOptions(bufferSize = 4096))

    arena.ReadToEndAsync(reader, maxBytes, declared).AsTask().GetAwaiter().GetResult()

let private pipes =
    testList
        "PipeReader"
        [
            testCase "a body under the cap is read whole, into exactly its size"
            <| fun () ->
                use arena = unchecked 65536L
                let data = Array.init 30000 (fun i -> byte (i % 13))
                let slice = readPipe arena data 100000L (Nullable())
                Expect.equal (slice.ToArray()) data "contents"
                Expect.equal arena.BytesAllocated 30000L "exactly the body"

            testCase "over the cap (declared or not) or the budget: refused, the arena unchanged"
            <| fun () ->
                use arena = unchecked 65536L
                let wit = witness arena
                let t = throwsUnchanged<ArenaBudgetExceededException> arena wit

                t "declared over the cap" (fun () ->
                    readPipe arena (Array.zeroCreate 30000) 20000L (Nullable 30000L) |> ignore)

                t "undeclared over the cap" (fun () ->
                    readPipe arena (Array.zeroCreate 30000) 20000L (Nullable()) |> ignore)

                use tx = arena.BeginTransaction()
                tx.SetLimit 10000L

                t "declared over the budget" (fun () ->
                    readPipe arena (Array.zeroCreate 30000) 100000L (Nullable 30000L) |> ignore)

                t "undeclared over the budget" (fun () ->
                    readPipe arena (Array.zeroCreate 30000) 100000L (Nullable()) |> ignore)

                let fits = readPipe arena (Array.zeroCreate 10000) 100000L (Nullable())
                Expect.equal fits.Length 10000 "exactly the budget fits"

            testCase "bad arguments throw and change nothing"
            <| fun () ->
                use arena = unchecked 65536L
                let wit = witness arena

                throwsUnchanged<ArgumentOutOfRangeException> arena wit "negative cap" (fun () ->
                    readPipe arena [||] -1L (Nullable()) |> ignore)

                throwsUnchanged<ArgumentOutOfRangeException> arena wit "negative declared length" (fun () ->
                    readPipe arena [||] 10L (Nullable -1L) |> ignore)
        ]

/// A deterministic orders document with `count` orders (some names need escaping).
let ordersJson (count: int) (seed: int) =
    let rng = Random(seed)
    let names = [| "ann"; "bob"; "cy"; "Zoë \"q\""; "tab\there" |]
    let sb = StringBuilder("{\"meta\":{\"x\":[1,2]},\"orders\":[")

    for i in 0 .. count - 1 do
        if i > 0 then
            sb.Append ',' |> ignore

        let name = names[rng.Next names.Length].Replace("\"", "\\\"").Replace("\t", "\\t")
        sb.Append($"{{\"id\":{i + 1},\"customer\":\"{name}\",\"items\":[") |> ignore

        for j in 0 .. rng.Next(0, 4) do
            if j > 0 then
                sb.Append ',' |> ignore

            let price = decimal (rng.Next(1, 100000)) / 100m

            sb.Append($"{{\"sku\":\"S{j}\",\"qty\":{rng.Next(1, 9)},\"price\":{price}}}")
            |> ignore

        sb.Append("]}") |> ignore

    sb.Append("]}").ToString() |> Encoding.UTF8.GetBytes

let private sample =
    testList
        "server sample"
        [
            testCase
                "the arena and GC endpoints answer identically (status, content type, body), and every arena goes back"
            <| fun () ->
                let app = FastArena.Server.OrdersApp.Create([| "--urls"; "http://127.0.0.1:0" |])
                (app.StartAsync()).GetAwaiter().GetResult()

                try
                    use client = new HttpClient(BaseAddress = address app)

                    let bodies =
                        [
                            "a document", ordersJson 40 1
                            "another", ordersJson 300 2
                            "no orders", Encoding.UTF8.GetBytes "{\"orders\":[]}"
                            "null orders", Encoding.UTF8.GetBytes "{\"orders\":null}"
                            "not JSON", Encoding.UTF8.GetBytes "{\"orders\":[{\"id\":1,"
                            "a string qty",
                            Encoding.UTF8.GetBytes
                                "{\"orders\":[{\"id\":1,\"customer\":\"a\",\"items\":[{\"qty\":\"2\"}]}]}"
                            "deep nesting", Encoding.UTF8.GetBytes(String('[', 5000) + String(']', 5000))
                            "orders twice",
                            Encoding.UTF8.GetBytes
                                "{\"orders\":[{\"id\":1,\"customer\":\"a\",\"items\":[]}],\"orders\":[]}"
                            "an id twice",
                            Encoding.UTF8.GetBytes "{\"orders\":[{\"id\":1,\"id\":2,\"customer\":\"a\"}]}"
                            "a qty twice",
                            Encoding.UTF8.GetBytes
                                "{\"orders\":[{\"id\":1,\"customer\":\"a\",\"items\":[{\"qty\":1,\"qty\":9}]}]}"
                            "an unread property twice",
                            Encoding.UTF8.GetBytes
                                "{\"note\":1,\"note\":2,\"orders\":[{\"id\":1,\"customer\":\"a\",\"items\":[]}]}"
                            "over the body cap", Array.create (600 * 1024) (byte ' ')
                        ]

                    for name, body in bodies do
                        let a = post client "/arena/orders" body
                        let g = post client "/gc/orders" body
                        Expect.equal (int a.StatusCode) (int g.StatusCode) $"{name}: status"

                        if a.IsSuccessStatusCode then
                            Expect.equal
                                (string a.Content.Headers.ContentType)
                                (string g.Content.Headers.ContentType)
                                $"{name}: content type"

                            Expect.equal (text a) (text g) $"{name}: body"

                    Expect.equal
                        (int (post client "/arena/orders" (ordersJson 40 1)).StatusCode)
                        200
                        "the document is accepted"

                    Expect.equal
                        (int (post client "/arena/orders" (Encoding.UTF8.GetBytes "[")).StatusCode)
                        400
                        "400 for bad JSON"

                    Expect.equal
                        (int
                            (post client "/arena/orders" (Encoding.UTF8.GetBytes "{\"orders\":[],\"orders\":[]}"))
                                .StatusCode)
                        400
                        "400 for a property given twice"

                    Expect.equal
                        (int
                            (post client "/gc/orders" (Encoding.UTF8.GetBytes "{\"orders\":[],\"orders\":[]}"))
                                .StatusCode)
                        400
                        "the GC endpoint refuses it too"

                    Expect.equal
                        (int (post client "/arena/orders" (Array.create (600 * 1024) (byte ' '))).StatusCode)
                        413
                        "413 over the cap"

                    let pool = app.Services.GetRequiredService<ArenaPool>()
                    eventually "every arena back" (fun () -> pool.Stats.Outstanding = 0L)
                    Expect.isGreaterThan pool.Stats.Rented 0L "the arena endpoint rented"
                    let diag = text (get client "/diag")
                    Expect.stringContains diag "\"allocatedBytes\":" "diagnostics answer"
                finally
                    (app.StopAsync()).GetAwaiter().GetResult()
                    (app.DisposeAsync()).AsTask().GetAwaiter().GetResult()
        ]

let tests = testList "ASP.NET Core" [ middleware; pipes; sample ]
