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

# The large-document-only JSON run (--json-rounds 0), and the refusals of a document too large for the
# machine (a GC heap limit makes "too large" the same everywhere) and of out-of-range sizes: each one
# error line and exit 2, before anything is generated.
demo=(dotnet run --no-build -c Release --project samples/FastArena.Demo --)
"${demo[@]}" --workload json --size smoke --json-rounds 0 >"$artifacts/demo-large.txt" 2>&1 \
    || { cat "$artifacts/demo-large.txt"; echo "demo smoke (--json-rounds 0): FAILED" >&2; exit 1; }
grep -q '^All four agree: large document' "$artifacts/demo-large.txt" \
    || { cat "$artifacts/demo-large.txt"; echo "demo smoke (--json-rounds 0): no agreement line" >&2; exit 1; }
refused() {
    local expect=$1; shift
    local rc=0
    "$@" >"$artifacts/refused.txt" 2>&1 || rc=$?
    if [ "$rc" -ne 2 ] || [ "$(wc -l <"$artifacts/refused.txt")" -ne 1 ] || ! grep -q -- "$expect" "$artifacts/refused.txt"; then
        cat "$artifacts/refused.txt"; echo "demo smoke: '$*' should exit 2 with one line saying '$expect' (exit $rc)" >&2; exit 1
    fi
}
refused "needs about 1.7 GB of memory" env DOTNET_GCHeapHardLimit=0x10000000 "${demo[@]}" --workload json --json-mb 100
refused "from 1 to 1,000" "${demo[@]}" --json-mb 1001
refused "from 0 to 1,000" "${demo[@]}" --json-rounds -1
echo "demo refusals: 3 of 3 exit 2 with one line"
echo "benchmarks smoke: OK"
