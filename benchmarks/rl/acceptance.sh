#!/usr/bin/env bash
# Issue 19's results at rl-zoo's budgets and hyper-parameters: each algorithm/environment pair
# trained with seeds 0, 1, 2 (override with SEEDS="…"), then 10 deterministic evaluation
# episodes each (`rl train --json`'s final object). Appends one JSON line per run to $OUT
# (default benchmarks/rl/acceptance.jsonl) and prints a summary table at the end.
#
# A run written algo:env:N also evaluates every N steps during training (5 episodes) and keeps the
# best weights — Stable-Baselines3's EvalCallback / rl-zoo's best_model (`rl train --eval-freq N`).
# DQN's greedy policy swings while it learns (seed 2 reaches 500 at 30k steps and ends at 150), so
# DQN is reported both ways.
#
#   swift build -c release --product swiftlearn && benchmarks/rl/acceptance.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/swiftlearn}
OUT=${OUT:-benchmarks/rl/acceptance.jsonl}
SEEDS=${SEEDS:-"0 1 2"}
RUNS=${RUNS:-"ppo:CartPole-v1 dqn:CartPole-v1 dqn:CartPole-v1:5000 ppo:Acrobot-v1 sac:Pendulum-v1 td3:Pendulum-v1"}
: > "$OUT"
for run in $RUNS; do
  IFS=: read -r algo env freq <<< "$run"
  extra=(); [ -n "$freq" ] && extra=(--eval-freq "$freq")
  for seed in $SEEDS; do
    line=$("$BIN" rl train --algo "$algo" --env "$env" --seed "$seed" --eval-episodes 10 "${extra[@]}" --json | tail -1)
    [ -n "$freq" ] && line=$(echo "$line" | python3 -c "import json,sys; d=json.load(sys.stdin); d['eval_freq']=$freq; print(json.dumps(d))")
    echo "$line" | tee -a "$OUT"
  done
done
python3 - "$OUT" <<'PY'
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(list)
for r in rows: by[(r["algo"], r["env"], r.get("eval_freq"))].append(r)
print(f"{'algo':6} {'env':14} {'weights':>13} {'steps':>8} {'seeds':>5} {'mean returns per seed':>40} {'min':>9} {'train s (mean)':>15}")
for (a, e, q), rs in by.items():
    means = [r["mean_return"] for r in rs]
    kept = f"best/{q}" if q else "final"
    print(f"{a:6} {e:14} {kept:>13} {rs[0]['steps']:8} {len(rs):5} {' '.join(f'{m:.1f}' for m in means):>40} {min(means):9.1f} {sum(r['train_seconds'] for r in rs)/len(rs):15.1f}")
PY
