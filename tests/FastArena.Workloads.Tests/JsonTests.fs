/// FastArena.Json against System.Text.Json on the same inputs: the same query results, the same
/// values through every accessor, the same bytes through the writer; and every refusal (malformed,
/// truncated, too deep, over budget) with a clear error and the arena exactly as it was.
module FastArena.Workloads.Tests.JsonTests

open System
open System.Collections.Generic
open System.Text
open System.Text.Json
open Expecto
open FastArena
open FastArena.Json
open FastArena.Workloads.Tests.Helpers
open FastArena.Testing.Unchanged
open FastArena.Workload.Json

let utf8 (s: string) = Encoding.UTF8.GetBytes s

let baselines: IJsonWorkload list =
    [ JsonDocumentWorkload(); JsonNodeWorkload(); JsonSerializerWorkload() ]

/// Hand-written documents that exercise the grammar's corners: escapes, surrogate pairs, number
/// spellings, empty containers, duplicate names, top-level scalars.
let corners =
    [
        """{"a":1,"b":[true,false,null],"c":{"d":"e"}}"""
        """ [ 1 , -0 , 1.50E+3 , 1e400 , -12345678901234567890 , 0.1 ] """
        "\"top-level string with \\\"quotes\\\", \\\\ and \\n and \\u00e9 and \\ud83d\\ude00\""
        "42"
        "true"
        "null"
        """{"":"empty name","dup":1,"dup":2}"""
        """{"nested":[[],{},[[{}]],{"x":[]}]}"""
        """{"Zoë":"東京","emoji":"😀","ctrl":"\u0001\t"}"""
    ]

let parse (arena: Arena) (text: byte[]) =
    ArenaJsonDocument.Parse(arena, ReadOnlySpan text)

