#!/usr/bin/env bash
# Benchmark: the TUI with 100,000 tickets cached (release build, tmux 160x48, private socket).
#  1. warm start: from launching `hubtix` until the first ticket row is on screen, and whether
#     that screen showed the cache's rows ("as of …" in the list title) or HubSpot's page;
#  2. `/` over the cached queue: from typing `/printer` until the title counts the cache's
#     matches (the first `/` reads the queue from the cache);
#  3. resident memory of the TUI (VmRSS, and VmHWM: the peak) once `/` has the 100,000 cached
#     rows and a query is typed, and again after backspacing to `/p` (the widest narrowing:
#     nearly every cached row matches, the screen's rows read from the cache);
#  4. the cache file's size (`hubtix cache info`);
#  5. one `/` keystroke over 100,000 cached (update, redraw, the rows on screen read from the
#     cache): `cargo bench --bench cache_queue -- keystroke/` (KEYS=0 skips it; its
#     instruction counts, independent of load: `bash bench/cache_queue_callgrind.sh`).
# Give `uptime` with the numbers: timings on a loaded machine are not the final word.
# The cache is filled first with `hubtix sync` against `hubtix sandbox --tickets TICKETS`
# (its rate limit raised so the sync takes seconds, not a minute).
#
# Each run also prints the start's steps (`HUBTIX_TRACE_START=1`: the log's "start: …" lines)
# as ms after the launch: where the time to the first rows goes. The load average is printed
# at the start and the end: timings on a loaded machine are not the final word.
#
#   bash bench/cache_tui.sh
#   TICKETS=20000 RUNS=3 bash bench/cache_tui.sh
#   HUBTIX_BIN=target/release/hubtix bash bench/cache_tui.sh   # a build already made
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${TICKETS:-100000}
RUNS=${RUNS:-5}

if [ -z "${HUBTIX_BIN:-}" ]; then
  cargo build --release --locked --quiet
  target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  HUBTIX_BIN="$target_dir/release/hubtix"
fi
bin=$HUBTIX_BIN
work=$(mktemp -d)
sock="hubtix-cache-tui-$$"
sandbox_pid=
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
screen() { tmux -L "$sock" capture-pane -p -t bench 2>/dev/null; }
# Polls the screen (every ~5 ms) until it matches the extended regexp $1; prints the ms waited.
wait_for() {
  local pattern="$1" t0 deadline
  t0=$(now_ms)
  deadline=$((t0 + 60000))
  until screen | grep -qE "$pattern"; do
    if [ "$(now_ms)" -gt "$deadline" ]; then
      echo "timed out waiting for $pattern; screen:" >&2
      screen >&2
      return 1
    fi
    sleep 0.005
  done
  echo $(($(now_ms) - t0))
}

"$bin" sandbox --port 0 --tickets "$TICKETS" --rate-limit 5000/1 >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 1200); do
  grep -q '^listening on ' "$work/sandbox.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/sandbox.out" | head -n 1)
[ -n "$url" ] || { echo "sandbox did not start"; exit 1; }
export HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL="$url" HUBTIX_CACHE_DIR="$work/cache" \
  HUBTIX_CONFIG_DIR="$work/config" HUBTIX_DATA_DIR="$work/data"
"$bin" sync 2>"$work/sync.err"
echo "sandbox $url, $(tail -n 1 "$work/sync.err")"
"$bin" cache info | sed 's/^/cache info: /'
env_vars="HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL=$url HUBTIX_CACHE_DIR=$work/cache HUBTIX_CONFIG_DIR=$work/config HUBTIX_DATA_DIR=$work/data HUBTIX_TRACE_START=1"
log="$work/cache/logs/hubtix.log"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

row='^│. [0-9]+ '
starts=() cached_first=0 slashes=()
for run in $(seq 1 "$RUNS"); do
  tmux -L "$sock" kill-server 2>/dev/null || true
  : >"$log" 2>/dev/null || true
  t0=$(now_ms)
  tmux -L "$sock" -f /dev/null new-session -d -s bench -x 160 -y 48 "env $env_vars $bin"
  until screen | grep -qE "$row"; do sleep 0.005; done
  starts+=($(($(now_ms) - t0)))
  if screen | grep -q 'as of '; then cached_first=$((cached_first + 1)); fi
  wait_for 'Ticket name' >/dev/null
  pid=$(tmux -L "$sock" display-message -p -t bench '#{pane_pid}')
  before=$(awk '/^VmRSS/ {printf "%d MiB", $2/1024}' "/proc/$pid/status")
  tmux -L "$sock" send-keys -t bench /
  tmux -L "$sock" send-keys -t bench -l printer
  slashes+=("$(wait_for 'from the cache')")
  mem=$(grep -E '^Vm(RSS|HWM)' "/proc/$pid/status" | awk '{printf "%s %d MiB  ", $1, $2/1024}')
  # Back to `/p`: the widest narrowing (thousands of cached matches).
  count() { screen | grep -oE '[0-9,]+ from the cache' | head -n 1; }
  narrow=$(count)
  tmux -L "$sock" send-keys -t bench BSpace BSpace BSpace BSpace BSpace BSpace
  until [ "$(count)" != "$narrow" ]; do sleep 0.005; done
  # Six keys: settled once the count holds for 300 ms.
  last=$(count); same=0
  while [ "$same" -lt 60 ]; do
    sleep 0.005
    if [ "$(count)" = "$last" ]; then same=$((same + 1)); else last=$(count); same=0; fi
  done
  wide="$last"
  mem_wide=$(grep -E '^Vm(RSS|HWM)' "/proc/$pid/status" | awk '{printf "%s %d MiB  ", $1, $2/1024}')
  echo "run $run: first rows ${starts[-1]} ms, / answered in ${slashes[-1]} ms; before / VmRSS $before, after /printer: $mem; after /p ($wide): $mem_wide"
  # The start's steps, in ms after the launch (the log's wall clock against t0).
  steps=$(sed -n 's/.*start: \(.*\) at epoch \([0-9]*\) ms.*/\2 \1/p' "$log" 2>/dev/null |
    awk -v t0="$t0" '{ms=$1-t0; $1=""; printf "%s %d ms;", $0, ms}')
  echo "run $run steps:$steps"
  tmux -L "$sock" send-keys -t bench C-c
  sleep 0.3
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
tmux -L "$sock" kill-server 2>/dev/null || true
echo "first rows: ${starts[*]} ms (median $(printf '%s\n' "${starts[@]}" | median)); cache's rows first in $cached_first of $RUNS"
echo "/printer until the cache's matches are counted: ${slashes[*]} ms (median $(printf '%s\n' "${slashes[@]}" | median))"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${KEYS:-1}" != 0 ]; then
  echo "one / keystroke over 100,000 cached (benches/cache_queue.rs, whatever TICKETS says):"
  cargo bench --bench cache_queue -j 2 -- keystroke/ 2>&1 | grep -E '^(keystroke/|queue index)|time:' || true
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
