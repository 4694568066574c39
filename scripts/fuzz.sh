#!/usr/bin/env bash
# Runs a libFuzzer target of FuzzTesting/ (a loader of outside data) for a time budget.
#
#   scripts/fuzz.sh TARGET SECONDS [-- extra libFuzzer arguments]
#   scripts/fuzz.sh all SECONDS [-- ...]      every target in turn
#   scripts/fuzz.sh list                      the target names
#
# Builds the FuzzTesting package first (release, -sanitize=fuzzer,address; a no-op when up to
# date; SWIFTLEARN_FUZZ_SKIP_BUILD=1 skips it). Then, per target:
#   1. replays every input under FuzzTesting/Regressions/TARGET/ (crashes found earlier): any
#      that still crashes fails the run;
#   2. fuzzes for SECONDS with -timeout=10 -rss_limit_mb=2048, starting from the committed seeds
#      FuzzTesting/Corpus/TARGET/ plus a scratch corpus FuzzTesting/.build/fuzz-corpus/TARGET/
#      (new inputs go there, never into the committed corpus), and prints the executions.
# A crash, timeout or out-of-memory exits non-zero and keeps the input under
# FuzzTesting/.build/fuzz-artifacts/TARGET/; the full log is FuzzTesting/.build/fuzz-logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(FuzzCSV FuzzNPY FuzzNPZ FuzzSafetensors FuzzTokenizerJSON FuzzModelFile FuzzIndexFile FuzzProgressImport FuzzGGUF FuzzChatTemplate FuzzBertEncoder FuzzGrammar FuzzRAGLoaders FuzzAgentFiles FuzzMCP FuzzRLFiles FuzzTracking FuzzGenerativeFile FuzzLMTraining FuzzNLPText)
usage() { echo "usage: scripts/fuzz.sh TARGET|all SECONDS [-- libFuzzer args]   (targets: ${targets[*]})" >&2; exit 64; }

[ "${1:-}" = list ] && { printf '%s\n' "${targets[@]}"; exit 0; }
[ $# -ge 2 ] || usage
target=$1 seconds=$2
shift 2
[ "${1:-}" = -- ] && shift
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "SECONDS must be a positive integer, got '$seconds'" >&2; usage; }
if [ "$target" = all ]; then
    run=("${targets[@]}")
else
    [[ " ${targets[*]} " == *" $target "* ]] || { echo "unknown target '$target'" >&2; usage; }
    run=("$target")
fi

pkg=FuzzTesting
build_flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
if [ "${SWIFTLEARN_FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building $pkg (swift build --package-path $pkg ${build_flags[*]})"
    start=$(date +%s)
    swift build --package-path "$pkg" "${build_flags[@]}"
    echo "== built in $(( $(date +%s) - start )) s"
fi
bin=$(swift build --package-path "$pkg" "${build_flags[@]}" --show-bin-path)

# Leak reports would come from Swift runtime and Foundation caches, not from the loaders; ASan
# still reports every out-of-bounds access, use-after-free and double free.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
# libFuzzer's own crash report (symbolized by llvm-symbolizer, "Swift runtime failure: …" frames
# included) instead of the Swift backtracer, whose memory reads ASan would misreport.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

failed=()
for t in "${run[@]}"; do
    scratch=$pkg/.build/fuzz-corpus/$t artifacts=$pkg/.build/fuzz-artifacts/$t logs=$pkg/.build/fuzz-logs
    mkdir -p "$scratch" "$artifacts" "$logs"
    log=$logs/$t.log
    common=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 "-artifact_prefix=$artifacts/")
    case $t in
        FuzzTokenizerJSON|FuzzModelFile|FuzzProgressImport|FuzzMCP) dict=(-dict=$pkg/Dictionaries/json.dict) ;;
        FuzzNPY|FuzzNPZ|FuzzSafetensors) dict=(-dict=$pkg/Dictionaries/npy.dict) ;;
        FuzzGGUF) dict=(-dict=$pkg/Dictionaries/gguf.dict) ;;
        FuzzChatTemplate) dict=(-dict=$pkg/Dictionaries/jinja.dict) ;;
        FuzzBertEncoder) dict=(-dict=$pkg/Dictionaries/bert.dict) ;;
        FuzzGrammar) dict=(-dict=$pkg/Dictionaries/grammar.dict) ;;
        *) dict=() ;;
    esac

    regressions=()
    if [ -d "$pkg/Regressions/$t" ]; then
        while IFS= read -r -d '' f; do regressions+=("$f"); done < <(find "$pkg/Regressions/$t" -type f ! -name '*.md' -print0 | sort -z)
    fi
    if [ ${#regressions[@]} -gt 0 ]; then
        echo "== $t: replaying ${#regressions[@]} regression input(s)"
        if ! "$bin/$t" "${common[@]}" "${regressions[@]}" >"$log" 2>&1; then
            echo "FAIL $t: a regression input under $pkg/Regressions/$t crashes again:"
            grep -E "Running: |ERROR: |SUMMARY: |Fatal error|Swift runtime failure|/Sources/" "$log" | head -30
            failed+=("$t"); continue
        fi
    fi

    echo "== $t: fuzzing for $seconds s (seeds $pkg/Corpus/$t, scratch corpus $scratch)"
    start=$(date +%s)
    set +e
    "$bin/$t" "${common[@]}" ${dict[@]+"${dict[@]}"} -max_total_time="$seconds" -print_final_stats=1 "$@" "$scratch" "$pkg/Corpus/$t" >"$log" 2>&1
    rc=$?
    set -e
    elapsed=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    if [ -z "$execs" ]; then execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true); fi
    execs=${execs:-0}
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    rate=${rate:-$(( execs / (elapsed > 0 ? elapsed : 1) ))}
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
    echo "   $t: $execs executions in $elapsed s ($rate exec/s), ${cov:-cov: ?}, scratch corpus $(ls "$scratch" | wc -l) files, $(ls "$pkg/Corpus/$t" | wc -l) seeds, exit $rc"
    if [ $rc -ne 0 ]; then
        echo "FAIL $t (exit $rc): the input is kept in $artifacts/; the log is $log"
        grep -E "ERROR: |SUMMARY: |Fatal error|Swift runtime failure|/Sources/|READ of|WRITE of|Test unit written|Base64:" "$log" | head -40
        echo "   Make it a regression test: copy the input to $pkg/Regressions/$t/ (see $pkg/README.md)."
        failed+=("$t")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then echo "fuzz: FAILED: ${failed[*]}"; exit 1; fi
echo "fuzz: ${#run[@]} target(s) ran ${seconds} s each without a crash"
