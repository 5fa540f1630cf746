#!/usr/bin/env bash
# Peak memory (RSS high-water mark): `hubtix tickets list --all --output jsonl` over a sandbox
# with TICKETS tickets (from `/usr/bin/time -v`), and `hubtix sandbox --tickets BIG` once
# seeded and again after serving a full listing (VmRSS and VmHWM from /proc/PID/status; the
# high-water mark includes the peak while seeding), with the time from start to listening
# (seeding; it depends on the machine's load, so the load average is printed beside it).
#
#   bash bench/memory.sh                      # TICKETS=10000, BIG=100000
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${TICKETS:-10000}
BIG=${BIG:-100000}

if [ -z "${HUBTIX_BIN:-}" ]; then
  cargo build --release --locked --quiet
  target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  HUBTIX_BIN="$target_dir/release/hubtix"
fi
bin=$HUBTIX_BIN
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }

work=$(mktemp -d)
sandbox_pid=
trap '[ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null; rm -rf "$work"' EXIT

start_sandbox() {
  started=$(date +%s%N)
  "$bin" sandbox --port 0 --tickets "$1" --rate-limit off >"$work/sandbox.out" 2>"$work/sandbox.err" &
  sandbox_pid=$!
  for _ in $(seq 1 1200); do
    grep -q '^listening on ' "$work/sandbox.out" 2>/dev/null && break
    sleep 0.05
  done
  seeded_ms=$((($(date +%s%N) - started) / 1000000))
  url=$(sed -n 's/^listening on //p' "$work/sandbox.out" | head -n 1)
  [ -n "$url" ] || { echo "sandbox did not start"; cat "$work/sandbox.err"; exit 1; }
}
stop_sandbox() { kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; sandbox_pid=; }
hwm() { awk '/^VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }
rss() { awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }
list_all() {
  HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL="$url" HUBTIX_CACHE_DIR="$work/cache" \
    HUBTIX_CONFIG_DIR="$work/config" HUBTIX_DATA_DIR="$work/data" \
    /usr/bin/time -v -o "$work/time.txt" "$bin" tickets list --all --output jsonl >"$work/out.jsonl"
  awk -F': ' '/Maximum resident set size/ {printf "%.1f MiB", $2 / 1024}' "$work/time.txt"
}

start_sandbox "$TICKETS"
echo "hubtix tickets list --all --output jsonl ($TICKETS tickets): peak RSS $(list_all), $(wc -l <"$work/out.jsonl") lines"
stop_sandbox

start_sandbox "$BIG"
echo "hubtix sandbox --tickets $BIG: seeded and listening in $seeded_ms ms (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "hubtix sandbox --tickets $BIG: RSS $(rss "$sandbox_pid"), peak RSS $(hwm "$sandbox_pid") once seeded"
echo "hubtix tickets list --all --output jsonl ($BIG tickets): peak RSS $(list_all), $(wc -l <"$work/out.jsonl") lines"
echo "hubtix sandbox --tickets $BIG: RSS $(rss "$sandbox_pid"), peak RSS $(hwm "$sandbox_pid") after serving the full listing"
stop_sandbox