let agreement =
    testList
        "agrees with System.Text.Json"
        [
            test "the query gives the same result as JsonDocument, JsonNode and JsonSerializer on small payloads" {
                use arena = new ArenaJsonWorkload()
                let mutable total = JsonQueryResult()

                for payload in JsonCorpus.SmallPayloads(7UL, 25) do
                    Expect.isGreaterThanOrEqual payload.Length 1000 "a small payload is at least 1 KB"
                    Expect.isLessThanOrEqual payload.Length 10_240 "a small payload is at most 10 KB"
                    let mine = arena.Run(ReadOnlyMemory payload)

                    for b in baselines do
                        Expect.equal (b.Run(ReadOnlyMemory payload)) mine $"{b.Name} agrees"

                    total.Add(&mine)

                Expect.isGreaterThan total.Orders 50L "the payloads hold orders"
                Expect.isGreaterThan total.Shipped 0L "some orders are shipped"
                Expect.isGreaterThan total.NullNotes 0L "some notes are null"
                Expect.isLessThan total.NullNotes total.Orders "some notes are not null"
                Expect.equal arena.Arena.Stats.BytesAllocated 0L "each document was released"
            }

            test "the query agrees on a large document" {
                use arena = new ArenaJsonWorkload()
                let doc = JsonCorpus.Large(3UL, 400_000L)
                Expect.isGreaterThan doc.Length 350_000 "about the size asked for"
                let mine = arena.Run(ReadOnlyMemory doc)

                for b in baselines do
                    Expect.equal (b.Run(ReadOnlyMemory doc)) mine $"{b.Name} agrees"

                Expect.isGreaterThan mine.Orders 500L "many orders"
            }

            test "the writer round trip equals the input's canonical form" {
                use arena = new Arena()

                let documents =
                    [ for c in corners -> utf8 c ]
                    @ List.ofArray (JsonCorpus.SmallPayloads(11UL, 10))

                for options in [ JsonWriterOptions(); JsonCorpus.WriterOptions ] do
                    for d in documents do
                        let expected = JsonRoundTrip.Canonical(ReadOnlyMemory d, options)
                        let actual = JsonRoundTrip.ThroughArena(arena, ReadOnlySpan d, options)
                        Expect.equal (Encoding.UTF8.GetString actual) (Encoding.UTF8.GetString expected) "written back"

                // Indented writers: numbers spelled the way Utf8JsonWriter spells them are indented too
                // (the corpus); other spellings are written as they are, not indented (documented).
                let indented = JsonWriterOptions(Indented = true)

                for d in JsonCorpus.SmallPayloads(12UL, 5) do
                    let expected = JsonRoundTrip.Canonical(ReadOnlyMemory d, indented)
                    let actual = JsonRoundTrip.ThroughArena(arena, ReadOnlySpan d, indented)

                    Expect.equal
                        (Encoding.UTF8.GetString actual)
                        (Encoding.UTF8.GetString expected)
                        "written back, indented"

                Expect.equal arena.Stats.BytesAllocated 0L "every document was released"
            }

            test "the corpus written back with its own options is the corpus byte for byte" {
                use arena = new Arena()

                for d in JsonCorpus.SmallPayloads(5UL, 5) do
                    let actual =
                        JsonRoundTrip.ThroughArena(arena, ReadOnlySpan d, JsonCorpus.WriterOptions)

                    Expect.sequenceEqual actual d "identical bytes"
            }

            test "every accessor reads what JsonElement reads" {
                use arena = new Arena()

                let rec same (path: string) (a: ArenaJsonElement) (e: JsonElement) =
                    Expect.equal a.ValueKind e.ValueKind $"{path}: kind"

                    match e.ValueKind with
                    | JsonValueKind.Object ->
                        Expect.equal (a.GetPropertyCount()) (Seq.length (e.EnumerateObject())) $"{path}: count"

                        for (pa, pe) in Seq.zip (a.EnumerateObject()) (e.EnumerateObject()) do
                            Expect.equal pa.Name pe.Name $"{path}: name"
                            Expect.isTrue (pa.NameEquals(ReadOnlySpan(utf8 pe.Name))) $"{path}: NameEquals"
                            same $"{path}.{pe.Name}" pa.Value pe.Value

                        for pe in e.EnumerateObject() do
                            // Lookups find the last of duplicate names, like JsonElement's.
                            let byUtf8 = a.GetProperty(ReadOnlySpan<byte>(utf8 pe.Name))
                            let byName = a.GetProperty(pe.Name)
                            let expected = e.GetProperty(pe.Name)
                            same $"{path}[{pe.Name}] by UTF-8" byUtf8 expected
                            same $"{path}[{pe.Name}] by name" byName expected
                    | JsonValueKind.Array ->
                        Expect.equal (a.GetArrayLength()) (e.GetArrayLength()) $"{path}: length"

                        for i in 0 .. e.GetArrayLength() - 1 do
                            same $"{path}[{i}]" a[i] e[i]

                        Expect.equal (Seq.length (a.EnumerateArray())) (e.GetArrayLength()) $"{path}: enumerated"
                    | JsonValueKind.String ->
                        Expect.equal (a.GetString()) (e.GetString()) $"{path}: string"
                        let s = nonNull (e.GetString())
                        Expect.sequenceEqual (a.GetUtf8String().ToArray()) (utf8 s) $"{path}: UTF-8"
                        Expect.isTrue (a.ValueEquals(s.AsSpan())) $"{path}: ValueEquals"
                        Expect.isFalse (a.ValueEquals(ReadOnlySpan(utf8 (s + "x")))) $"{path}: not ValueEquals"
                    | JsonValueKind.Number ->
                        let mutable l = 0L
                        let mutable el = 0L
                        Expect.equal (a.TryGetInt64(&l)) (e.TryGetInt64(&el)) $"{path}: TryGetInt64"
                        Expect.equal l el $"{path}: Int64"
                        let mutable d = 0.0
                        let mutable ed = 0.0
                        Expect.equal (a.TryGetDouble(&d)) (e.TryGetDouble(&ed)) $"{path}: TryGetDouble"
                        Expect.equal d ed $"{path}: Double"
                        Expect.equal (Encoding.UTF8.GetString(a.GetRawNumber())) (e.GetRawText()) $"{path}: raw"
                    | JsonValueKind.True
                    | JsonValueKind.False -> Expect.equal (a.GetBoolean()) (e.GetBoolean()) $"{path}: bool"
                    | _ -> Expect.isNull (a.GetString()) $"{path}: null reads as a null string"

                for c in corners @ [ Encoding.UTF8.GetString(JsonCorpus.Page(1UL, 3)) ] do
                    let bytes = utf8 c
                    let doc = parse arena bytes
                    use expected = JsonDocument.Parse(bytes)
                    same "$" doc.RootElement expected.RootElement
                    doc.Release()
            }
        ]

