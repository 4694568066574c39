#!/usr/bin/env bash
# Wall-clock of training against Stable-Baselines3 at rl-zoo's settings, the two commands in
# turn (A B A B …, farm-bench), same seed, both on every core (torch.set_num_threads(nproc)).
# Needs the venv of benchmarks/rl/README.md ($SB3_PYTHON, default /tmp/sb3venv/bin/python) and
# an idle machine (check `uptime`). Each run's final JSON line (train_seconds, mean_return) is
# kept in $LOGS/<algo>-{swift,sb3}.jsonl and summarised at the end.
#
#   swift build -c release --product swiftlearn && benchmarks/rl/compare_sb3_speed.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${SB3_PYTHON:-/tmp/sb3venv/bin/python}
LOGS=${LOGS:-/tmp/sb3-speed}
RUNS=${RUNS:-"ppo:CartPole-v1:3 sac:Pendulum-v1:2"}
THREADS=$(nproc)
mkdir -p "$LOGS"
for run in $RUNS; do
  IFS=: read -r algo env n <<<"$run"
  : > "$LOGS/$algo-swift.jsonl"; : > "$LOGS/$algo-sb3.jsonl"
  echo "== $algo $env ($n pairs)"
  farm-bench -n "$n" --warmup 0 --timeout 3600 \
    --vs "sh -c 'exec $PY benchmarks/rl/compare_sb3.py --algo $algo --env $env --seed 0 --threads $THREADS --json >>$LOGS/$algo-sb3.jsonl 2>/dev/null'" \
    -- sh -c "exec .build/release/swiftlearn rl train --algo $algo --env $env --seed 0 --json >>$LOGS/$algo-swift.jsonl 2>/dev/null"
done
python3 - "$LOGS" $RUNS <<'PY'
import json, sys, statistics
logs = sys.argv[1]
for run in sys.argv[2:]:
    algo, env, _ = run.split(":")
    def finals(side):
        out = []
        for line in open(f"{logs}/{algo}-{side}.jsonl"):
            try: d = json.loads(line)
            except ValueError: continue
            if "train_seconds" in d and "mean_return" in d and "algo" in d: out.append(d)
        return out
    s, b = finals("swift"), finals("sb3")
    ts, tb = statistics.median(d["train_seconds"] for d in s), statistics.median(d["train_seconds"] for d in b)
    print(f"{algo} {env}: training seconds median SwiftLearn {ts:.1f} vs Stable-Baselines3 {tb:.1f} → {tb/ts:.2f}× "
          f"(returns {[round(d['mean_return'],1) for d in s]} vs {[round(d['mean_return'],1) for d in b]}; SB3 versions {b[0].get('versions')})")
PY
