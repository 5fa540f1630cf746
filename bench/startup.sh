#!/usr/bin/env bash
# Benchmark: time from launching `hubtix --demo` (release build) in a terminal until the first
# ticket row of the first view (Open: it waits for the pipelines, then searches) is on screen. The TUI runs in tmux on a private socket, 160x48; the screen
# is polled with `capture-pane` every few milliseconds. Prints each run and the median.
#
#   bash bench/startup.sh              # --demo (embedded sandbox, 500 tickets), 5 runs
#   RUNS=9 bash bench/startup.sh
#   BIG=100000 bash bench/startup.sh   # also: --demo-like against `hubtix sandbox --tickets 100000`
#
# The time includes tmux starting the process (a few ms) and the polling interval.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
BIG=${BIG:-100000}
# A list row: the border, the mark column, a ticket ID. FIRST_ROW=1001 waits for that ID.
FIRST_ROW=${FIRST_ROW:-}
row_pattern="^│. ${FIRST_ROW:-[0-9]+} "
TIMEOUT_S=${TIMEOUT_S:-30}

if [ -z "${HUBTIX_BIN:-}" ]; then
  cargo build --release --locked --quiet
  target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  HUBTIX_BIN="$target_dir/release/hubtix"
fi
bin=$HUBTIX_BIN

work=$(mktemp -d)
sock="hubtix-startup-$$"
sandbox_pid=
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Runs "$@" in a fresh tmux server, returns (prints) the ms until FIRST_ROW is on screen.
time_to_first_row() {
  local cmd="$1" t0 t1 deadline
  tmux -L "$sock" kill-server 2>/dev/null || true
  t0=$(now_ms)
  tmux -L "$sock" -f /dev/null new-session -d -s bench -x 160 -y 48 "$cmd"
  deadline=$((t0 + TIMEOUT_S * 1000))
  while :; do
    if tmux -L "$sock" capture-pane -p -t bench 2>/dev/null | grep -qE "$row_pattern"; then
      t1=$(now_ms)
      break
    fi
    if [ "$(now_ms)" -gt "$deadline" ]; then
      echo "timed out; screen:" >&2
      tmux -L "$sock" capture-pane -p -t bench >&2 || true
      return 1
    fi
    sleep 0.005
  done
  tmux -L "$sock" send-keys -t bench C-c
  sleep 0.2
  tmux -L "$sock" kill-server 2>/dev/null || true
  echo $((t1 - t0))
}

env_dirs="HUBTIX_CONFIG_DIR=$work/config HUBTIX_DATA_DIR=$work/data HUBTIX_CACHE_DIR=$work/cache"

measure() {
  local label="$1" cmd="$2" times=()
  for _ in $(seq 1 "$RUNS"); do
    times+=("$(time_to_first_row "$cmd")")
  done
  printf '%-58s runs(ms): %s  median %s ms\n' "$label" "${times[*]}" \
    "$(printf '%s\n' "${times[@]}" | median)"
}

measure "hubtix --demo (embedded sandbox, 500 tickets)" "env $env_dirs $bin --demo"

if [ "$BIG" -gt 0 ]; then
  "$bin" sandbox --port 0 --tickets "$BIG" >"$work/sandbox.out" 2>"$work/sandbox.err" &
  sandbox_pid=$!
  for _ in $(seq 1 1200); do
    grep -q '^listening on ' "$work/sandbox.out" 2>/dev/null && break
    sleep 0.05
  done
  url=$(sed -n 's/^listening on //p' "$work/sandbox.out" | head -n 1)
  [ -n "$url" ] || { echo "sandbox did not start"; cat "$work/sandbox.err"; exit 1; }
  measure "hubtix against a sandbox with $BIG tickets" \
    "env $env_dirs HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL=$url $bin"
fi
