#!/usr/bin/env bash
# The project's two jobs, as the README gives them:
#   ./build.sh demo [options]   restore, build and run the demo (options: ./build.sh demo --help)
#   ./build.sh test             restore, build and run every test; ends with "tests: N passed, N failed"
# and, for packaging work:
#   ./build.sh pack             build the NuGet packages (every project under src/) into artifacts/packages
# Nothing here relies on a tool installed by hand: .NET tools come from .config/dotnet-tools.json,
# restored only by the steps that use them.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

demo_project=samples/QuickStart
[ -d samples/FastArena.Demo ] && demo_project=samples/FastArena.Demo

# Packs every project under src/ into artifacts/packages (.nupkg and .snupkg). Extra arguments go to
# `dotnet pack` (run_tests passes --no-build after its Release build).
pack_packages() {
    rm -rf artifacts/packages
    local project
    for project in src/*/*.csproj src/*/*.fsproj; do
        [ -e "$project" ] || continue
        dotnet pack "$project" -c Release --nologo "$@" || return 1
    done
    ls artifacts/packages
}

run_tests() {
    # .NET tools are restored by the steps that use them (notebooks/run.sh restores dotnet-repl).
    dotnet build FastArena.sln -c Release || { echo "tests: 0 passed, 1 failed"; return 1; }

    local summary failures status=0
    summary=$(mktemp)
    failures=$(mktemp)
    export FASTARENA_TEST_SUMMARY="$summary"
    # Each failing test's name (the Expecto suites write theirs through tests/Shared/TestMain.fs; the
    # other steps below add one line each), printed again just before the final line, so that the end
    # of a CI log says what failed.
    export FASTARENA_TEST_FAILURES="$failures"
    pass() { echo "1 0" >>"$summary"; }
    fail() { echo "0 1" >>"$summary"; echo "FAILED: $1" >>"$failures"; status=1; }

    # F# formatting is the build's policy: Fantomas (pinned in the tool manifest) must find nothing to
    # change. `dotnet fantomas src tests tools benchmarks samples` fixes what it reports.
    echo "== format (fantomas --check)"
    if dotnet tool restore >/dev/null && dotnet fantomas --check src tests tools benchmarks samples; then
        echo "fantomas: every F# file is formatted"; pass
    else
        fail "fantomas --check: F# files need formatting (dotnet fantomas src tests tools benchmarks samples)"
    fi

    # Expecto executables: each appends "PASSED FAILED" to the summary file (tests/Shared/TestMain.fs).
    for project in tests/*/; do
        project=${project%/}
        compgen -G "$project/*.fsproj" >/dev/null || continue
        local before after
        before=$(wc -l <"$summary")
        echo "== $project"
        dotnet run --no-build -c Release --project "$project" || status=1
        after=$(wc -l <"$summary")
        [ "$after" -gt "$before" ] || fail "$project crashed before it could report"
    done

    # Every notebook runs headless; each is one test (see notebooks/README.md).
    for notebook in notebooks/*.ipynb; do
        [ -e "$notebook" ] || continue
        echo "== $notebook"
        if notebooks/run.sh "$notebook"; then pass; else fail "notebook $notebook"; fi
    done

    # The README quotes compiled samples; this keeps each quote equal to its sample.
    echo "== README snippets"
    if dotnet fsi tools/Snippets.fsx --check README.md src/PACKAGE.md docs/servers.md; then pass; else fail "README snippets differ from their samples"; fi

    # `dotnet test` must fail loudly and point here (tests/Directory.Build.targets), never pass silently.
    echo "== dotnet test fails loudly"
    local dt
    dt=$(dotnet test FastArena.sln -c Release --no-build 2>&1)
    if [ $? -ne 0 ] && grep -q 'FASTARENA001.*run ./build.sh test' <<<"$dt"; then
        echo "dotnet test: exits non-zero with 'run ./build.sh test'"; pass
    else
        echo "$dt"; fail "dotnet test did not fail with FASTARENA001"
    fi

    # The property suite again, built in Debug so that every Debug.Assert in the library runs, at a
    # tenth of the default size (about 1,000 programs); FASTARENA_DEBUG_PROPERTY_SCALE changes it.
    echo "== tests/FastArena.Properties (Debug build, Debug.Assert on)"
    if dotnet build tests/FastArena.Properties -c Debug --nologo -v quiet; then
        FASTARENA_PROPERTY_SCALE="${FASTARENA_DEBUG_PROPERTY_SCALE:-0.1}" \
            dotnet run --no-build -c Debug --project tests/FastArena.Properties || status=1
    else
        fail "tests/FastArena.Properties did not build in Debug"
    fi

    # The packages, installed from artifacts/packages by new C# and F# projects and an F# script outside
    # the repository as the README says; each README snippet pasted, run and its output compared with
    # the README; the C# one also published with NativeAOT. One test per consumer.
    echo "== packages and consumers (tools/consumer-check.sh)"
    local consumers
    consumers=$(mktemp)
    if pack_packages --no-build; then
        tools/consumer-check.sh --aot 2>&1 | tee "$consumers" || status=1
        sed -nE 's/^consumers: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$consumers" >>"$summary"
        sed -nE 's/^consumer check: ([^:]*): FAILED: (.*)$/FAILED: consumer \1 -- \2/p' "$consumers" >>"$failures"
        grep -qE '^consumers: ' "$consumers" || fail "tools/consumer-check.sh ended without its count"
    else
        fail "the packages did not pack"
    fi
    rm -f "$consumers"

    # The benchmarks run as a smoke test so they cannot rot (see docs/benchmarks.md).
    if [ -x benchmarks/smoke.sh ]; then
        echo "== benchmarks (smoke)"
        if benchmarks/smoke.sh; then pass; else fail "benchmarks/smoke.sh"; fi
    fi

    local passed failed
    passed=$(awk '{p += $1} END {print p + 0}' "$summary")
    failed=$(awk '{f += $2} END {print f + 0}' "$summary")
    rm -f "$summary"
    [ "$failed" -eq 0 ] || status=1
    printf '\n'
    if [ -s "$failures" ]; then
        echo "failed tests:"
        sed 's/^/  /' "$failures"
    fi
    rm -f "$failures"
    echo "tests: $passed passed, $failed failed"
    return $status
}

case "${1:-}" in
    demo)
        shift
        # The demo uses no .NET tool, so none is restored here. A line says what the build is doing
        # (the first one restores packages, about half a minute); then the demo runs without rebuilding.
        echo "building $demo_project (Release; the first build also restores packages)..." >&2
        dotnet build "$demo_project" -c Release --nologo -v quiet -clp:NoSummary || exit 1
        dotnet run --no-build -c Release --project "$demo_project" -- "$@"
        ;;
    test)
        run_tests
        ;;
    pack)
        pack_packages
        ;;
    *)
        echo "usage: ./build.sh demo [options] | ./build.sh test | ./build.sh pack" >&2
        exit 2
        ;;
esac
