#!/usr/bin/env bash
# Crash check for collections: kill -9 a large `swiftlearn collection add` mid-way, then verify that
# the database opens, is consistent, and holds every document the process reported as committed.
#
# Usage: scripts/check_collection_kill.sh PATH/TO/swiftlearn [DOCS] [BATCH]
# Builds nothing. Needs python3 (to write the documents). Exit status 0 = pass.
set -euo pipefail
BIN=${1:?usage: $0 PATH/TO/swiftlearn [DOCS] [BATCH]}
DOCS=${2:-20000}
BATCH=${3:-50}
[ -x "$BIN" ] || { echo "not executable: $BIN" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
H=(--home "$WORK/home")

# Documents: 5 sentences of 18 seeded words each (95-126 characters per sentence, so with
# sentences:130:0 chunking every sentence is exactly one chunk).
python3 - "$DOCS" > "$WORK/docs.jsonl" <<'PY'
import json, random, sys
rng = random.Random(7)
words = ["river", "solar", "engine", "graph", "vector", "token", "search", "index", "cloud", "stone",
         "light", "music", "paper", "green", "storm", "field", "metal", "glass", "orbit", "pixel"]
for i in range(int(sys.argv[1])):
    text = " ".join(" ".join(rng.choice(words) for _ in range(18)).capitalize() + "." for _ in range(5))
    print(json.dumps({"id": f"doc{i:06d}", "text": text, "metadata": {"n": i, "even": i % 2 == 0}}))
PY

"$BIN" collection create killtest --chunking sentences:130:0 "${H[@]}" > /dev/null
"$BIN" collection add killtest --jsonl "$WORK/docs.jsonl" --batch-size "$BATCH" "${H[@]}" > "$WORK/add.log" 2> "$WORK/add.err" &
PID=$!
# Wait until a good number of batches have committed, then kill -9 mid-way.
TARGET=$((DOCS / 4))
for _ in $(seq 1 6000); do
    n=$(grep -c '^committed ' "$WORK/add.log" || true)
    [ "$n" -ge "$TARGET" ] && break
    kill -0 "$PID" 2> /dev/null || break
    sleep 0.02
done
if ! kill -0 "$PID" 2> /dev/null; then
    echo "FAIL: the add finished or died before it could be killed (use more DOCS)"; cat "$WORK/add.err"; exit 1
fi
kill -9 "$PID"
wait "$PID" 2> /dev/null || true
grep '^committed ' "$WORK/add.log" | cut -d' ' -f2 | sort > "$WORK/committed.txt"
REPORTED=$(wc -l < "$WORK/committed.txt")
echo "killed pid $PID after $REPORTED documents were reported committed (of $DOCS)"

# 1. The database opens and lists its documents.
"$BIN" collection list killtest "${H[@]}" | sort > "$WORK/listed.txt"
LISTED=$(wc -l < "$WORK/listed.txt")
# 2. Every reported document is there.
MISSING=$(comm -23 "$WORK/committed.txt" "$WORK/listed.txt" | wc -l)
# 3. Whole transactions only: at most one batch was committed but not yet reported, and the
#    listed documents are a prefix of the input in batch units.
EXTRA=$((LISTED - REPORTED))
PREFIX_OK=1
head -n "$LISTED" "$WORK/docs.jsonl" | python3 -c 'import json,sys; print("\n".join(json.loads(l)["id"] for l in sys.stdin))' | sort | cmp -s - "$WORK/listed.txt" || PREFIX_OK=0
# 4. Chunk counts are consistent (each document has 5 sentences → 5 chunks) and search works.
STATS=$("$BIN" collection list "${H[@]}" --json)
SEARCH=$("$BIN" search killtest "solar river" --mode hybrid --k 3 --json "${H[@]}" | wc -l)
FILTERED=$("$BIN" search killtest "orbit" --mode bm25 --k 5 --where '{"even": true}' --json "${H[@]}" | grep -c '"document"' || true)
# 5. The collection still accepts writes (no stale lock).
echo '{"id": "after-crash", "text": "Written after the crash."}' > "$WORK/one.jsonl"
"$BIN" collection add killtest --jsonl "$WORK/one.jsonl" "${H[@]}" > /dev/null
echo "listed $LISTED documents; missing committed: $MISSING; unreported committed: $EXTRA; stats: $STATS; hybrid hits: $SEARCH; filtered hits: $FILTERED"
DOCS_STAT=$(echo "$STATS" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["documents"], d["chunks"])')
set -- $DOCS_STAT
if [ "$MISSING" -eq 0 ] && [ "$EXTRA" -ge 0 ] && [ "$EXTRA" -le "$BATCH" ] && [ "$PREFIX_OK" -eq 1 ] \
   && [ "$1" -eq "$LISTED" ] && [ "$2" -eq $((5 * LISTED)) ] && [ "$SEARCH" -eq 3 ] && [ "$FILTERED" -ge 1 ]; then
    echo "PASS"
else
    echo "FAIL"; exit 1
fi