let accessors =
    testList
        "accessors"
        [
            test "lookups by name and index, typed reads and their documented exceptions" {
                use arena = new Arena()

                let doc =
                    parse
                        arena
                        (utf8
                            """{"id":9007199254740993,"pi":3.25,"ok":true,"s":"x\u00e9","big":1e3,"arr":[10,20,30],"o":{}}""")

                let root = doc.RootElement
                Expect.equal (root.GetProperty("id"B).GetInt64()) 9007199254740993L "an int64 beyond double precision"
                Expect.equal (root.GetProperty("pi").GetDouble()) 3.25 "double"
                Expect.isTrue (root.GetProperty("ok").GetBoolean()) "bool"
                Expect.equal (root.GetProperty("s").GetString()) "xé" "unescaped string"
                Expect.equal (root.GetProperty("s").GetUtf8String().Length) 3 "3 UTF-8 bytes"
                let arr = root.GetProperty("arr")
                Expect.equal (arr[2].GetInt64()) 30L "index"
                Expect.equal (root.GetPropertyCount()) 7 "property count"
                let mutable v = ArenaJsonElement()
                Expect.isFalse (root.TryGetProperty("missing", &v)) "missing property"
                Expect.equal v.ValueKind JsonValueKind.Undefined "default when missing"

                Expect.throwsT<KeyNotFoundException>
                    (fun () -> root.GetProperty("missing") |> ignore)
                    "GetProperty of a missing name"

                Expect.throwsT<FormatException>
                    (fun () -> root.GetProperty("big").GetInt64() |> ignore)
                    "1e3 is not an Int64"

                Expect.throwsT<FormatException>
                    (fun () -> root.GetProperty("pi").GetInt64() |> ignore)
                    "3.25 is not an Int64"

                Expect.throwsT<InvalidOperationException>
                    (fun () -> root.GetProperty("s").GetInt64() |> ignore)
                    "a string is not a number"

                Expect.throwsT<InvalidOperationException>
                    (fun () -> root.GetArrayLength() |> ignore)
                    "an object is not an array"

                Expect.throwsT<InvalidOperationException>
                    (fun () -> root.GetProperty("arr").GetProperty("x") |> ignore)
                    "an array is not an object"

                Expect.throwsT<ArgumentOutOfRangeException> (fun () -> arr[3] |> ignore) "index past the end"
                Expect.throwsT<ArgumentOutOfRangeException> (fun () -> arr[-1] |> ignore) "negative index"

                Expect.throwsT<InvalidOperationException>
                    (fun () -> ArenaJsonElement().GetBoolean() |> ignore)
                    "default element"

                Expect.equal (ArenaJsonElement().ValueKind) JsonValueKind.Undefined "default is Undefined"
                Expect.equal (root.GetProperty("arr").ToString()) "[10,20,30]" "ToString is compact JSON"
            }

            test "BytesUsed is what the arena gave the document, and Release gives it back" {
                use arena = new Arena()
                arena.Alloc(7L) |> ignore
                let before = arena.Stats.BytesAllocated
                let doc = parse arena (JsonCorpus.Page(2UL, 4))
                Expect.equal (arena.Stats.BytesAllocated - before) doc.BytesUsed "BytesUsed"
                Expect.equal doc.Start.BytesAllocated before "Start is the position before the document"
                doc.Release()
                Expect.equal arena.Stats.BytesAllocated before "released"
            }

            test "the document holds its own copy of the input: overwriting the input changes no value" {
                use arena = new Arena()

                let input =
                    utf8 """{"name":"plain","esc":"a\u00e9b","n":-12.5e1,"list":["x","yz"],"k":7}"""

                let doc = parse arena input
                let before = doc.RootElement.ToString()
                Array.fill input 0 input.Length (byte ' ')
                let root = doc.RootElement
                Expect.equal (root.GetProperty("name").GetString()) "plain" "an unescaped string"
                Expect.equal (root.GetProperty("esc").GetString()) "aéb" "an escaped string"
                Expect.equal (Encoding.UTF8.GetString(root.GetProperty("n").GetRawNumber())) "-12.5e1" "a number's text"
                Expect.equal (root.GetProperty("n").GetDouble()) (-125.0) "a number's value"
                Expect.equal ((root.GetProperty("list")).[1].GetString()) "yz" "an array's string"
                Expect.equal (root.GetProperty("k").GetInt64()) 7L "the last number"
                Expect.equal (root.ToString()) before "written back as before"

                Expect.isGreaterThanOrEqual
                    doc.BytesUsed
                    (int64 input.Length)
                    "the document's bytes include the copy of its input"
            }

            test "GetDouble returns the very double the general parser returns, on short and long decimals" {
                use arena = new Arena()
                let random = Random(17)

                let number () =
                    let digits = random.Next(1, 19)
                    let text = String [| for _ in 1..digits -> char (int '0' + random.Next 10) |]
                    let text = text.TrimStart('0').PadLeft(1, '0')
                    let point = random.Next(0, text.Length)
                    let sign = if random.Next 2 = 0 then "-" else ""

                    let body =
                        if point = 0 then
                            text
                        else
                            text.Insert(text.Length - point, ".").Replace("-.", "-0.")

                    let body = if body.StartsWith "." then "0" + body else body
                    let exponent = if random.Next 5 = 0 then $"e{random.Next(-30, 30)}" else ""
                    sign + body + exponent

                let numbers =
                    [ for _ in 1..5000 -> number () ]
                    @ [
                        "0"
                        "-0"
                        "0.1"
                        "0.3"
                        "123456789012345"
                        "1234567890123456"
                        "999999999999999.9"
                        "0.000000000000001"
                        "2.2250738585072014"
                    ]

                let text = "[" + String.Join(",", numbers) + "]"
                let root = (parse arena (utf8 text)).RootElement
                use expected = JsonDocument.Parse(text)

                for i in 0 .. numbers.Length - 1 do
                    let a = root[i].GetDouble()
                    let general = Double.Parse(numbers[i], Globalization.CultureInfo.InvariantCulture)

                    Expect.equal
                        (BitConverter.DoubleToInt64Bits a)
                        (BitConverter.DoubleToInt64Bits general)
                        $"{numbers[i]}: the general parser's bits"

                    Expect.equal a (expected.RootElement[i].GetDouble()) $"{numbers[i]}: JsonElement's value"
            }

            test "a name given twice: both members kept in order, lookups find the last, as JsonDocument reads it" {
                use arena = new Arena()
                // "\u0069d" is "id" after unescaping: the third member of that name.
                let text = """{"id":1,"tags":["a"],"id":2,"\u0069d":3,"x":{"k":true,"k":false}}"""
                let doc = parse arena (utf8 text)
                let root = doc.RootElement
                use expected = JsonDocument.Parse(text)
                let e = expected.RootElement

                Expect.equal (root.GetPropertyCount()) 5 "every member is kept"

                Expect.equal
                    [ for p in root.EnumerateObject() -> p.Name ]
                    [ for p in e.EnumerateObject() -> p.Name ]
                    "the same members in the same order as JsonDocument"

                Expect.equal (root.GetProperty("id").GetInt64()) 3L "by name: the last"
                Expect.equal (root.GetProperty(ReadOnlySpan<byte>("id"B)).GetInt64()) 3L "by UTF-8 name: the last"
                Expect.equal (root.GetProperty("id").GetInt64()) (e.GetProperty("id").GetInt64()) "as JsonDocument"
                Expect.isFalse (root.GetProperty("x").GetProperty("k").GetBoolean()) "nested: the last"

                Expect.sequenceEqual
                    (JsonRoundTrip.ThroughArena(arena, ReadOnlySpan(utf8 text)))
                    (JsonRoundTrip.Canonical(ReadOnlyMemory(utf8 text)))
                    "written back with every member, as JsonElement writes it"
            }

            test "a warm arena parses, queries and releases with no managed allocation" {
                use workload = new ArenaJsonWorkload()
                let payloads = JsonCorpus.SmallPayloads(9UL, 20) |> Array.map ReadOnlyMemory

                for p in payloads do
                    workload.Run p |> ignore // warm: JIT, arena blocks, scratch stacks

                // The runtime itself may allocate a few bytes on this thread now and then (tiered
                // compilation finishing): a window of 20 documents is clean unless every document
                // allocates, so the cleanest of 10 windows must be exactly 0.
                let windows =
                    [
                        for _ in 1..10 ->
                            let before = GC.GetAllocatedBytesForCurrentThread()

                            for p in payloads do
                                workload.Run p |> ignore

                            GC.GetAllocatedBytesForCurrentThread() - before
                    ]

                Expect.equal (List.min windows) 0L $"managed bytes of 20 warm documents (windows: {windows})"
            }
        ]

