#!/usr/bin/env bash
# The full benchmark run, by hand (about 25-35 minutes on 2 cores with the default job):
#
#   ./benchmarks/run.sh                          # every benchmark, BenchmarkDotNet's default job
#   ./benchmarks/run.sh --job Short              # quicker, less precise
#   ./benchmarks/run.sh --filter '*Transaction*' # one class (any BenchmarkDotNet option works)
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

dotnet build benchmarks/FastArena.Benchmarks -c Release --nologo -v quiet
dotnet run --no-build -c Release --project benchmarks/FastArena.Benchmarks -- \
    "${filter[@]}" --artifacts "$artifacts" "$@"
python3 benchmarks/report.py --results "$artifacts/results"
