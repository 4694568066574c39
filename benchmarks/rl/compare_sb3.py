#!/usr/bin/env python3
"""Stable-Baselines3 reference runs at rl-baselines3-zoo hyper-parameters.

Trains one SB3 agent with the rl-baselines3-zoo settings stored in
zoo_hyperparams.json (next to this file), times the training, evaluates the
deterministic policy and prints one JSON line, so the numbers can be put next
to SwiftLearn's PPO/DQN/A2C/SAC/TD3/DDPG on the same environments.

Usage (inside the venv described in README.md):

    python compare_sb3.py --algo ppo --env CartPole-v1
    python compare_sb3.py --algo dqn --env CartPole-v1 --steps 2000 --seed 1 --json
    python compare_sb3.py --algo td3 --env Pendulum-v1 --threads 1 --eval-episodes 10 --json

Options:
    --algo            ppo | dqn | a2c | sac | td3 | ddpg
    --env             Gymnasium id that has a zoo entry in zoo_hyperparams.json
    --steps N         total_timesteps for model.learn (default: zoo's n_timesteps).
                      Schedules (lin_X learning rates, DQN's epsilon) are laid over
                      these N steps, exactly as SB3 does for any total_timesteps.
    --seed S          seed for the training envs and the model (default 0)
    --threads T       torch.set_num_threads(T) (default 2)
    --eval-episodes K deterministic evaluation episodes (default 10); episode i
                      uses a fresh env reset with seed S*1000+i
    --json            print only the JSON line (otherwise a short readable
                      summary precedes it)
    --config PATH     other hyper-parameter file (default zoo_hyperparams.json)
    --device DEV      torch device for SB3 (default cpu)

Output (one line):
    {"algo", "env", "steps", "actual_timesteps", "seed", "train_seconds",
     "mean_return", "std_return", "returns", "eval_seeds", "versions",
     "threads", "hyperparams"}
    train_seconds is time.perf_counter() around model.learn() only (it excludes
    model construction and evaluation). std_return is the population standard
    deviation (numpy default, ddof=0). actual_timesteps is model.num_timesteps
    after learn(): SB3 finishes the rollout it is in, so on-policy algorithms
    stop at the next multiple of n_steps * n_envs >= steps, and off-policy ones
    at the next multiple of train_freq * n_envs (e.g. DQN CartPole: 256).

The translation of a zoo entry into SB3 constructor arguments follows
rl_zoo3/exp_manager.py (same release as the hyper-parameters):
  * "lin_X" for learning_rate / clip_range / clip_range_vf -> linear schedule
    progress_remaining * X (from X down to 0), like zoo's SimpleLinearSchedule;
  * n_envs -> make_vec_env(..., n_envs, seed, vec_env_cls=DummyVecEnv);
  * normalize: true -> VecNormalize(venv, gamma=<config gamma if given>) with
    SB3's other defaults (a dict/"dict(...)" value gives extra kwargs); the
    evaluation uses the training statistics with training=False and
    norm_reward=False (returns are always the raw env rewards);
  * policy_kwargs "dict(...)" strings are parsed by a small whitelist parser
    (no eval);
  * noise_type 'normal' / 'ornstein-uhlenbeck' with noise_std ->
    NormalActionNoise / OrnsteinUhlenbeckActionNoise (mean 0, sigma noise_std
    per action dimension; SB3 adds it in the [-1, 1] scaled action space);
  * train_freq lists such as [1, "episode"] -> tuple (1, "episode").
Zoo keys this script does not implement (env_wrapper, frame_stack, callback,
...) make it stop with an error rather than silently train something else.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, Callable

import gymnasium as gym
import numpy as np
import stable_baselines3 as sb3
import torch as th
from stable_baselines3 import A2C, DDPG, DQN, PPO, SAC, TD3
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

ALGOS = {"ppo": PPO, "dqn": DQN, "a2c": A2C, "sac": SAC, "td3": TD3, "ddpg": DDPG}
DEFAULT_CONFIG = Path(__file__).resolve().parent / "zoo_hyperparams.json"

# Keys of a zoo entry that are consumed here rather than passed to the model.
SCRIPT_KEYS = {"n_timesteps", "n_envs", "normalize", "policy", "noise_type", "noise_std"}
# Zoo keys that need machinery this script does not reproduce.
UNSUPPORTED_KEYS = {
    "env_wrapper",
    "vec_env_wrapper",
    "frame_stack",
    "callback",
    "monitor_kwargs",
    "env_kwargs",
    "replay_buffer_class",
    "replay_buffer_kwargs",
}
SCHEDULE_KEYS = ("learning_rate", "clip_range", "clip_range_vf")

# Names that may appear inside a policy_kwargs / normalize "dict(...)" string.
SAFE_NAMES: dict[str, Any] = {
    "nn.ReLU": th.nn.ReLU,
    "nn.Tanh": th.nn.Tanh,
    "nn.ELU": th.nn.ELU,
    "nn.LeakyReLU": th.nn.LeakyReLU,
    "nn.GELU": th.nn.GELU,
    "nn.SiLU": th.nn.SiLU,
    "th.optim.Adam": th.optim.Adam,
    "th.optim.RMSprop": th.optim.RMSprop,
    "True": True,
    "False": False,
    "None": None,
}


class LinearSchedule:
    """zoo's SimpleLinearSchedule: value = progress_remaining * initial_value.

    SB3 calls schedules with progress_remaining = 1 - num_timesteps / total_timesteps,
    so the value goes linearly from initial_value (start) to 0 (end of training).
    """

    def __init__(self, initial_value: float) -> None:
        self.initial_value = float(initial_value)

    def __call__(self, progress_remaining: float) -> float:
        return progress_remaining * self.initial_value

    def __repr__(self) -> str:
        return f"LinearSchedule(initial_value={self.initial_value})"


def parse_py_literal(text: str) -> Any:
    """Parse zoo strings such as "dict(net_arch=[256, 256], log_std_init=-2)".

    Accepts literals (numbers, strings, lists, tuples, dict displays),
    dict(key=value, ...) calls and the whitelisted dotted names in SAFE_NAMES.
    Anything else raises ValueError: nothing is ever eval'ed.
    """

    def dotted(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            base = dotted(node.value)
            return None if base is None else f"{base}.{node.attr}"
        return None

    def conv(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = conv(node.operand)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ValueError(f"unary sign on non-number in {text!r}")
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.List):
            return [conv(e) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(conv(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return {conv(k): conv(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            if node.args:
                raise ValueError(f"only keyword arguments are supported in dict(...): {text!r}")
            return {kw.arg: conv(kw.value) for kw in node.keywords}
        name = dotted(node)
        if name is not None and name in SAFE_NAMES:
            return SAFE_NAMES[name]
        raise ValueError(f"unsupported expression {ast.dump(node)} in {text!r}")

    return conv(ast.parse(text.strip(), mode="eval").body)


def load_zoo_entry(config_path: Path, algo: str, env_id: str) -> dict[str, Any]:
    config = json.loads(config_path.read_text())
    if algo not in config or env_id not in config[algo]:
        known = sorted(config.get(algo, {}))
        raise SystemExit(f"no zoo entry for {algo} / {env_id} in {config_path}; have: {known}")
    return dict(config[algo][env_id])


def build_kwargs(zoo: dict[str, Any], env: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Turn a zoo entry into SB3 constructor kwargs (mirrors rl_zoo3 exp_manager).

    Returns (model_kwargs, vecnormalize_kwargs or None). `env` is the training
    VecEnv, needed for the action-noise dimension.
    """
    bad = UNSUPPORTED_KEYS.intersection(zoo)
    if bad:
        raise SystemExit(f"zoo keys not supported by compare_sb3.py: {sorted(bad)}")

    kwargs = {k: v for k, v in zoo.items() if k not in SCRIPT_KEYS}

    # Schedules: "lin_X" -> linear from X to 0; numbers stay constants
    # (zoo wraps them in ConstantSchedule, which SB3 treats identically).
    for key in SCHEDULE_KEYS:
        value = kwargs.get(key)
        if isinstance(value, str):
            kind, initial = value.split("_", 1)
            if kind != "lin":
                raise SystemExit(f"unknown schedule {value!r} for {key}")
            kwargs[key] = LinearSchedule(float(initial))

    # train_freq: YAML list [1, "episode"] -> tuple (1, "episode").
    if isinstance(kwargs.get("train_freq"), list):
        kwargs["train_freq"] = tuple(kwargs["train_freq"])

    if isinstance(kwargs.get("policy_kwargs"), str):
        kwargs["policy_kwargs"] = parse_py_literal(kwargs["policy_kwargs"])

    # Action noise for off-policy continuous control (TD3/DDPG, optionally SAC).
    noise_type = zoo.get("noise_type")
    if noise_type is not None:
        noise_type = noise_type.strip()
        if not isinstance(env.action_space, gym.spaces.Box):
            raise SystemExit("action noise needs a Box action space")
        n_actions = env.action_space.shape[0]
        sigma = float(zoo["noise_std"]) * np.ones(n_actions)
        if "normal" in noise_type:
            kwargs["action_noise"] = NormalActionNoise(mean=np.zeros(n_actions), sigma=sigma)
        elif "ornstein-uhlenbeck" in noise_type:
            kwargs["action_noise"] = OrnsteinUhlenbeckActionNoise(mean=np.zeros(n_actions), sigma=sigma)
        else:
            raise SystemExit(f"unknown noise_type {noise_type!r}")

    # VecNormalize settings: true / dict / "dict(...)"; gamma follows the algorithm.
    normalize = zoo.get("normalize", False)
    norm_kwargs: dict[str, Any] | None = None
    if isinstance(normalize, str):
        normalize = parse_py_literal(normalize)
    if isinstance(normalize, dict):
        norm_kwargs = dict(normalize)
    elif normalize:
        norm_kwargs = {}
    if norm_kwargs is not None and "gamma" in zoo:
        norm_kwargs["gamma"] = zoo["gamma"]
    return kwargs, norm_kwargs