/// A depth bomb: `depth` nested arrays, closed or not.
let bomb (depth: int) (closed: bool) =
    utf8 (String('[', depth) + (if closed then String(']', depth) else ""))

/// Checks that parsing `input` throws ArenaJsonException with `expected`, that TryParse returns false
/// with it, and that neither changes the arena (stats, cursor, depth, earlier contents).
let refused (options: ArenaJsonOptions) (expected: ArenaJsonError) (name: string) (input: byte[]) =
    // A first block that holds every test document, so that not even a spare block is left behind.
    use arena = unchecked (1L <<< 20)
    let w = witness arena

    throwsUnchanged<ArenaJsonException> arena w name (fun () ->
        ArenaJsonDocument.Parse(arena, ReadOnlySpan input, options) |> ignore)

    match catchExn name (fun () -> ArenaJsonDocument.Parse(arena, ReadOnlySpan input, options) |> ignore) with
    | :? ArenaJsonException as e ->
        Expect.equal e.Error expected $"{name}: error"
        Expect.isNotEmpty e.Message $"{name}: a message"
        Expect.isGreaterThanOrEqual e.BytePosition 0L $"{name}: a position"
        Expect.isLessThanOrEqual e.BytePosition (int64 input.Length) $"{name}: a position within the input"
    | e -> failtestf "%s: %O" name e

    falseUnchanged arena w $"{name} (TryParse)" (fun () ->
        let mutable doc = ArenaJsonDocument()
        let mutable error = ArenaJsonError.None

        let ok =
            ArenaJsonDocument.TryParse(arena, ReadOnlySpan input, &doc, &error, options)

        Expect.equal error (if ok then ArenaJsonError.None else expected) $"{name}: TryParse error"
        ok)

    // The arena still works, from the same place.
    let cp = arena.GetCheckpoint()
    let good = ArenaJsonDocument.Parse(arena, ReadOnlySpan(utf8 "[1]"))
    Expect.equal good.Start cp "the next document starts where the refused one did"

