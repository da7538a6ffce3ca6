using System.Diagnostics;
using FastArena.Workload.Json;

namespace FastArena.Demo;

/// <summary>
/// The JSON workload: the same generated corpus parsed, queried and released by FastArena.Json,
/// JsonDocument, JsonNode and JsonSerializer (source-generated classes), in one process, taking turns
/// round by round so that machine noise weighs on all of them alike.
/// </summary>
internal static class JsonDemo
{
    private sealed class Meter(IJsonWorkload workload, int capacity)
    {
        public IJsonWorkload Workload { get; } = workload;

        public List<long> Latencies { get; } = new(capacity);

        public JsonQueryResult Result;

        public long Ticks;

        public long Allocated;

        public long Bytes;

        public int Gen0, Gen1, Gen2;

        public double Seconds => (double)Ticks / Stopwatch.Frequency;

        public void Run(ReadOnlyMemory<byte>[] documents, bool record)
        {
            int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            foreach (ReadOnlyMemory<byte> doc in documents)
            {
                long start = Stopwatch.GetTimestamp();
                JsonQueryResult r = Workload.Run(doc);
                long elapsed = Stopwatch.GetTimestamp() - start;
                if (record)
                {
                    Latencies.Add(elapsed);
                    Ticks += elapsed;
                    Bytes += doc.Length;
                    Result.Add(r);
                }
            }

            if (record)
            {
                Allocated += GC.GetAllocatedBytesForCurrentThread() - allocated;
                Gen0 += GC.CollectionCount(0) - g0;
                Gen1 += GC.CollectionCount(1) - g1;
                Gen2 += GC.CollectionCount(2) - g2;
            }
        }

        public double Percentile(int p)
        {
            Latencies.Sort();
            return Latencies[(int)((Latencies.Count - 1) * (long)p / 100)] * 1e6 / Stopwatch.Frequency;
        }
    }

