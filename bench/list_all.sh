#!/usr/bin/env bash
# Benchmark: list every ticket of a sandbox with `hubtix tickets list --all --output jsonl`
# and with HubSpot's official Python client (`hubspot-api-client`, `get_all`), against the
# same sandbox on 127.0.0.1. Prints the median wall time of each over RUNS runs.
#
#   bash bench/list_all.sh            # 10,000 tickets, 5 runs each
#   TICKETS=100000 RUNS=3 bash bench/list_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${TICKETS:-10000}
RUNS=${RUNS:-5}
PY_CLIENT_VERSION=${PY_CLIENT_VERSION:-12.0.0}

cargo build --release --locked --quiet
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release/hubtix"

if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet "hubspot-api-client==$PY_CLIENT_VERSION"
fi

work=$(mktemp -d)
trap 'kill "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" sandbox --port 0 --tickets "$TICKETS" --rate-limit off >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 200); do
  grep -q '^listening on ' "$work/sandbox.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$work/sandbox.out" | head -n 1)
[ -n "$url" ] || { echo "sandbox did not start"; cat "$work/sandbox.err"; exit 1; }
echo "sandbox $url with $TICKETS tickets; $RUNS runs each"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run_hubtix() {
  HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL="$url" HUBTIX_CACHE_DIR="$work/cache" \
    HUBTIX_CONFIG_DIR="$work/config" HUBTIX_DATA_DIR="$work/data" \
    "$bin" tickets list --all --output jsonl >"$work/hubtix.jsonl"
}
run_python() {
  bench/.venv/bin/python bench/python_get_all.py "$url" demo-token "$work/python.jsonl" 2>/dev/null
}

for tool in hubtix python; do
  : >"$work/$tool.times"
  for _ in $(seq 1 "$RUNS"); do
    t0=$(now); "run_$tool"; t1=$(now)
    python3 -c "print($t1 - $t0)" >>"$work/$tool.times"
  done
  lines=$(wc -l <"$work/$tool.jsonl")
  [ "$lines" -eq "$TICKETS" ] || { echo "$tool listed $lines tickets, expected $TICKETS"; exit 1; }
done
h=$(median <"$work/hubtix.times"); p=$(median <"$work/python.times")
printf 'hubtix tickets list --all --output jsonl   median %.3f s\n' "$h"
printf 'hubspot-api-client %s get_all        median %.3f s\n' "$PY_CLIENT_VERSION" "$p"
printf 'speed-up: %.1fx\n' "$(python3 -c "print($p / $h)")"
