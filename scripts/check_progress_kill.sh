#!/usr/bin/env bash
# Crash test of the progress store with real processes.
#
#   scripts/check_progress_kill.sh PATH_TO_SWIFTLEARN [ROUNDS]
#
# Each round starts two `swiftlearn progress stress-write` processes on the same database (each
# writes study-log entries one transaction at a time and prints "committed <id>" after each
# commit), kills one with SIGKILL in the middle of its loop while the other keeps writing, then
# checks with an independent reader (python3's sqlite3, else the sqlite3 CLI) that the database
# opens, passes PRAGMA integrity_check, and holds every id either process reported committed.
# Finally `swiftlearn progress doctor` must open it too. Exit status 0 means every check passed.
set -euo pipefail

BIN=${1:?usage: $0 PATH_TO_SWIFTLEARN [ROUNDS]}
ROUNDS=${2:-3}
SURVIVOR_COUNT=5000
[ -x "$BIN" ] || { echo "error: $BIN is not executable" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/swiftlearn-kill.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SWIFTLEARN_HOME="$WORK/home"
DB="$SWIFTLEARN_HOME/progress.sqlite"

query() {  # query SQL → one value per line
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for row in con.execute(sys.argv[2]):
    print(row[0])
PY
    elif command -v sqlite3 >/dev/null 2>&1; then
        sqlite3 "$DB" "$1"
    else
        echo "error: need python3 or sqlite3 to read the database independently" >&2; exit 2
    fi
}

"$BIN" progress mark pca >/dev/null   # creates and migrates the database
for round in $(seq 1 "$ROUNDS"); do
    "$BIN" progress stress-write --count 1000000 --note "victim$round" > "$WORK/victim$round.out" 2>"$WORK/victim$round.err" &
    victim=$!
    "$BIN" progress stress-write --count "$SURVIVOR_COUNT" --note "survivor$round" > "$WORK/survivor$round.out" 2>"$WORK/survivor$round.err" &
    survivor=$!
    # Let the victim get well into its loop, then kill it without warning.
    for _ in $(seq 1 100); do
        [ "$(wc -l < "$WORK/victim$round.out")" -ge 150 ] && break
        sleep 0.05
    done
    sleep 0.$((RANDOM % 9 + 1))
    if kill -0 "$survivor" 2>/dev/null; then overlap="while the other writer was still writing"; else overlap="after the other writer had finished"; fi
    kill -9 "$victim"
    wait "$victim" 2>/dev/null || true
    wait "$survivor" || { echo "FAIL round $round: the surviving writer failed:" >&2; cat "$WORK/survivor$round.err" >&2; exit 1; }
    victim_ids=$(grep -c '^committed ' "$WORK/victim$round.out" || true)
    survivor_ids=$(grep -c '^committed ' "$WORK/survivor$round.out" || true)
    [ "$survivor_ids" -eq "$SURVIVOR_COUNT" ] || { echo "FAIL round $round: survivor reported $survivor_ids of $SURVIVOR_COUNT commits" >&2; exit 1; }

    integrity=$(query "PRAGMA integrity_check")
    [ "$integrity" = "ok" ] || { echo "FAIL round $round: integrity_check says: $integrity" >&2; exit 1; }
    query "SELECT id FROM study_log" | sort > "$WORK/present"
    cat "$WORK/victim$round.out" "$WORK/survivor$round.out" | sed -n "s/^committed //p" | sort > "$WORK/reported"
    missing=$(comm -23 "$WORK/reported" "$WORK/present" | wc -l)
    [ "$missing" -eq 0 ] || { echo "FAIL round $round: $missing committed entries are missing" >&2; exit 1; }
    rows=$(wc -l < "$WORK/present")
    echo "round $round: killed a writer with SIGKILL after $victim_ids reported commits, $overlap (it made $survivor_ids); integrity ok; every reported id present ($rows rows)"
done
"$BIN" progress doctor
echo "PASS: $ROUNDS kill rounds, no committed entry lost, database intact"
