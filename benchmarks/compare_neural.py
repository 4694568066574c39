#!/usr/bin/env python3
"""SwiftLearn `Neural` vs PyTorch (CPU): the same training workloads, in one run.

Runs `swiftlearn bench neural --json` and the same workloads in PyTorch, alternating rounds,
and prints steps/s and the ratio ours / PyTorch (> 1: we are faster), the median over rounds.
Then measures peak memory (max RSS from `/usr/bin/time -v`) of one epoch of the `mlp-mnist`
recipe: `swiftlearn train --recipe mlp-mnist --epochs 1` against the same training in PyTorch
(same data from the bundled IDX files, same model, batch size, optimizer and evaluation).

Workloads (as in Sources/swiftlearn/NeuralBench.swift; random data, fixed seeds):
  mlp     MLP 784-256-128-10, batch 128, cross-entropy, Adam: forward + backward + step
  lenet   LeNet-5 on 1x28x28, batch 64, cross-entropy, Adam
  lstm    LSTM(input 32, hidden 128), sequence 50, batch 32, linear head on the last step, MSE, Adam
  gpt     nanoGPT-style GPT: 4 layers, 4 heads, width 128, context 128, vocabulary 65, batch 16,
          cross-entropy, AdamW (lr 1e-3, weight decay 0.1 on matrices, betas 0.9/0.99); the twin is
          scripts/fixtures/gpt_twin.py (F.scaled_dot_product_attention, tanh GELU, tied head)
  conv2d  forward of Conv2d(32, 64, 3, padding=1) on 64x32x28x28 (GFLOP/s)

PyTorch uses torch.set_num_threads(our thread count) (what `bench neural` reports) and its own
default OpenMP wait policy (spinning barriers), which is its fastest setting on a quiet machine.
On a machine busy with other work those spinning barriers make PyTorch 5-10x slower with 2
threads than with 1 (measured here under load: MLP 11 steps/s active vs 70 passive vs 77 with one
thread), which would flatter our ratios: pass --omp-passive there (OMP_WAIT_POLICY=PASSIVE) and
say so beside the figures.

Usage:
    swift build -c release
    python3 benchmarks/compare_neural.py [--rounds 3] [--runs 5] [--steps 20] [--binary .build/release/swiftlearn]
        [--only mlp,lenet,lstm,gpt,conv2d] [--skip-memory] [--omp-passive]

Pinned: torch 2.15.0 (CPU wheel; the newest release when measured).
"""
import argparse, json, os, platform, re, subprocess, sys, tempfile, time

PINNED_TORCH = "2.15.0"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")


def torch_workloads(threads, runs, steps, only):
    import torch
    import torch.nn as nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {}

    def median(xs):
        xs = sorted(xs)
        n = len(xs)
        return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

    def timed(body):
        body()
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            body()
            ts.append(time.perf_counter() - t)
        return median(ts)

    def training(name, model, x, loss_fn):
        if name not in only:
            return
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def body():
            for _ in range(steps):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(x))
                loss.backward()
                opt.step()
        out[name] = dict(steps_per_second=steps / timed(body), batch=x.shape[0])

    ce = nn.CrossEntropyLoss()
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))
    training("mlp", nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)),
             x, lambda o: ce(o, y))
    x = torch.randn(64, 1, 28, 28)
    y2 = torch.randint(0, 10, (64,))
    lenet = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
    training("lenet", lenet, x, lambda o: ce(o, y2))

    class LSTMHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(32, 128, batch_first=True)
            self.head = nn.Linear(128, 1)

        def forward(self, x):
            o, _ = self.lstm(x)
            return self.head(o[:, -1, :])
    x = torch.randn(32, 50, 32)
    y3 = torch.randn(32, 1)
    mse = nn.MSELoss()
    training("lstm", LSTMHead(), x, lambda o: mse(o, y3))

    if "gpt" in only:
        sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
        from gpt_twin import GPT
        model = GPT(vocab=65, block=128, n_layer=4, n_head=4, n_embd=128)
        for name, p in model.named_parameters():   # nanoGPT's initialisation
            if p.dim() >= 2:
                nn.init.normal_(p, 0.0, 0.02 / (2 * 4) ** 0.5 if name.endswith("c_proj.weight") else 0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)
        idx = torch.randint(0, 65, (16, 128))
        targets = torch.randint(0, 65, (16, 128))
        decay = [p for p in model.parameters() if p.dim() >= 2]
        no_decay = [p for p in model.parameters() if p.dim() < 2]
        opt = torch.optim.AdamW([dict(params=decay, weight_decay=0.1), dict(params=no_decay, weight_decay=0.0)],
                                lr=1e-3, betas=(0.9, 0.99))

        def gpt_body():
            for _ in range(steps):
                opt.zero_grad(set_to_none=True)
                nn.functional.cross_entropy(model(idx).view(-1, 65), targets.view(-1)).backward()
                opt.step()
        s = timed(gpt_body)
        out["gpt"] = dict(steps_per_second=steps / s, tokens_per_second=steps * 16 * 128 / s, batch=16)

    if "conv2d" not in only:
        return out
    conv = nn.Conv2d(32, 64, 3, padding=1)
    x = torch.randn(64, 32, 28, 28)
    with torch.no_grad():
        s = timed(lambda: conv(x))
    out["conv2d"] = dict(steps_per_second=1 / s, gflops=2.0 * 64 * 64 * 28 * 28 * 32 * 9 / s / 1e9, batch=64)
    return out


