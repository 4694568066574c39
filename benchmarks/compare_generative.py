#!/usr/bin/env python3
"""Training-step speed of the generative recipes' models: SwiftLearn against PyTorch.

Runs `swiftlearn bench generative --json` and the same three workloads in PyTorch, alternating
rounds (ours, torch, ours, torch, …), both on the thread count `bench generative` reports, and
prints steps/s and the ratio (ours / torch) of the medians across rounds:

  vae    VAE 784-400-20 (Bernoulli decoder), batch 128: ELBO, backward, Adam.
  dcgan  DCGAN (latent 64, width 64, 28x28), batch 64: discriminator step, then generator step.
  unet   the ddpm-mnist U-Net (base 16, levels 16/32/32, 10 classes + null), batch 64: noise MSE,
         backward, clip_grad_norm_(1), Adam.

The PyTorch models below are written layer for layer as Sources/Generative builds them.

    python3 benchmarks/compare_generative.py [--rounds 3] [--runs 5] [--steps 10] [--binary .build/release/swiftlearn]

Pinned: torch 2.15.0 (CPU wheel; the newest on PyPI when written).
"""
import argparse, json, math, os, platform, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")


def torch_workloads(threads, runs, steps, only):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {}

    def timed(step):
        step()
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            for _ in range(steps):
                step()
            ts.append(time.perf_counter() - t)
        ts.sort()
        return steps / ts[len(ts) // 2]

    if "vae" in only:
        class VAE(nn.Module):
            def __init__(self):
                super().__init__()
                self.enc, self.mu, self.lv = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
                self.dec, self.out = nn.Linear(20, 400), nn.Linear(400, 784)

            def forward(self, x):
                h = F.relu(self.enc(x))
                mu, lv = self.mu(h), self.lv(h)
                z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
                logits = self.out(F.relu(self.dec(z)))
                recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
                kl = -0.5 * torch.sum(1 + lv - mu ** 2 - lv.exp()) / x.shape[0]
                return recon + kl
        vae = VAE()
        opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
        x = torch.rand(128, 784)

        def step():
            opt.zero_grad(set_to_none=True)
            vae(x).backward()
            opt.step()
        out["vae"] = dict(steps_per_second=timed(step), batch=128)

    if "dcgan" in only:
        gen = nn.Sequential(nn.Linear(64, 128 * 7 * 7), nn.Unflatten(1, (128, 7, 7)), nn.BatchNorm2d(128), nn.ReLU(),
                            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
                            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
        disc = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64),
                             nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(64 * 7 * 7, 1))
        opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
        real = torch.rand(64, 1, 28, 28) * 2 - 1
        z = torch.randn(64, 64)
        ones, zeros = torch.ones(64), torch.zeros(64)

        def step():
            fake = gen(z)
            opt_d.zero_grad(set_to_none=True)
            (F.binary_cross_entropy_with_logits(disc(real).reshape(64), ones)
             + F.binary_cross_entropy_with_logits(disc(fake.detach()).reshape(64), zeros)).backward()
            opt_d.step()
            opt_g.zero_grad(set_to_none=True)
            F.binary_cross_entropy_with_logits(disc(fake).reshape(64), ones).backward()
            opt_g.step()
        out["dcgan"] = dict(steps_per_second=timed(step), batch=64)

    if "unet" in only:
        class Res(nn.Module):
            def __init__(self, i, o, e):
                super().__init__()
                self.norm1, self.conv1 = nn.GroupNorm(min(8, i), i), nn.Conv2d(i, o, 3, padding=1)
                self.embed = nn.Linear(e, o)
                self.norm2, self.conv2 = nn.GroupNorm(min(8, o), o), nn.Conv2d(o, o, 3, padding=1)
                self.skip = nn.Conv2d(i, o, 1) if i != o else None

            def forward(self, x, emb):
                h = self.conv1(F.silu(self.norm1(x))) + self.embed(F.silu(emb))[:, :, None, None]
                h = self.conv2(F.silu(self.norm2(h)))
                return h + (self.skip(x) if self.skip is not None else x)

        class UNet(nn.Module):
            def __init__(self, base=16, mult=(1, 2, 2), emb=64, classes=10):
                super().__init__()
                ch = [m * base for m in mult]
                self.base = base
                self.time = nn.Sequential(nn.Linear(base, emb), nn.SiLU(), nn.Linear(emb, emb))
                self.label = nn.Embedding(classes + 1, emb)
                self.inp = nn.Conv2d(1, base, 3, padding=1)
                prev, down = base, []
                for c in ch:
                    down.append(Res(prev, c, emb))
                    prev = c
                self.down = nn.ModuleList(down)
                self.downsample = nn.ModuleList(nn.Conv2d(c, c, 3, 2, 1) for c in ch[:-1])
                self.middle = Res(ch[-1], ch[-1], emb)
                self.up = nn.ModuleList(Res(2 * c, c, emb) for c in ch)
                self.upsample = nn.ModuleList(nn.ConvTranspose2d(ch[i], ch[i - 1], 4, 2, 1) for i in range(1, len(ch)))
                self.norm, self.out = nn.GroupNorm(8, ch[0]), nn.Conv2d(ch[0], 1, 3, padding=1)

            def forward(self, x, t, y):
                half = self.base // 2
                freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
                a = t.float()[:, None] * freqs[None]
                emb = self.time(torch.cat([a.sin(), a.cos()], 1)) + self.label(y)
                h, skips = self.inp(x), []
                for i, block in enumerate(self.down):
                    h = block(h, emb)
                    skips.append(h)
                    if i < len(self.downsample):
                        h = self.downsample[i](h)
                h = self.middle(h, emb)
                for i in range(len(self.up) - 1, -1, -1):
                    h = self.up[i](torch.cat([h, skips[i]], 1), emb)
                    if i > 0:
                        h = self.upsample[i - 1](h)
                return self.out(F.silu(self.norm(h)))

        unet = UNet()
        opt = torch.optim.Adam(unet.parameters(), lr=1e-3)
        betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
        abar = torch.cumprod(1 - betas, 0)
        x0 = torch.rand(64, 1, 28, 28) * 2 - 1
        noise = torch.randn(64, 1, 28, 28)
        t = torch.randint(0, 1000, (64,))
        y = torch.randint(0, 11, (64,))
        a = abar[t].float().sqrt()[:, None, None, None]
        b = (1 - abar[t]).float().sqrt()[:, None, None, None]

        def step():
            opt.zero_grad(set_to_none=True)
            F.mse_loss(unet(a * x0 + b * noise, t, y), noise).backward()
            torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
            opt.step()
        out["unet"] = dict(steps_per_second=timed(step), batch=64)
    return out, torch.__version__


