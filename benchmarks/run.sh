#!/usr/bin/env bash
# The full benchmark run, by hand (about 25-35 minutes on 2 cores with the default job):
#
#   ./benchmarks/run.sh                          # every benchmark, BenchmarkDotNet's default job
#   ./benchmarks/run.sh --job Short              # quicker, less precise
#   ./benchmarks/run.sh --filter '*Transaction*' # one class (any BenchmarkDotNet option works)
#   FASTARENA_BENCH_NOTE="measured while the machine was busy" ./benchmarks/run.sh   # a note in the docs
#
# Results (JSON, GitHub markdown, HTML, CSV) go to benchmarks/BenchmarkDotNet.Artifacts/results; then
# benchmarks/report.py redraws docs/benchmarks.svg and the generated tables in docs/benchmarks.md.
# Run it on a quiet machine: anything else running shows up in the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

artifacts=benchmarks/BenchmarkDotNet.Artifacts
filter=(--filter '*')
for arg in "$@"; do
    [ "$arg" = "--filter" ] && filter=()
done

# The C# suite, then the F# workflow row (its own project: BenchmarkDotNet runs one assembly at a time).
# Exit code 3 means the filter matched nothing in that project, which is fine as long as one project ran.
status=0 ran=0
for project in benchmarks/FastArena.Benchmarks benchmarks/FastArena.Benchmarks.FSharp; do
    dotnet build "$project" -c Release --nologo -v quiet
    code=0
    dotnet run --no-build -c Release --project "$project" -- "${filter[@]}" --artifacts "$artifacts" "$@" || code=$?
    case $code in
        0) ran=1 ;;
        3) ;;
        *) status=1 ;;
    esac
done
[ "$ran" = 1 ] || [ "$status" = 1 ] || { echo "run.sh: the filter matched no benchmark" >&2; exit 1; }
python3 benchmarks/report.py --results "$artifacts/results" ${FASTARENA_BENCH_NOTE:+--note "$FASTARENA_BENCH_NOTE"}
exit $status
