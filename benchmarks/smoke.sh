#!/usr/bin/env bash
# CI smoke run of the benchmark suite, so benchmarks cannot rot: every benchmark of every class runs
# once (BenchmarkDotNet's Dry job, in process), and the demo runs a small workload whose arena and GC
# runs must agree. Exits non-zero when any benchmark fails or the demo's runs disagree.
# Takes about a minute on 2 cores. Numbers from a dry run mean nothing: full runs are benchmarks/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

artifacts=$(mktemp -d)
trap 'rm -rf "$artifacts"' EXIT

projects=(benchmarks/FastArena.Benchmarks)
[ -d src/FastArena.FSharp ] && [ -d benchmarks/FastArena.Benchmarks.FSharp ] && projects+=(benchmarks/FastArena.Benchmarks.FSharp)
[ -d benchmarks/FastArena.Benchmarks.Workloads ] && projects+=(benchmarks/FastArena.Benchmarks.Workloads)
for project in "${projects[@]}"; do
    dotnet build "$project" -c Release --nologo -v quiet >/dev/null
done
dotnet build samples/FastArena.Demo -c Release --nologo -v quiet >/dev/null

# Every class, every case: one cold invocation each, in this process (no per-case build or launch).
for project in "${projects[@]}"; do
    log="$artifacts/$(basename "$project").log"
    dotnet run --no-build -c Release --project "$project" -- \
        --filter '*' --job Dry --inProcess --artifacts "$artifacts" >"$log" 2>&1 \
        || { tail -n 60 "$log"; echo "benchmarks smoke: $project FAILED" >&2; exit 1; }
    grep -E '^benchmarks( \([^)]*\))?: ' "$log"
done

# The demo's arena and baseline runs must agree on every result in every workload (it exits 1 when
# they do not); --size smoke keeps each workload to seconds.
dotnet run --no-build -c Release --project samples/FastArena.Demo -- --size smoke >"$artifacts/demo.txt" 2>&1 \
    || { cat "$artifacts/demo.txt"; echo "demo smoke: FAILED" >&2; exit 1; }
tail -n 1 "$artifacts/demo.txt"
echo "benchmarks smoke: OK"
