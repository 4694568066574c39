"""Environment steps/s: SwiftLearn's environments against Gymnasium's, side by side.

    python3 benchmarks/compare_rl_envs.py [--steps 200000] [--rounds 3]

Both sides step each environment made as gym.make makes it (TimeLimit and, for Gymnasium, its
order-enforcing and passive-checker wrappers) with random actions drawn beforehand, resetting
when an episode ends; the median of the runs of a round is taken and rounds alternate
(SwiftLearn, Gymnasium, SwiftLearn, …). Gymnasium is also timed on env.unwrapped (no wrappers),
the fastest a Python loop over it gets. Needs `swift build -c release` and gymnasium installed.
"""
import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
IDS = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Acrobot-v1", "FrozenLake-v1",
       "FrozenLake8x8-v1", "CliffWalking-v1", "CliffWalkingSlippery-v1", "Taxi-v4", "Blackjack-v1"]


def gym_rate(env_id, steps, runs, unwrapped):
    env = gym.make(env_id)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(min(steps, 65536))]
    target = env.unwrapped if unwrapped else env
    rates = []
    for r in range(runs + 1):
        env.reset(seed=0)
        n = len(actions)
        t = 0
        start = time.perf_counter()
        for i in range(steps):
            _, _, term, trunc, _ = target.step(actions[i % n])
            t += 1
            if term or trunc or (unwrapped and env_id in LIMITS and t >= LIMITS[env_id]):
                env.reset()
                t = 0
        sec = time.perf_counter() - start
        if r > 0:
            rates.append(steps / sec)
    return statistics.median(rates)


LIMITS = {"CartPole-v1": 500, "MountainCar-v0": 200, "MountainCarContinuous-v0": 999, "Pendulum-v1": 200,
          "Acrobot-v1": 500, "FrozenLake-v1": 100, "FrozenLake8x8-v1": 200, "Taxi-v4": 200}


def swift_rates(steps, runs):
    out = subprocess.run([str(ROOT / ".build/release/swiftlearn"), "bench", "rl", "--steps", str(steps), "--runs", str(runs),
                          "--envs", ",".join(IDS), "--json"], check=True, capture_output=True, text=True).stdout
    return {d["env"]: d["steps_per_second"] for d in map(json.loads, out.strip().splitlines())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200000)
    ap.add_argument("--python-steps", type=int, default=50000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    sw = {i: [] for i in IDS}
    gm = {i: [] for i in IDS}
    gu = {i: [] for i in IDS}
    for _ in range(a.rounds):
        for k, v in swift_rates(a.steps, a.runs).items():
            sw[k].append(v)
        for i in IDS:
            gm[i].append(gym_rate(i, a.python_steps, a.runs, False))
            gu[i].append(gym_rate(i, a.python_steps, a.runs, True))
    print(f"<!-- gymnasium {gym.__version__}, numpy {np.__version__}, steps {a.steps} (Swift) / {a.python_steps} (Python), "
          f"runs {a.runs}, rounds {a.rounds}, {time.strftime('%Y-%m-%d %H:%M')} -->")
    print("| environment | SwiftLearn steps/s | Gymnasium gym.make steps/s | ratio | Gymnasium unwrapped steps/s | ratio |")
    print("|---|---|---|---|---|---|")
    for i in IDS:
        s, g, u = statistics.median(sw[i]), statistics.median(gm[i]), statistics.median(gu[i])
        print(f"| {i} | {s:,.0f} | {g:,.0f} | {s / g:.1f}× | {u:,.0f} | {s / u:.1f}× |")


if __name__ == "__main__":
    main()