def evaluate(
    model: Any,
    env_id: str,
    obs_normalizer: VecNormalize | None,
    seeds: list[int],
) -> list[float]:
    """Deterministic evaluation, one fresh env per episode, raw (unnormalised) returns."""
    returns = []
    for episode_seed in seeds:
        env = gym.make(env_id)
        obs, _ = env.reset(seed=episode_seed)
        total, done = 0.0, False
        while not done:
            policy_obs = obs_normalizer.normalize_obs(obs) if obs_normalizer is not None else obs
            action, _ = model.predict(policy_obs, deterministic=True)
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
        env.close()
        returns.append(total)
    return returns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--algo", required=True, choices=sorted(ALGOS))
    parser.add_argument("--env", required=True)
    parser.add_argument("--steps", type=int, default=None, help="total_timesteps (default: zoo n_timesteps)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--eval-episodes", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print only the JSON result line")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    th.set_num_threads(args.threads)

    zoo = load_zoo_entry(args.config, args.algo, args.env)
    steps = int(args.steps) if args.steps is not None else int(zoo["n_timesteps"])
    n_envs = int(zoo.get("n_envs", 1))

    # Training envs as in zoo: make_vec_env with Monitor, DummyVecEnv, seeded.
    env = make_vec_env(args.env, n_envs=n_envs, seed=args.seed, vec_env_cls=DummyVecEnv)
    model_kwargs, norm_kwargs = build_kwargs(zoo, env)
    if norm_kwargs is not None:
        env = VecNormalize(env, **norm_kwargs)

    learning_starts = model_kwargs.get("learning_starts")
    if learning_starts is not None and steps <= learning_starts:
        print(
            f"warning: steps={steps} <= learning_starts={learning_starts}: "
            "no gradient update will happen (random-action warm-up only)",
            file=sys.stderr,
        )

    model = ALGOS[args.algo](
        zoo.get("policy", "MlpPolicy"),
        env,
        seed=args.seed,
        device=args.device,
        verbose=0,
        **model_kwargs,
    )

    start = time.perf_counter()
    model.learn(total_timesteps=steps)
    train_seconds = time.perf_counter() - start

    # Evaluation uses the frozen training statistics: no updates, raw rewards.
    obs_normalizer = model.get_vec_normalize_env()
    if obs_normalizer is not None:
        obs_normalizer.training = False
        obs_normalizer.norm_reward = False

    eval_seeds = [args.seed * 1000 + i for i in range(args.eval_episodes)]
    returns = evaluate(model, args.env, obs_normalizer, eval_seeds)
    env.close()

    result = {
        "algo": args.algo,
        "env": args.env,
        "steps": steps,
        "actual_timesteps": int(model.num_timesteps),
        "seed": args.seed,
        "train_seconds": round(train_seconds, 4),
        "mean_return": float(np.mean(returns)) if returns else math.nan,
        "std_return": float(np.std(returns)) if returns else math.nan,
        "returns": returns,
        "eval_seeds": eval_seeds,
        "versions": {
            "stable_baselines3": sb3.__version__,
            "torch": th.__version__,
            "gymnasium": gym.__version__,
            "numpy": np.__version__,
        },
        "threads": th.get_num_threads(),
        "hyperparams": zoo,
    }
    if not args.json:
        print(f"{args.algo} {args.env}: {result['actual_timesteps']} steps (asked {steps}), n_envs={n_envs}, "
              f"normalize={norm_kwargs is not None}, seed={args.seed}, threads={result['threads']}, "
              f"device={args.device}")
        print(f"train {train_seconds:.2f} s; eval over {len(returns)} episodes: "
              f"{result['mean_return']:.2f} +- {result['std_return']:.2f}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