def ours(binary, runs, steps, only):
    cmd = [binary, "bench", "generative", "--json", "--runs", str(runs), "--steps", str(steps)]
    if len(only) == 1:
        cmd += ["--filter", only[0]]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    return {row["name"]: row for row in rows if row["name"] in only}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--binary", default=os.path.join(ROOT, ".build/release/swiftlearn"))
    p.add_argument("--only", default="vae,dcgan,unet")
    a = p.parse_args()
    only = [w for w in a.only.split(",") if w]
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    ourRounds, torchRounds, threads, version = [], [], None, None
    for r in range(a.rounds):
        o = ours(a.binary, a.runs, a.steps, only)
        threads = threads or next(iter(o.values()))["threads"]
        ourRounds.append(o)
        t, version = torch_workloads(threads, a.runs, a.steps, only)
        torchRounds.append(t)
        print(f"round {r + 1}: " + "  ".join(f"{w} {o[w]['steps_per_second']:.2f} vs {t[w]['steps_per_second']:.2f}" for w in only), flush=True)

    def median(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
    print(f"\ntorch {version}, {threads} threads on both sides, {platform.machine()}; medians of {a.rounds} alternating rounds "
          f"({a.runs} runs of {a.steps} steps each)")
    print(f"{'workload':8} {'batch':>5} {'SwiftLearn steps/s':>19} {'PyTorch steps/s':>16} {'ratio':>7}")
    for w in only:
        s = median([r[w]["steps_per_second"] for r in ourRounds])
        t = median([r[w]["steps_per_second"] for r in torchRounds])
        print(f"{w:8} {ourRounds[0][w]['batch']:>5} {s:>19.2f} {t:>16.2f} {s / t:>6.2f}x")


if __name__ == "__main__":
    sys.exit(main())
