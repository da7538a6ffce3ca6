#!/usr/bin/env bash
# The project's two jobs, as the README gives them:
#   ./build.sh demo [options]   restore, build and run the demo (options: ./build.sh demo --help)
#   ./build.sh test             restore, build and run every test; ends with "tests: N passed, N failed"
# Nothing here relies on a tool installed by hand: .NET tools come from .config/dotnet-tools.json,
# restored only by the steps that use them.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

demo_project=samples/QuickStart
[ -d samples/FastArena.Demo ] && demo_project=samples/FastArena.Demo

run_tests() {
    # .NET tools are restored by the steps that use them (notebooks/run.sh restores dotnet-repl).
    dotnet build FastArena.sln -c Release || { echo "tests: 0 passed, 1 failed"; return 1; }

    local summary status=0
    summary=$(mktemp)
    export FASTARENA_TEST_SUMMARY="$summary"

    # Expecto executables: each appends "PASSED FAILED" to the summary file (tests/Shared/TestMain.fs).
    for project in tests/*/; do
        project=${project%/}
        compgen -G "$project/*.fsproj" >/dev/null || continue
        local before after
        before=$(wc -l <"$summary")
        echo "== $project"
        dotnet run --no-build -c Release --project "$project" -- --summary || status=1
        after=$(wc -l <"$summary")
        [ "$after" -gt "$before" ] || echo "0 1" >>"$summary"   # crashed before it could report
    done

    # Every notebook runs headless; each is one test (see notebooks/README.md).
    for notebook in notebooks/*.ipynb; do
        [ -e "$notebook" ] || continue
        echo "== $notebook"
        if notebooks/run.sh "$notebook"; then
            echo "1 0" >>"$summary"
        else
            echo "0 1" >>"$summary"; status=1
        fi
    done

    # The README quotes compiled samples; this keeps each quote equal to its sample.
    echo "== README snippets"
    if dotnet fsi tools/Snippets.fsx --check README.md; then echo "1 0" >>"$summary"; else echo "0 1" >>"$summary"; status=1; fi

    # The benchmarks run as a smoke test so they cannot rot (see docs/benchmarks.md).
    if [ -x benchmarks/smoke.sh ]; then
        echo "== benchmarks (smoke)"
        if benchmarks/smoke.sh; then echo "1 0" >>"$summary"; else echo "0 1" >>"$summary"; status=1; fi
    fi

    local passed failed
    passed=$(awk '{p += $1} END {print p + 0}' "$summary")
    failed=$(awk '{f += $2} END {print f + 0}' "$summary")
    rm -f "$summary"
    [ "$failed" -eq 0 ] || status=1
    printf '\n'
    echo "tests: $passed passed, $failed failed"
    return $status
}

case "${1:-}" in
    demo)
        shift
        # The demo uses no .NET tool, so none is restored here.
        dotnet run -c Release --project "$demo_project" -- "$@"
        ;;
    test)
        run_tests
        ;;
    *)
        echo "usage: ./build.sh demo [options] | ./build.sh test" >&2
        exit 2
        ;;
esac