    public static bool Run(Options options)
    {
        using var arena = new ArenaJsonWorkload();
        IJsonWorkload[] workloads = [arena, new JsonDocumentWorkload(), new JsonNodeWorkload(), new JsonSerializerWorkload()];
        string[] headers = ["", .. workloads.Select(w => w.Name)];

        ReadOnlyMemory<byte>[] small = [.. JsonCorpus.SmallPayloads(options.Seed, options.JsonDocuments).Select(d => (ReadOnlyMemory<byte>)d)];
        ReadOnlyMemory<byte>[] large = [JsonCorpus.Large(options.Seed, options.JsonLargeBytes)];
        long smallBytes = small.Sum(d => (long)d.Length);
        Console.WriteLine($"JSON: {small.Length:N0} API payloads of 1-10 KB ({Table.Bytes(smallBytes)} in all) x {options.JsonRounds} rounds, and one {Table.Bytes(large[0].Length)} document x {options.JsonLargeRuns} runs");

        var smallMeters = workloads.Select(w => new Meter(w, small.Length * options.JsonRounds)).ToArray();
        var largeMeters = workloads.Select(w => new Meter(w, options.JsonLargeRuns)).ToArray();
        var progress = new StageProgress("json", (options.JsonRounds + options.JsonLargeRuns) * workloads.Length);
        long step = 0;

        // Warm-up, not recorded: every path (the arena's blocks, pools, scratch stacks) until the JIT's
        // tiered compilation has settled for each library (Warmup).
        foreach (Meter m in smallMeters)
        {
            Warmup.Run(() => m.Run(small, record: false), minCalls: 2, minMilliseconds: 500);
        }

        GC.Collect();
        for (int round = 0; round < options.JsonRounds; round++)
        {
            foreach (Meter m in smallMeters)
            {
                progress.Update(step++, $"small payloads, round {round + 1}, {m.Workload.Name}");
                m.Run(small, record: true);
            }
        }

        for (int run = 0; run < options.JsonLargeRuns; run++)
        {
            foreach (Meter m in largeMeters)
            {
                progress.Update(step++, $"large document, run {run + 1}, {m.Workload.Name}");
                m.Run(large, record: true);
            }
        }

        progress.Finish();
        long[] held = [.. workloads.Select(w => Held(w, large[0]))];

        Meter a = smallMeters[0];
        if (options.JsonRounds > 0)
        {
            var rows = new List<string[]>
            {
                Row("documents/s", m => Table.N(m.Latencies.Count / m.Seconds)),
                Row("MB/s", m => $"{m.Bytes / m.Seconds / (1 << 20):N1}"),
                Row("FastArena.Json speed vs this", m => Table.Ratio(m.Seconds / a.Seconds)),
                Row("latency p50", m => Table.Us(m.Percentile(50))),
                Row("latency p99", m => Table.Us(m.Percentile(99))),
                Row("latency max", m => Table.Us(m.Percentile(100))),
                Row("managed bytes per document", m => Table.N((double)m.Allocated / m.Latencies.Count)),
                Row("GC collections gen0/1/2", m => $"{m.Gen0}/{m.Gen1}/{m.Gen2}"),
                Row("query checksum", m => $"{m.Result.Checksum:x16}"),
            };
            Console.WriteLine();
            Table.Print($"Summary: JSON, small API payloads ({small.Length:N0} documents x {options.JsonRounds} rounds; parse + query + release per document)", headers, rows);
        }

        Meter la = largeMeters[0];
        var largeRows = new List<string[]>
        {
            RowOf(largeMeters, "time per document, median", m => Table.Us(m.Percentile(50))),
            RowOf(largeMeters, "MB/s", m => $"{m.Bytes / m.Seconds / (1 << 20):N1}"),
            RowOf(largeMeters, "FastArena.Json speed vs this", m => Table.Ratio(m.Seconds / la.Seconds)),
            RowOf(largeMeters, "managed bytes per document", m => Table.Bytes((double)m.Allocated / m.Latencies.Count)),
            RowOf(largeMeters, "GC collections gen0/1/2", m => $"{m.Gen0}/{m.Gen1}/{m.Gen2}"),
            (string[])["memory held by the parsed document", .. held.Select(h => Table.Bytes(h))],
            RowOf(largeMeters, "query checksum", m => $"{m.Result.Checksum:x16}"),
        };
        Console.WriteLine();
        Table.Print($"Summary: JSON, one large document ({Table.Bytes(large[0].Length)}, {options.JsonLargeRuns} runs)", headers, largeRows);
        Console.WriteLine("Memory held: arena bytes for FastArena.Json (native, outside the GC heap); for the others, the managed heap");
        Console.WriteLine("after a full collection with the document alive, minus before (JsonDocument's pooled buffers included).");

        bool agree = (options.JsonRounds == 0 || smallMeters.All(m => m.Result == a.Result)) && largeMeters.All(m => m.Result == la.Result);
        Console.WriteLine(agree
            ? options.JsonRounds == 0
                ? $"All four agree: large document {la.Result} (small payloads: warm-up only, --json-rounds 0)."
                : $"All four agree: small payloads {a.Result}; large document {la.Result}."
            : "error: the JSON libraries disagree: " + string.Join("; ", smallMeters.Concat(largeMeters).Select(m => $"{m.Workload.Name}: {m.Result}")));
        return agree;

        string[] Row(string label, Func<Meter, string> cell) => RowOf(smallMeters, label, cell);

        static string[] RowOf(Meter[] meters, string label, Func<Meter, string> cell) => [label, .. meters.Select(cell)];
    }

    /// <summary>The memory one parsed document keeps alive: arena bytes, or managed heap bytes after a full collection.</summary>
    private static long Held(IJsonWorkload workload, ReadOnlyMemory<byte> document)
    {
        switch (workload)
        {
            case ArenaJsonWorkload arena:
                var doc = FastArena.Json.ArenaJsonDocument.Parse(arena.Arena, document.Span);
                long bytes = doc.BytesUsed;
                doc.Release();
                return bytes;
            default:
                long before = GC.GetTotalMemory(forceFullCollection: true);
                object alive = workload switch
                {
                    JsonDocumentWorkload => System.Text.Json.JsonDocument.Parse(document),
                    JsonNodeWorkload => Touch(System.Text.Json.Nodes.JsonNode.Parse(document.Span)!),
                    _ => System.Text.Json.JsonSerializer.Deserialize(document.Span, CorpusJsonContext.Default.OrderPage)!,
                };
                long after = GC.GetTotalMemory(forceFullCollection: true);
                GC.KeepAlive(alive);
                (alive as IDisposable)?.Dispose();
                return after - before;
        }
    }

    /// <summary>A JsonNode tree materialises lazily: run the query once so the tree the query sees is built.</summary>
    private static System.Text.Json.Nodes.JsonNode Touch(System.Text.Json.Nodes.JsonNode node)
    {
        JsonNodeWorkload.Query(node);
        return node;
    }
}