let refusals =
    testList
        "refusals leave the arena unchanged"
        [
            test "malformed JSON" {
                for text in
                    [
                        "{\"a\":1,}"
                        "[1 2]"
                        "{a:1}"
                        "[1]x"
                        "'single'"
                        "{\"a\":01}"
                        "[tru]"
                        "[1,]"
                        "{\"a\" 1}"
                        "// c\n1"
                        "[\"\\x\"]"
                        "[NaN]"
                    ] do
                    refused ArenaJsonOptions.Default ArenaJsonError.Malformed text (utf8 text)

                refused
                    ArenaJsonOptions.Default
                    ArenaJsonError.Malformed
                    "invalid UTF-8"
                    [| byte '"'; 0xC3uy; 0x28uy; byte '"' |]
                // Invalid UTF-8 in one string of a long valid page: found, and its position reported.
                let page = JsonCorpus.Page(5UL, 20)
                let key = utf8 "\"city\":\""

                let at =
                    page.AsSpan(page.Length / 2).IndexOf(ReadOnlySpan key)
                    + page.Length / 2
                    + key.Length

                Expect.isGreaterThan at (page.Length / 2 + key.Length - 1) "a city in the page's second half"
                let bad = Array.copy page
                bad[at] <- 0xFFuy
                refused ArenaJsonOptions.Default ArenaJsonError.Malformed "invalid UTF-8 inside a long page" bad

                use scratch = new Arena()

                match catchExn "position" (fun () -> ArenaJsonDocument.Parse(scratch, ReadOnlySpan bad) |> ignore) with
                | :? ArenaJsonException as e ->
                    Expect.isLessThanOrEqual e.BytePosition (int64 at) "the position is at or before the bad byte"
                    Expect.isGreaterThan e.BytePosition (int64 (at - 200)) "the position is near the bad byte"
                | e -> failtestf "%O" e
                // A large document that goes wrong near its end, after many allocations.
                let page = JsonCorpus.Page(4UL, 30)
                let broken = Array.append page.[.. page.Length - 3] (utf8 "x}")
                refused ArenaJsonOptions.Default ArenaJsonError.Malformed "a long document broken at its end" broken
            }

            test "truncated documents" {
                for text in
                    [
                        ""
                        "   "
                        "{"
                        "[1, 2"
                        "{\"a\":"
                        "{\"a\""
                        "\"unterminated"
                        "tru"
                        "[{\"x\":[1]}"
                    ] do
                    refused ArenaJsonOptions.Default ArenaJsonError.Truncated $"'{text}'" (utf8 text)

                let page = JsonCorpus.Page(6UL, 30)

                for cut in [ 1; page.Length / 3; page.Length / 2; page.Length - 1 ] do
                    refused ArenaJsonOptions.Default ArenaJsonError.Truncated $"a page cut at {cut}" page.[.. cut - 1]
            }

            test "depth bombs" {
                refused ArenaJsonOptions.Default ArenaJsonError.TooDeep "65 arrays, closed" (bomb 65 true)

                refused
                    ArenaJsonOptions.Default
                    ArenaJsonError.TooDeep
                    "100,000 arrays, never closed"
                    (bomb 100_000 false)

                let three = ArenaJsonOptions(MaxDepth = 3)
                refused three ArenaJsonError.TooDeep "4 levels with MaxDepth 3" (utf8 """{"a":{"b":[{"c":1}]}}""")

                use arena = new Arena()

                Expect.equal
                    (ArenaJsonDocument.Parse(arena, ReadOnlySpan(bomb 64 true)).RootElement.GetArrayLength())
                    1
                    "64 levels fit the default"

                Expect.equal
                    (ArenaJsonDocument
                        .Parse(arena, ReadOnlySpan(utf8 """{"a":{"b":[1]}}"""), three)
                        .RootElement.GetPropertyCount())
                    1
                    "3 levels fit MaxDepth 3"

                let deep = ArenaJsonOptions(MaxDepth = 1000)

                Expect.equal
                    (ArenaJsonDocument.Parse(arena, ReadOnlySpan(bomb 1000 true), deep).RootElement.GetArrayLength())
                    1
                    "1,000 levels with MaxDepth 1000"

                Expect.throwsT<ArgumentOutOfRangeException>
                    (fun () -> ArenaJsonOptions(MaxDepth = 0) |> ignore)
                    "MaxDepth 0"

                Expect.throwsT<ArgumentOutOfRangeException>
                    (fun () -> ArenaJsonOptions(MaxDepth = 1001) |> ignore)
                    "MaxDepth 1001"
            }

            test "documents over the byte budget" {
                let page = JsonCorpus.Page(8UL, 20)
                refused (ArenaJsonOptions(MaxBytes = 4096L)) ArenaJsonError.OverBudget "a 13 KB page in 4 KB" page
                refused (ArenaJsonOptions(MaxBytes = 0L)) ArenaJsonError.OverBudget "a zero budget" (utf8 "[]")

                refused
                    (ArenaJsonOptions(MaxBytes = 64L))
                    ArenaJsonError.OverBudget
                    "a long string over 64 bytes"
                    (utf8 ("\"" + String('a', 100) + "\""))
                // At the same position, one byte short is refused and exactly enough fits.
                use arena = unchecked (1L <<< 20)
                let w = witness arena
                let doc = ArenaJsonDocument.Parse(arena, ReadOnlySpan page)
                let need = doc.BytesUsed
                doc.Release()

                throwsUnchanged<ArenaJsonException> arena w "one byte short" (fun () ->
                    ArenaJsonDocument.Parse(arena, ReadOnlySpan page, ArenaJsonOptions(MaxBytes = need - 1L))
                    |> ignore)

                let doc =
                    ArenaJsonDocument.Parse(arena, ReadOnlySpan page, ArenaJsonOptions(MaxBytes = need))

                Expect.equal doc.BytesUsed need "exactly the budget"

                Expect.throwsT<ArgumentOutOfRangeException>
                    (fun () -> ArenaJsonOptions(MaxBytes = -1L) |> ignore)
                    "negative budget"
            }

            test "a name given twice, with AllowDuplicateProperties false" {
                let strict = ArenaJsonOptions(AllowDuplicateProperties = false)

                let jsonDocumentRefuses (text: string) =
                    let options = JsonDocumentOptions(AllowDuplicateProperties = false)

                    match catchExn text (fun () -> JsonDocument.Parse(text, options).Dispose()) with
                    | :? JsonException -> true
                    | e -> failtestf "%s: %O" text e

                let wide (duplicateAt: int) =
                    let names = [ for i in 0..199 -> $"\"n{i}\":{i}" ]
                    "{" + String.Join(",", names) + $",\"n{duplicateAt}\":0" + "}"

                for text in
                    [
                        """{"a":1,"a":2}"""
                        """{"a":1,"b":2,"\u0061":3}"""
                        """[1,{"x":{"k":[],"k":{}}}]"""
                        """{"":0,"":1}"""
                        wide 0 // 201 members: the hash-table path
                        wide 199
                    ] do
                    refused strict ArenaJsonError.Malformed text (utf8 text)
                    Expect.isTrue (jsonDocumentRefuses text) $"{text}: JsonDocument refuses it too"

                use arena = new Arena()

                match
                    catchExn "message" (fun () ->
                        ArenaJsonDocument.Parse(arena, ReadOnlySpan(utf8 """{"id":1,"id":2}"""), strict)
                        |> ignore)
                with
                | :? ArenaJsonException as e ->
                    Expect.stringContains e.Message "\"id\"" "the message names the property"
                    Expect.stringContains e.Message "AllowDuplicateProperties" "and the option"
                | e -> failtestf "%O" e

                // Equal names in different objects, and names that differ only in length or case, are fine.
                for text in [ """{"a":{"a":1},"b":{"a":2}}"""; """{"a":1,"ab":2,"A":3}"""; wide 200 ] do
                    let doc = ArenaJsonDocument.Parse(arena, ReadOnlySpan(utf8 text), strict)
                    Expect.isGreaterThan (doc.RootElement.GetPropertyCount()) 1 $"{text}: parsed"
                    doc.Release()

                for page in JsonCorpus.SmallPayloads(11UL, 20) do
                    let doc = ArenaJsonDocument.Parse(arena, ReadOnlySpan page, strict)
                    doc.Release()
            }

            test "an enclosing transaction's budget counts too, and its earlier work survives the refusal" {
                use arena = unchecked 4096L
                use tx = arena.BeginTransaction()
                tx.SetLimit 2048L
                let w = witness arena
                let page = JsonCorpus.Page(10UL, 10)

                throwsUnchanged<ArenaJsonException> arena w "over the enclosing budget" (fun () ->
                    ArenaJsonDocument.Parse(arena, ReadOnlySpan page) |> ignore)

                match catchExn "enclosing" (fun () -> ArenaJsonDocument.Parse(arena, ReadOnlySpan page) |> ignore) with
                | :? ArenaJsonException as e -> Expect.equal e.Error ArenaJsonError.OverBudget "over budget"
                | e -> failtestf "%O" e

                Expect.equal arena.TransactionDepth 1 "the enclosing transaction is still open"
                tx.Commit()
            }
        ]

let tests = testList "FastArena.Json" [ agreement; accessors; refusals ]
