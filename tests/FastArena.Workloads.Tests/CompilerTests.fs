/// The compiler front end: the arena and GC versions agree on generated programs and on programs with
/// name and type errors, both report syntax errors, and the arena is empty after every compilation.
module FastArena.Workloads.Tests.CompilerTests

open Expecto
open FastArena.Workload.Compiler

let both (source: string) =
    use arena = new ArenaCompiler()
    let a = arena.Compile(source)
    Expect.equal arena.Arena.Stats.BytesAllocated 0L "the arena is empty after the compilation"
    let g = GcCompiler().Compile(source)
    Expect.equal a g "arena and GC versions agree"
    a

let tests =
    testList
        "compiler front end"
        [
            test "arena and GC agree on generated programs" {
                for seed, nodes in [ 1UL, 1_000L; 2UL, 10_000L; 3UL, 50_000L ] do
                    let source = ProgramGenerator.Generate(seed, nodes)
                    let r = both source
                    Expect.isGreaterThanOrEqual r.Nodes nodes "at least the nodes asked for"
                    Expect.isLessThan r.Nodes (nodes + nodes / 5L + 200L) "not many more"
                    Expect.equal r.NameErrors 0 "generated programs resolve"
                    Expect.equal r.TypeErrors 0 "generated programs are well typed"
                    Expect.isGreaterThan r.Resolved 0L "names were resolved"
                    Expect.isGreaterThan r.Instructions (r.Nodes / 2L) "code was emitted"
            }

            test "the same seed gives the same program, another seed another" {
                Expect.equal
                    (ProgramGenerator.Generate(7UL, 5_000L))
                    (ProgramGenerator.Generate(7UL, 5_000L))
                    "deterministic"

                Expect.notEqual
                    (ProgramGenerator.Generate(7UL, 5_000L))
                    (ProgramGenerator.Generate(8UL, 5_000L))
                    "seeded"
            }

            test "a tiny program lowers to the expected code" {
                let r = both "fn f0(): int { return 1 + 2; }"
                Expect.equal r.Nodes 6L "function, block, return, binary, two literals"
                Expect.equal r.Instructions 5L "Function, Const, Const, Binary, Return"
                Expect.equal r.Functions 1 "one function"
            }

            test "shadowing: an inner let hides the outer name, the initializer still sees the outer one" {
                let source =
                    """
                    fn f0(p0: int): bool {
                      let x: int = p0;
                      if true { let x: bool = x < 3; let y: bool = x; }
                      let z: int = x + 1;
                      return z == 2;
                    }
                    """

                let r = both source
                Expect.equal r.NameErrors 0 "every name resolves"
                Expect.equal r.TypeErrors 0 "x is int outside, bool inside"
            }

            test "name errors: an undeclared variable, a variable out of scope, an unknown function" {
                let source =
                    """
                    fn f0(): int {
                      if true { let inner: int = 1; }
                      let a: int = missing + inner;
                      return g9(a);
                    }
                    """

                let r = both source
                Expect.equal r.NameErrors 3 "missing, inner out of its block, g9"
                Expect.equal r.TypeErrors 0 "unresolved names do not cascade into type errors"
            }

            test "type errors: operands, conditions, declarations, returns, arity and argument types" {
                let source =
                    """
                    fn f0(a: int, b: bool): int {
                      let x: int = a + b;
                      let y: bool = 3;
                      if a { x = 1; }
                      while b { x = true; }
                      let z: int = f0(1);
                      let w: int = f0(true, true);
                      return b;
                    }
                    """

                let r = both source
                // a + b; y = 3; if a; x = true; f0(1) arity; f0(true, ...) argument; return b
                Expect.equal r.TypeErrors 7 "seven type errors"
                Expect.equal r.NameErrors 0 "no name errors"
            }

            test "syntax errors throw CompileException from both, and the arena is reset" {
                for source in
                    [
                        "fn f0(: int { return 1; }"
                        "fn f0(): int { return 1 }"
                        "fn f0(): int { let x = 1; return x; }"
                        "fn f0(): int { return 1 # 2; }"
                    ] do
                    use arena = new ArenaCompiler()
                    Expect.throwsT<CompileException> (fun () -> arena.Compile(source) |> ignore) $"arena: {source}"
                    Expect.equal arena.Arena.Stats.BytesAllocated 0L "arena reset after the error"
                    Expect.throwsT<CompileException> (fun () -> GcCompiler().Compile(source) |> ignore) $"GC: {source}"
            }
        ]
