#!/usr/bin/env python3
"""SwiftLearn's BertEncoder (`swiftlearn embed`) vs sentence-transformers on all-MiniLM-L6-v2.

Two workloads: short sentences (lines of the bundled Shakespeare text, ~10-20 tokens each) and
long ones (passages truncated to the 256-token limit). Both sides embed the same texts with the
same number of threads (torch.set_num_threads) and report the seconds of tokenization + encoding,
model loading excluded (`swiftlearn embed` prints its own `seconds`; sentence-transformers is
timed around `model.encode`, batch size 32, after one warm-up call). Rounds alternate
(SwiftLearn, then sentence-transformers) so drift of the machine hits both; each side's figure is
the median over rounds, each ratio is taken within a round (ours / theirs in sentences per second:
> 1 means SwiftLearn is faster), and the median ratio is reported. The target is >= 1.5.

Run on an idle machine: other builds or benchmarks on the same cores distort both sides.

Usage:
    swift build -c release --product swiftlearn
    scripts/fetch_models.sh                        # models/all-MiniLM-L6-v2
    python3 benchmarks/compare_minilm.py [--rounds 5] [--threads 2] [--short 2000] [--long 200] [--markdown]

Needs sentence-transformers and torch (CPU) in the running Python.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def workloads(n_short, n_long):
    with open(os.path.join(ROOT, "Sources", "Datasets", "Data", "text", "shakespeare_tragedies.txt"), encoding="utf-8") as f:
        lines = [l.strip() for l in f if len(l.split()) >= 5]
    short = [lines[i % len(lines)] for i in range(n_short)]
    long = [" ".join(lines[(i * 97) % (len(lines) - 80):][:80]) for i in range(n_long)]   # > 256 tokens, truncated
    return {"short": short, "long (256 tokens)": long}


def run_swift(binary, model, path, threads):
    out = subprocess.run([binary, "embed", "--model", model, "--input", path, "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    fields = dict(line.split(None, 1) for line in out.splitlines() if line.strip())
    return float(fields["seconds"])


def run_torch(model, texts):
    t0 = time.perf_counter()
    model.encode(texts, batch_size=32, convert_to_numpy=True)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--short", type=int, default=2000)
    ap.add_argument("--long", type=int, default=200)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer
    import sentence_transformers
    torch.set_num_threads(args.threads)
    model = SentenceTransformer(args.model, device="cpu")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, texts in workloads(args.short, args.long).items():
            path = os.path.join(tmp, "texts.txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(texts) + "\n")
            model.encode(texts[:64], batch_size=32)               # warm-up
            ours, theirs, ratios = [], [], []
            for _ in range(args.rounds):
                s = run_swift(args.binary, args.model, path, args.threads)
                t = run_torch(model, texts)
                ours.append(len(texts) / s)
                theirs.append(len(texts) / t)
                ratios.append(t / s)
            rows.append((name, len(texts), statistics.median(ours), statistics.median(theirs), statistics.median(ratios)))
    versions = f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}, {args.threads} threads"
    if args.markdown:
        print(f"| workload | texts | SwiftLearn sentences/s | sentence-transformers sentences/s | ratio |  ({versions})")
        print("|---|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]:.1f} | {r[3]:.1f} | {r[4]:.2f}× |")
    else:
        print(versions)
        for r in rows:
            print(f"{r[0]:>18}: {r[1]} texts  SwiftLearn {r[2]:8.1f}/s  sentence-transformers {r[3]:8.1f}/s  ratio {r[4]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
