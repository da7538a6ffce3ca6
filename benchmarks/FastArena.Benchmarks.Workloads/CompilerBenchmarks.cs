using BenchmarkDotNet.Attributes;
using FastArena.Workload.Compiler;

namespace FastArena.Benchmarks.Workloads;

/// <summary>
/// The compiler front end (samples/FastArena.Workload/Compiler): parse a generated program of
/// <see cref="Nodes"/> AST nodes, resolve names, check types, lower to stack code and drop it, with the
/// AST in an arena or in GC classes (the baseline). Peak memory and GC pauses need a process per
/// version: the demo measures those (<c>./build.sh demo --workload compiler</c>).
/// </summary>
[MemoryDiagnoser]
public class CompilerBenchmarks
{
    private string _source = "";
    private ArenaCompiler _arena = null!;
    private GcCompiler _gc = null!;

    /// <summary>AST nodes in the generated program (at least).</summary>
    [Params(200_000)]
    public int Nodes { get; set; }

    /// <summary>Generates the program and checks that both versions agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _source = ProgramGenerator.Generate(42, Nodes);
        _arena = new ArenaCompiler();
        _gc = new GcCompiler();
        CompileResult a = _arena.Compile(_source), g = _gc.Compile(_source);
        if (a != g)
        {
            throw new InvalidOperationException($"The arena and GC compilers disagree: {a} vs {g}.");
        }
    }

    /// <summary>Frees the arena.</summary>
    [GlobalCleanup]
    public void Cleanup() => _arena.Dispose();

    /// <summary>The baseline: sealed AST classes, <c>List&lt;T&gt;</c>, <c>Dictionary&lt;string, T&gt;</c> scopes.</summary>
    /// <returns>The checksum of the lowered code.</returns>
    [Benchmark(Baseline = true)]
    public ulong GcClasses_Compile() => _gc.Compile(_source).Checksum;

    /// <summary>The AST, symbol tables and code in an arena, dropped with one reset.</summary>
    /// <returns>The checksum of the lowered code.</returns>
    [Benchmark]
    public ulong FastArena_Compile() => _arena.Compile(_source).Checksum;
}
