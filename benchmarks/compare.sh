#!/usr/bin/env bash
# The side-by-side run: FastArena's seed rows (BenchmarkDotNet, a short job) and, when a folder of the
# Rust crates is given, the Rust peer harness right after, on the same machine minutes apart. Then
# benchmarks/sidebyside.py writes ONE table of ratios (FastArena / best Rust crate, and each language
# against its own floor) with the CPU model and the date into docs/benchmarks.md.
#
#   flock /work/bench.lock benchmarks/compare.sh --peers /path/to/peers   # .NET rows, then the Rust harness
#   benchmarks/compare.sh                                                 # .NET rows only (the table keeps no Rust column)
#   benchmarks/compare.sh --peers DIR --note "machine shared with builds"  # a note printed beside the date
#   benchmarks/compare.sh --rust-results DIR                              # reuse a finished Rust run (rust-medians.tsv)
#
# The peers folder holds fastarena-rs/, bumpalo/ and typed-arena/ (see the peers README: the crates are
# never copied into this repository). The Rust harness is run.sh from FASTARENA_PEERS_HARNESS (default
# /work/shared/peers/rust/run.sh); it builds offline with fat LTO and runs 3 processes (~2 minutes).
# The .NET side takes about 6-9 minutes on 2 cores. Run it on a quiet machine, under the machine's
# measurement lock if it has one; the script records the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

peers="" rust_results="" note="" doc=docs/benchmarks.md
harness=${FASTARENA_PEERS_HARNESS:-/work/shared/peers/rust/run.sh}
while [ $# -gt 0 ]; do
    case $1 in
        --peers) peers=$2; shift 2 ;;
        --rust-results) rust_results=$2; shift 2 ;;
        --note) note=$2; shift 2 ;;
        --doc) doc=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

out=benchmarks/BenchmarkDotNet.Artifacts/compare
rm -rf "$out"; mkdir -p "$out"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The seed rows and their floors, nothing else (sidebyside.py's ROWS lists what it reads).
csharp_filter=(
    '*.SingleAllocBenchmarks.Floor_Bump' '*.SingleAllocBenchmarks.Floor_Bump_Local' '*.SingleAllocBenchmarks.Arena_Alloc'
    '*.SingleAllocBenchmarks.Arena_Alloc_Scope' '*.SingleAllocBenchmarks.Floor_Bump_Reset' '*.SingleAllocBenchmarks.Arena_Alloc_Reset'
    '*.SingleAllocBenchmarks.Floor_Save_Bump_Restore' '*.SingleAllocBenchmarks.Arena_Checkpoint_Alloc_Rewind'
    '*.AllocLongBenchmarks.Floor_BumpLong' '*.AllocLongBenchmarks.Floor_BumpLong_Local' '*.AllocLongBenchmarks.Arena_AllocLong_Reset'
    '*.AllocLongBenchmarks.Arena_AllocLong_Scope_Reset' '*.AllocLongBenchmarks.Arena_AllocLong_ScopeUsing_Reset'
    '*.AllocSliceBenchmarks.Floor_BumpCopy_FromSpan' '*.AllocSliceBenchmarks.Arena_AllocSlice_FromSpan'
    '*.AllocSliceBenchmarks.Floor_BumpFill_FromGenerator' '*.AllocSliceBenchmarks.Arena_AllocSlice_FromGenerator'
    '*.AllocSliceBenchmarks.Arena_AllocSlice_FromStructGenerator'
    '*.AllocStringBenchmarks.Floor_BumpCopyString_x100' '*.AllocStringBenchmarks.Arena_AllocString_x100_Reset'
    '*.ArenaListBenchmarks.Floor_BumpFill' '*.ArenaListBenchmarks.Arena_List_WithCapacity_Finish'
    '*.TransactionBenchmarks.Floor_Bump16' '*.TransactionBenchmarks.Floor_SaveBump16_Restore'
    '*.TransactionBenchmarks.Tx16_Commit' '*.TransactionBenchmarks.Tx16_Rollback' '*.TransactionBenchmarks.Checkpoint16_Rewind'
    '*.ConstructionBenchmarks.NativeMemory_AlignedAllocFree_64K' '*.ConstructionBenchmarks.Arena_New_Dispose'
    '*.ConstructionBenchmarks.Arena_New_Alloc_Dispose'
)
# A short job: one process, few iterations (the whole .NET side in well under ten minutes).
job=(--launchCount 1 --warmupCount 3 --iterationCount 7 --iterationTime 150 --buildTimeout 900 --artifacts "$out/dotnet")

for project in benchmarks/FastArena.Benchmarks benchmarks/FastArena.Benchmarks.FSharp; do
    dotnet build "$project" -c Release --nologo -v quiet >/dev/null
done
echo "compare.sh: .NET rows (C#)"
dotnet run --no-build -c Release --project benchmarks/FastArena.Benchmarks -- \
    --filter "${csharp_filter[@]}" "${job[@]}" | grep -E '^(benchmarks: |\| )' || true
echo "compare.sh: .NET rows (F# workflow)"
dotnet run --no-build -c Release --project benchmarks/FastArena.Benchmarks.FSharp -- \
    --filter '*' "${job[@]}" | grep -E '^(benchmarks \(F#\): |\| )' || true

if [ -n "$peers" ]; then
    echo "compare.sh: Rust peers from $peers"
    rust_results="$out/rust"
    "$harness" "$peers" "$rust_results" >/dev/null
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
args=(--dotnet "$out/dotnet/results" --doc "$doc" --started "$started"
      --load "before $load_before, after $load_after (1/5/15-minute load averages)")
[ -n "$rust_results" ] && args+=(--rust "$rust_results/rust-medians.tsv")
[ -n "$note" ] && args+=(--note "$note")
python3 benchmarks/sidebyside.py "${args[@]}"
