#!/usr/bin/env bash
# Benchmark: the local cache's sync against a sandbox with HubSpot's default burst limit.
#  1. first sync of TICKETS tickets with `--rate-limit 190/10`, against the floor
#     (pages / 190 × 10 s, pages of 100);
#  2. an incremental sync after 1,000 tickets changed through the API: its requests;
#  3. the cache file's size; 4. resident memory of `tickets list --cached --all` (streamed
#     from SQLite to the output a chunk at a time).
#
#   bash bench/sync.sh                 # 100,000 tickets
#   TICKETS=20000 bash bench/sync.sh
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${TICKETS:-100000}

if [ -z "${HUBTIX_BIN:-}" ]; then
  cargo build --release --locked --quiet
  target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  HUBTIX_BIN="$target_dir/release/hubtix"
fi
bin=$HUBTIX_BIN

work=$(mktemp -d)
trap 'kill "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" sandbox --port 0 --tickets "$TICKETS" --rate-limit 190/10 >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 1200); do
  grep -q '^listening on ' "$work/sandbox.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/sandbox.out" | head -n 1)
[ -n "$url" ] || { echo "sandbox did not start"; cat "$work/sandbox.err"; exit 1; }
echo "sandbox $url with $TICKETS tickets, rate limit 190/10"

export HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL="$url" HUBTIX_CACHE_DIR="$work/cache" \
  HUBTIX_CONFIG_DIR="$work/config" HUBTIX_DATA_DIR="$work/data"
now() { date +%s.%N; }

t0=$(now)
"$bin" sync 2>"$work/first.err"
t1=$(now)
tail -n 1 "$work/first.err"
pages=$(( (TICKETS + 99) / 100 ))
python3 - "$t0" "$t1" "$pages" <<'PY'
import sys
t0, t1, pages = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
floor = pages / 190 * 10
print(f"first sync: {t1 - t0:.1f} s; floor {floor:.1f} s ({pages} pages at 190/10 s); ratio {(t1 - t0) / floor:.3f}")
PY
if grep -q ' 429' "$work/first.err"; then echo "a 429 reached the user"; exit 1; fi

# 1,000 changes through the API: ten batch updates of 100 (IDs from the cache).
"$bin" tickets list --cached --all --output jsonl --properties subject \
  | python3 -c 'import json,sys; ids=[json.loads(l)["id"] for l in sys.stdin]; print("\n".join(ids[:1000]))' \
  >"$work/ids"
python3 - "$url" "$work/ids" <<'PY'
import json, sys, urllib.request
url, ids = sys.argv[1], open(sys.argv[2]).read().split()
for i in range(0, len(ids), 100):
    body = {"inputs": [{"id": t, "properties": {"subject": f"bench change {t}"}} for t in ids[i:i + 100]]}
    req = urllib.request.Request(f"{url}/crm/v3/objects/tickets/batch/update", data=json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer demo-token", "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
PY
"$bin" sync 2>"$work/inc.err"
echo "incremental after 1,000 changes: $(tail -n 1 "$work/inc.err")"

"$bin" cache info | sed 's/^/cache info: /'
/usr/bin/time -f "tickets list --cached --all: max resident %M KiB, %e s" \
  "$bin" tickets list --cached --all --output jsonl >/dev/null
