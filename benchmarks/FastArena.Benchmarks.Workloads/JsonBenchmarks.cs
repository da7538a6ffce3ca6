using BenchmarkDotNet.Attributes;
using FastArena.Workload.Json;

namespace FastArena.Benchmarks.Workloads;

/// <summary>
/// Parse, query and release the generated JSON corpus (samples/FastArena.Workload/Json): 100 small API
/// payloads of 1-10 KB per invocation, or one large document of 4 MB. The baseline is System.Text.Json's
/// <c>JsonDocument</c>; every method runs the same query and must produce the same checksum.
/// </summary>
[MemoryDiagnoser]
public class JsonBenchmarks
{
    private ReadOnlyMemory<byte>[] _documents = null!;
    private ArenaJsonWorkload _arena = null!;
    private readonly JsonDocumentWorkload _document = new();
    private readonly JsonNodeWorkload _node = new();
    private readonly JsonSerializerWorkload _serializer = new();

    /// <summary>Which inputs: 100 small payloads, or one 4 MB document.</summary>
    [Params("ApiPayloads100", "Document4MB")]
    public string Corpus { get; set; } = "ApiPayloads100";

    /// <summary>Generates the corpus and checks that every library gives the same result.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _documents = Corpus == "ApiPayloads100"
            ? [.. JsonCorpus.SmallPayloads(42, 100).Select(d => (ReadOnlyMemory<byte>)d)]
            : [JsonCorpus.Large(42, 4 << 20)];
        _arena = new ArenaJsonWorkload();
        ulong expected = Run(_arena);
        foreach (IJsonWorkload other in (IJsonWorkload[])[_document, _node, _serializer])
        {
            if (Run(other) != expected)
            {
                throw new InvalidOperationException($"{other.Name} disagrees with FastArena.Json on {Corpus}.");
            }
        }
    }

    /// <summary>Frees the arena.</summary>
    [GlobalCleanup]
    public void Cleanup() => _arena.Dispose();

    /// <summary>The baseline: <c>JsonDocument.Parse</c>, query through <c>JsonElement</c>, <c>Dispose</c>.</summary>
    /// <returns>The checksum.</returns>
    [Benchmark(Baseline = true)]
    public ulong SystemTextJson_JsonDocument() => Run(_document);

    /// <summary>FastArena.Json: parse into a warm arena, query, <c>Reset</c>.</summary>
    /// <returns>The checksum.</returns>
    [Benchmark]
    public ulong FastArenaJson_ArenaJsonDocument() => Run(_arena);

    /// <summary><c>JsonNode.Parse</c>, query through indexers, left to the GC.</summary>
    /// <returns>The checksum.</returns>
    [Benchmark]
    public ulong SystemTextJson_JsonNode() => Run(_node);

    /// <summary><c>JsonSerializer.Deserialize</c> into source-generated classes, query the objects.</summary>
    /// <returns>The checksum.</returns>
    [Benchmark]
    public ulong SystemTextJson_JsonSerializerSourceGen() => Run(_serializer);

    private ulong Run(IJsonWorkload workload)
    {
        var total = default(JsonQueryResult);
        foreach (ReadOnlyMemory<byte> doc in _documents)
        {
            JsonQueryResult r = workload.Run(doc);
            total.Add(r);
        }

        return total.Checksum;
    }
}
