#!/usr/bin/env bash
# Load test of the server sample over loopback: the arena endpoint against the idiomatic (System.Text.Json)
# one, each in a fresh server process: normal traffic only, then with hostile clients alongside (100 MB
# bodies with and without Content-Length, deeply nested JSON, slow senders), then normal traffic again. Prints req/s, latency
# p50/p99/p99.9, managed bytes allocated per request, collections per generation and RSS, and how the
# hostile requests were answered. Bounded: every wrk run and every hostile client has a time limit.
#
#   flock /work/bench.lock samples/FastArena.Server/load.sh [seconds per run (default 15)] [connections (default 32)]
#
# Needs wrk (installed with apt-get when missing), curl and python3. Not part of ./build.sh test.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

duration=${1:-15}
connections=${2:-32}
port=5080
base="http://127.0.0.1:$port"

if ! command -v wrk >/dev/null; then
    echo "installing wrk (apt-get)..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >/dev/null 2>&1 \
        || { sudo -n apt-get update -qq && sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >/dev/null 2>&1 \
        || { echo "load.sh: could not install wrk" >&2; exit 1; }
fi

work=$(mktemp -d)
server_pid=""
hostile_pids=()
cleanup() {
    for p in "${hostile_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

dotnet build samples/FastArena.Server -c Release --nologo -v quiet >/dev/null
server_dll=samples/FastArena.Server/bin/Release/net10.0/FastArena.Server.dll

# The request: 200 orders (about 35 KB). The hostile bodies.
python3 samples/FastArena.Server/orders.py 200 7 >"$work/orders.json"
head -c $((100 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$work/big.json"
python3 -c "print('[' * 100000 + ']' * 100000)" >"$work/deep.json"
head -c $((64 * 1024)) /dev/zero | tr '\0' ' ' >"$work/slow.json"

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/orders.json", "rb"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT %d %.1f %.0f %.0f %.0f %d %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), non2xx, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

diag() { curl -s --max-time 5 "$base/diag"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

start_server() {
    dotnet "$server_dll" --urls "$base" >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do diag >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "load.sh: the server did not start" >&2; cat "$work/server.log" >&2; exit 1
}

stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

# Hostile clients in loops until the deadline; each answer's status goes to $work/hostile-<endpoint>.txt.
hostile() {
    local endpoint=$1 until=$2 out="$work/hostile-$1.txt"
    local url="$base/$endpoint/orders"
    loop() {
        local kind=$1; shift
        while [ "$(date +%s)" -lt "$until" ]; do
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 15 -X POST -H 'Content-Type: application/json' "$@" "$url" || true)
            echo "$kind $code" >>"$out"
        done
    }
    loop big-declared --data-binary @"$work/big.json" & hostile_pids+=($!)
    loop big-chunked -H 'Transfer-Encoding: chunked' --data-binary @"$work/big.json" & hostile_pids+=($!)
    loop deep --data-binary @"$work/deep.json" & hostile_pids+=($!)
    loop slow --limit-rate 100 --data-binary @"$work/slow.json" & hostile_pids+=($!)
    loop slow --limit-rate 100 --data-binary @"$work/slow.json" & hostile_pids+=($!)
}

run() {  # endpoint traffic -> one table row
    local endpoint=$1 traffic=$2 before after result
    before=$(diag)
    if [ "$traffic" = hostile ]; then hostile "$endpoint" $(( $(date +%s) + duration )); fi
    result=$(wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s --latency -s "$work/post.lua" "$base/$endpoint/orders" | grep '^RESULT')
    for p in "${hostile_pids[@]}"; do wait "$p" 2>/dev/null || true; done
    hostile_pids=()
    after=$(diag)
    read -r _ requests rps p50 p99 p999 non2xx sockerr <<<"$result"
    local alloc g0 g1 g2 rss
    alloc=$(( ($(field "$after" allocatedBytes) - $(field "$before" allocatedBytes)) / (requests > 0 ? requests : 1) ))
    g0=$(( $(field "$after" gen0) - $(field "$before" gen0) ))
    g1=$(( $(field "$after" gen1) - $(field "$before" gen1) ))
    g2=$(( $(field "$after" gen2) - $(field "$before" gen2) ))
    rss=$(( $(field "$after" workingSet) / 1024 / 1024 ))
    echo "$endpoint $traffic $p99" >>"$work/p99.txt"
    printf '| %-6s | %-7s | %8s | %9s | %8s | %8s | %9s | %11s | %3s / %3s / %3s | %4s MiB | %s |\n' \
        "$endpoint" "$traffic" "$requests" "$rps" "$p50" "$p99" "$p999" "$alloc" "$g0" "$g1" "$g2" "$rss" "$non2xx non-2xx, $sockerr socket errors"
}

echo "load.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "wrk -t2 -c$connections -d${duration}s, body $(wc -c <"$work/orders.json") bytes (200 orders); latencies in microseconds"
echo
echo "| endpoint | traffic | requests | req/s | p50 (us) | p99 (us) | p99.9 (us) | alloc B/req | gen0 / gen1 / gen2 | RSS after | errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|"
for endpoint in arena gc; do
    start_server
    # Warm-up, not measured, as long as a measured run: tiered JIT and the pool settle (a 3 s warm-up left
    # the first measured run several times slower than the third on a busy machine).
    wrk -t2 -c"$connections" -d"${duration}s" -s "$work/post.lua" "$base/$endpoint/orders" >/dev/null
    # normal, hostile, normal again: the hostile row is read against both normal rows, so drift over
    # the runs (the machine warming, the heap growing) shows instead of passing for the hostile clients' effect.
    run "$endpoint" normal
    run "$endpoint" hostile
    run "$endpoint" normal
    stop_server
done
echo
echo "Hostile traffic's effect on p99 (against the mean of the two normal runs of the same server):"
for endpoint in arena gc; do
    awk -v e="$endpoint" '$1 == e && $2 == "normal" { n += $3; c++ } $1 == e && $2 == "hostile" { h = $3 }
        END { if (c > 0 && n > 0) printf "  %-5s normal p99 %.0f us (mean of %d), hostile %.0f us: %+.0f%%\n", e, n / c, c, h, (h / (n / c) - 1) * 100 }' "$work/p99.txt"
done
echo
echo "Hostile requests (kind, status, count):"
for endpoint in arena gc; do
    [ -f "$work/hostile-$endpoint.txt" ] && sort "$work/hostile-$endpoint.txt" | uniq -c | awk -v e="$endpoint" '{printf "  %-5s %-13s %s x%s\n", e, $2, $3, $1}'
done
