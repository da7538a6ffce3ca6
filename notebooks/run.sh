#!/usr/bin/env bash
# Runs the notebooks headless with dotnet-repl, the version pinned in .config/dotnet-tools.json.
#
#   notebooks/run.sh [NOTEBOOK...]   run the notebooks (default: every notebooks/*.ipynb); exit 1 if a cell
#                                    failed or an executed copy in notebooks/executed/ is out of date.
#                                    Executed copies go to a temporary folder: a test run never dirties the tree.
#   notebooks/run.sh --update        build the library in Release, run every notebook and write the executed
#                                    copies to notebooks/executed/ (commit them; the README links them).
#
# Each notebook runs with its own folder as the working directory, as in VS Code and Jupyter, so that
# `#r "../src/..."` resolves the same way everywhere. dotnet-repl prints nothing in this mode, so on a
# failure this script prints the failing cells' errors from the executed copy.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

update=0
if [ "${1:-}" = "--update" ]; then
    update=1
    shift
fi

if [ $# -eq 0 ]; then
    notebooks=("$here"/*.ipynb)
else
    notebooks=("$@")
fi

(cd "$root" && dotnet tool restore >/dev/null) || { echo "dotnet tool restore failed" >&2; exit 1; }

if [ $update -eq 1 ]; then
    for project in "$root"/src/*/*.??proj; do
        dotnet build "$project" -c Release -v quiet -nologo || exit 1
    done
    outdir="$here/executed"
    mkdir -p "$outdir"
else
    outdir="$(mktemp -d)"
    trap 'rm -rf "$outdir"' EXIT
fi

# The cells' sources as dotnet-repl writes them (same writer, same layout), to compare two executed copies.
sources() { awk '/^   "source": \[$/ { on = 1 } on { print } on && /^   \]/ { on = 0 }' "$1"; }

status=0
for notebook in "${notebooks[@]}"; do
    [ -e "$notebook" ] || { echo "no such notebook: $notebook" >&2; status=1; continue; }
    dir="$(cd "$(dirname "$notebook")" && pwd)"
    name="$(basename "$notebook")"
    executed="$outdir/$name"
    rm -f "$executed"
    start=$SECONDS
    (cd "$dir" && dotnet dotnet-repl --run "$name" --exit-after-run --default-kernel fsharp \
        --output-format ipynb --output-path "$executed")
    code=$?
    echo "$name: exit code $code in $((SECONDS - start)) s"
    if [ $code -ne 0 ]; then
        status=1
        if [ -f "$executed" ]; then
            echo "errors in $name:"
            grep '"evalue":' "$executed" | sed -e 's/^ *"evalue": "//' -e 's/",$//' -e 's/\\n/\n    /g' -e 's/\\"/"/g' -e 's/^/  /'
        fi
        continue
    fi
    snapshot="$here/executed/$name"
    if [ $update -eq 0 ] && [ "$dir" = "$here" ]; then
        if [ ! -f "$snapshot" ] || ! diff -q <(sources "$snapshot") <(sources "$executed") >/dev/null; then
            echo "notebooks/executed/$name is missing or out of date: run notebooks/run.sh --update and commit it"
            status=1
        fi
    fi
done
exit $status
