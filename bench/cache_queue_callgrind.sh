#!/usr/bin/env bash
# Instruction counts of one `/` keystroke over 100,000 cached tickets, which do not depend on
# the machine's load: `benches/cache_queue.rs` run once per case (`CACHE_QUEUE_ONCE`) under
# callgrind, collecting only `keystroke_once` (the update, the redraw, the cache's reader
# answering for the rows on screen, the redraw again), pinned to one core so the fuzzy
# matcher's scoring stays on the measured thread (on several cores it splits the same work).
# The cache file is written once by a native run and reused.
#
#   bash bench/cache_queue_callgrind.sh
#   CASES="fresh 'p'" bash bench/cache_queue_callgrind.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind"; exit 1; }
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
cargo bench --bench cache_queue --no-run --quiet -j 2 2>/dev/null
bin=$(ls -t "$target_dir"/release/deps/cache_queue-* | grep -v '\.d$' | head -n 1)
file="$target_dir/cache_queue.sqlite3"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export CACHE_QUEUE_FILE="$file"
if [ ! -f "$file" ]; then
  CACHE_QUEUE_ONCE="fresh 'p'" "$bin" --bench 2>/dev/null
fi
IFS=$'\n'
cases=${CASES:-"fresh 'p'
extend 'p' -> 'pr'
backspace 'pr' -> 'p'"}
for case in $cases; do
  CACHE_QUEUE_ONCE="$case" taskset -c 0 valgrind --tool=callgrind --collect-atstart=no \
    --toggle-collect='*keystroke_once*' --callgrind-out-file="$out/cg" \
    "$bin" --bench >"$out/log" 2>&1 || { cat "$out/log"; exit 1; }
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/log" | tail -n 1)
  shown=$(grep -E "rows on view" "$out/log" | tail -n 1)
  printf '%s: %s instructions (%s)\n' "$case" "$(printf "%'d" "$ir" 2>/dev/null || echo "$ir")" "$shown"
done
