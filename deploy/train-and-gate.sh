#!/usr/bin/env bash
# Training with evaluation gates, for CI/CD (deploy/github-actions-train.yml runs it; it runs the
# same on a laptop):
#   1. data gate: the new training data must not have drifted from the reference data
#      (`swiftlearn monitor`, Evidently's default tests; the data set drifts when --drift-share of its
#      columns do, 0.5 by default);
#   2. train the model and log the run (`learn fit --track`: params, metrics, the model file);
#   3. quality gate: the held-out metric must reach MIN_SCORE.
# Exit status: 0 passed, 1 a gate failed (the reason printed), 64 a usage error.
#
#   deploy/train-and-gate.sh --train DATA.csv --target COLUMN --model NAME --metric accuracy --min-score 0.9 \
#       [--reference REF.csv [--drift-share 0.5]] [--track URL|local|DIR] [--experiment NAME] [--output model.json] [--binary PATH]
set -euo pipefail

binary=${SWIFTLEARN:-.build/release/swiftlearn}
train="" target="" model="" metric="accuracy" min="" reference="" share="0.5" track="" experiment="ci" output="model.json"
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
while [ $# -gt 0 ]; do
    case "$1" in
        --train) train=$2; shift 2 ;;
        --target) target=$2; shift 2 ;;
        --model) model=$2; shift 2 ;;
        --metric) metric=$2; shift 2 ;;
        --min-score) min=$2; shift 2 ;;
        --reference) reference=$2; shift 2 ;;
        --drift-share) share=$2; shift 2 ;;
        --track) track=$2; shift 2 ;;
        --experiment) experiment=$2; shift 2 ;;
        --output) output=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        *) echo "unknown argument: $1" >&2; usage ;;
    esac
done
[ -n "$train" ] && [ -n "$target" ] && [ -n "$model" ] && [ -n "$min" ] || usage
[ -x "$binary" ] || { echo "no swiftlearn binary at $binary (build it: swift build -c release)" >&2; exit 64; }

if [ -n "$reference" ]; then
    echo "== data gate: $train against $reference"
    summary=$("$binary" monitor --reference "$reference" --current "$train" --drift-share "$share" --json --report drift-report.html | tail -1)
    echo "$summary"
    if echo "$summary" | grep -q '"dataset_drift": true'; then
        echo "GATE FAILED: the training data drifted from the reference (see drift-report.html)"; exit 1
    fi
fi

echo "== train: $model on $train (target $target)"
args=(learn fit --model "$model" --train "$train" --target "$target" --seed 0 --save "$output" --json)
[ -n "$track" ] && args+=(--track "$track" --experiment "$experiment")
result=$("$binary" "${args[@]}")
echo "$result"

score=$(echo "$result" | python3 -c "import json, sys; print(json.load(sys.stdin).get('$metric', 'missing'))")
echo "== quality gate: $metric = $score, needed ≥ $min"
python3 -c "import sys; s='$score'; sys.exit(0 if s != 'missing' and float(s) >= float('$min') else 1)" \
    || { echo "GATE FAILED: $metric $score is below $min"; exit 1; }
echo "gates passed: $output is ready to register"
