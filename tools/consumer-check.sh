#!/usr/bin/env bash
# The consumer check: installs the packed packages (artifacts/packages) the way the README says, into
# new projects outside the repository, pastes the README's snippets, runs them, and compares what they
# print with the README's `// prints:` lines.
#
#   tools/consumer-check.sh [--aot]   (build.sh test runs it after ./build.sh pack)
#
# Each consumer lives in a fresh temporary folder with its own nuget.config: the package folder as a
# source besides the user's normal sources, and its own global-packages folder, so a package of the
# same version restored earlier can never stand in for the one just packed. Nothing of the
# repository's Directory.Build.props, Directory.Packages.props or lock files reaches it.
#   C#:        dotnet new console; dotnet add package FastArena; Program.cs = the C# snippets.
#   F#:        dotnet new console -lang F#; dotnet add package FastArena.FSharp; Program.fs = the F# snippets.
#   F# floor:  the F# project again, FSharp.Core pinned to the oldest version the F# package supports.
#   F# script: #r "nuget: FastArena.FSharp" followed by the F# snippets, run by dotnet fsi.
#   --aot:     the C# consumer published with NativeAOT (warnings are errors), run, same output.
# Every build treats warnings as errors, so a snippet that needs a fix to compile cleanly fails here.
# Prints "consumers: N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

aot=false
[ "${1:-}" = "--aot" ] && aot=true

feed="$repo/artifacts/packages"
compgen -G "$feed/FastArena.*.nupkg" >/dev/null || { echo "consumer check: no packages in $feed (run ./build.sh pack)" >&2; exit 1; }
# The oldest FSharp.Core the F# package supports (Directory.Packages.props, FSharpCoreFloor).
floor=$(sed -nE 's/.*<FSharpCoreFloor>([^<]+)<.*/\1/p' Directory.Packages.props | head -n 1)