def ours(binary, runs, steps, only):
    cmd = [binary, "bench", "neural", "--json", "--runs", str(runs), "--steps", str(steps)]
    if len(only) == 1:
        cmd += ["--filter", only[0]]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    return {row["name"]: row for row in rows if row["name"] in only}


TORCH_MLP_MNIST = r'''
import gzip, sys, time, numpy as np, torch, torch.nn as nn
torch.set_num_threads(int(sys.argv[2]))
torch.manual_seed(0)
d = sys.argv[1]
def idx(name, offset):
    return np.frombuffer(gzip.open(f"{d}/{name}.gz").read()[offset:], dtype=np.uint8)
xtr = torch.from_numpy(((idx("train-images-idx3-ubyte", 16).reshape(-1, 784) / 255.0 - 0.1307) / 0.3081).astype(np.float32))
ytr = torch.from_numpy(idx("train-labels-idx1-ubyte", 8).astype(np.int64))
xte = torch.from_numpy(((idx("t10k-images-idx3-ubyte", 16).reshape(-1, 784) / 255.0 - 0.1307) / 0.3081).astype(np.float32))
yte = torch.from_numpy(idx("t10k-labels-idx1-ubyte", 8).astype(np.int64))
perm = torch.randperm(60000)
xval, yval, xtr, ytr = xtr[perm[:5000]], ytr[perm[:5000]], xtr[perm[5000:]], ytr[perm[5000:]]
model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr), batch_size=128, shuffle=True)
ce = nn.CrossEntropyLoss()
t = time.perf_counter()
model.train()
for xb, yb in loader:
    opt.zero_grad(); loss = ce(model(xb), yb); loss.backward(); opt.step()
model.eval()
with torch.no_grad():
    acc = (model(xte).argmax(1) == yte).float().mean().item()
print(f"test_accuracy {acc:.4f} seconds {time.perf_counter() - t:.2f}")
'''


def max_rss_kb(cmd):
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {r.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    return int(m.group(1)), r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--only", default="mlp,lenet,lstm,gpt,conv2d", help="comma-separated workloads")
    ap.add_argument("--omp-passive", action="store_true",
                    help="OMP_WAIT_POLICY=PASSIVE for PyTorch (only on a machine busy with other work; see above)")
    args = ap.parse_args()
    names = [n for n in ["mlp", "lenet", "lstm", "gpt", "conv2d"] if n in args.only.split(",")]
    if not names:
        ap.error("--only names none of mlp, lenet, lstm, gpt, conv2d")
    if args.omp_passive:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"   # before torch loads its OpenMP runtime; inherited by subprocesses

    import torch
    if torch.__version__.split("+")[0] != PINNED_TORCH:
        print(f"warning: expected torch {PINNED_TORCH}, found {torch.__version__}", file=sys.stderr)

    rounds = []
    for _ in range(args.rounds):
        mine = ours(args.binary, args.runs, args.steps, names)
        threads = next(iter(mine.values()))["threads"]
        theirs = torch_workloads(threads, args.runs, args.steps, names)
        rounds.append((mine, theirs))

    def med(xs):
        xs = sorted(xs)
        n = len(xs)
        return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

    goals = {"mlp": 1.1, "lenet": 1.1, "lstm": 1.1, "gpt": 1.2, "conv2d": None}
    lines = []
    print(f"machine: {platform.processor() or platform.machine()}, threads {threads}, torch {torch.__version__}, "
          f"{time.strftime('%Y-%m-%d')}, OpenMP wait policy {'passive' if args.omp_passive else 'default (active)'}")
    header = "| workload | ours steps/s | PyTorch steps/s | ratio (ours/PyTorch) | goal |"
    print(header)
    print("|---|---|---|---|---|")
    for name in names:
        ours_v = med([m[name]["steps_per_second"] for m, _ in rounds])
        torch_v = med([t[name]["steps_per_second"] for _, t in rounds])
        ratio = med([m[name]["steps_per_second"] / t[name]["steps_per_second"] for m, t in rounds])
        extra = ""
        if name == "gpt":
            extra = f" ({med([m[name]['tokens_per_second'] for m, _ in rounds]):.0f} vs {med([t[name]['tokens_per_second'] for _, t in rounds]):.0f} tokens/s)"
        if name == "conv2d":
            extra = f" ({med([m[name]['gflops'] for m, _ in rounds]):.1f} vs {med([t[name]['gflops'] for _, t in rounds]):.1f} GFLOP/s)"
        goal = goals[name]
        print(f"| {name} | {ours_v:.1f} | {torch_v:.1f} | {ratio:.2f}{extra} | {'≥ %.1f' % goal if goal else '-'} |")

    if not args.skip_memory:
        data_dir = os.path.join(ROOT, "Sources", "Datasets", "Data", "mnist")
        ours_kb, ours_line = max_rss_kb([args.binary, "train", "--recipe", "mlp-mnist", "--epochs", "1", "--json"])
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(TORCH_MLP_MNIST)
            script = f.name
        torch_kb, torch_line = max_rss_kb([sys.executable, script, data_dir, str(threads)])
        os.unlink(script)
        print(f"| mlp-mnist 1 epoch peak RSS | {ours_kb / 1024:.0f} MiB | {torch_kb / 1024:.0f} MiB | "
              f"{ours_kb / torch_kb:.2f} (ours/PyTorch, lower is better) | ≤ 1.0 |")
        print(f"ours:    {ours_line}")
        print(f"PyTorch: {torch_line}")


if __name__ == "__main__":
    main()