work=$(mktemp -d "${TMPDIR:-/tmp}/fastarena-consumers.XXXXXX")
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/packages"
# A copy of the feed under a name unique to this run: dotnet fsi caches what `#r "nuget: ..."` resolved
# per set of sources, and must not reuse a resolution of an earlier run's packages.
mkdir -p "$work/feed" && cp "$feed"/*.nupkg "$work/feed/"
cat >"$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="fastarena-local" value="$work/feed" />
  </packageSources>
</configuration>
EOF

paste_snippets() { dotnet fsi "$repo/tools/Snippets.fsx" --paste "$1" README.md; }
expected_output() { sed -nE 's/^[[:space:]]*\/\/ prints: ?//p' "$1"; }

passed=0 failed=0
t0=$(date +%s)
pass() { local now; now=$(date +%s); echo "consumer check: $1: ok ($((now - t0)) s)"; t0=$now; passed=$((passed + 1)); }
fail() { local now; now=$(date +%s); echo "consumer check: $1: FAILED: $2 ($((now - t0)) s)" >&2; t0=$now; failed=$((failed + 1)); }

# compare NAME EXPECTED_FILE ACTUAL_FILE
compare() {
    if diff -u --label "README's // prints: lines" --label "what $1 printed" "$2" "$3"; then
        pass "$1 ($(wc -l <"$3") lines as the README says)"
    else
        fail "$1" "its output differs from the README's // prints: lines (diff above)"
    fi
}

# The packed package must be what restore used, not a copy from some other cache.
from_feed() { [ -d "$NUGET_PACKAGES/$(echo "$1" | tr '[:upper:]' '[:lower:]')" ]; }

# build_and_run NAME DIR FILE: builds DIR (warnings are errors), runs it, compares with FILE's // prints:.
build_and_run() {
    local name=$1 dir=$2 file=$3
    (cd "$dir" && dotnet build -c Release -warnaserror -nologo -v quiet) >"$work/$name.build.log" 2>&1 || { cat "$work/$name.build.log"; fail "$name" "the pasted snippets do not build without warnings"; return 1; }
    (cd "$dir" && dotnet run -c Release --no-build) >"$work/$name.out" 2>&1 || { cat "$work/$name.out"; fail "$name" "the program failed"; return 1; }
    expected_output "$dir/$file" >"$work/$name.expected"
    compare "$name" "$work/$name.expected" "$work/$name.out"
}

# console NAME LANG PACKAGE SOURCE_FILE SNIPPET_LANG
console() {
    local name=$1 lang=$2 package=$3 file=$4 snippet=$5 dir="$work/$1"
    echo "== consumer: $name"
    dotnet new console --language "$lang" --output "$dir" --name "Consumer$RANDOM" >/dev/null || { fail "$name" "dotnet new console"; return 1; }
    # As the README says: `dotnet add package FastArena` (the local folder comes from nuget.config).
    (cd "$dir" && dotnet add package "$package") >"$work/$name.add.log" 2>&1 || { cat "$work/$name.add.log"; fail "$name" "dotnet add package $package"; return 1; }
    from_feed "$package" || { fail "$name" "$package was not restored from the packed packages"; return 1; }
    paste_snippets "$snippet" >"$dir/$file" || { fail "$name" "no $snippet snippets in README.md"; return 1; }
    build_and_run "$name" "$dir" "$file"
}

cd "$work"
console csharp C# FastArena Program.cs csharp
console fsharp F# FastArena.FSharp Program.fs fsharp

# The F# consumer again with FSharp.Core pinned to the floor, as an application pins it (the SDK's
# implicit reference, updated); a downgrade warning (NU1605) fails the build, as warnings are errors.
echo "== consumer: fsharp-floor (FSharp.Core ${floor:-?})"
if [ -z "$floor" ]; then
    fail fsharp-floor "no <FSharpCoreFloor> in Directory.Packages.props"
elif [ ! -f "$work/fsharp.expected" ]; then
    fail fsharp-floor "the F# consumer did not get far enough"
else
    project=$(echo "$work"/fsharp/*.fsproj)
    sed -i "s|</Project>|  <ItemGroup><PackageReference Update=\"FSharp.Core\" Version=\"$floor\" /></ItemGroup>\n</Project>|" "$project"
    if (cd "$work/fsharp" && dotnet restore -nologo -v quiet) >"$work/floor.log" 2>&1 &&
        grep -q "\"FSharp.Core/$floor\"" "$work/fsharp/obj/project.assets.json"; then
        build_and_run fsharp-floor "$work/fsharp" Program.fs
    else
        cat "$work/floor.log"
        fail fsharp-floor "FSharp.Core $floor was not what restore chose"
    fi
fi

echo "== consumer: fsharp-script"
{
    echo "#i \"nuget: $work/feed\""
    echo '#r "nuget: FastArena.FSharp"'
    echo
    paste_snippets fsharp
} >"$work/script.fsx"
if dotnet fsi --warnaserror+ "$work/script.fsx" >"$work/script.out" 2>&1; then
    expected_output "$work/script.fsx" >"$work/script.expected"
    compare fsharp-script "$work/script.expected" "$work/script.out"
else
    cat "$work/script.out"
    fail fsharp-script "dotnet fsi script.fsx failed"
fi

if $aot; then
    echo "== consumer: csharp-aot"
    dir="$work/csharp"
    start=$(date +%s)
    if [ ! -f "$work/csharp.expected" ]; then
        fail csharp-aot "the C# consumer did not get far enough to publish"
    elif (cd "$dir" && dotnet publish -c Release -r linux-x64 -p:PublishAot=true -warnaserror -nologo -v quiet -o "$work/aot") >"$work/aot.log" 2>&1; then
        echo "consumer check: NativeAOT publish took $(($(date +%s) - start)) s; $(grep -ciE 'warning|error' "$work/aot.log") warning or error lines"
        exe=$(find "$work/aot" -maxdepth 1 -type f -name 'Consumer*' ! -name '*.*' | head -n 1)
        if [ -n "$exe" ] && "$exe" >"$work/aot.out" 2>&1; then
            compare csharp-aot "$work/csharp.expected" "$work/aot.out"
        else
            cat "$work/aot.out" 2>/dev/null
            fail csharp-aot "the native executable failed"
        fi
    else
        cat "$work/aot.log"
        fail csharp-aot "dotnet publish -p:PublishAot=true failed or warned"
    fi
fi

echo "consumers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
