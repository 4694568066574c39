#!/usr/bin/env python3
"""SwiftLearn `LLM` vs llama.cpp (llama-cpp-python) on the same GGUF file, in one run.

Both sides evaluate the same prompt (the BOS token and the tokens of a fixed sentence repeated to
--prompt-tokens), then generate --generate tokens greedily, one at a time, with the same number of
threads; each reports the seconds of the prompt evaluation and of the generation loop (model loading
excluded). Rounds alternate (SwiftLearn, then llama.cpp) so drift of the machine hits both; each
side's figure is the median over rounds, and each ratio is taken within a round (ours / theirs in
tokens per second: > 1 means SwiftLearn is faster), then the median ratio is reported.

llama.cpp runs as llama-cpp-python builds it by default here (its CPU backend with the machine's
SIMD, llamafile kernels, no flash attention), n_batch 512 so the prompt is one batch.

Usage:
    swift build -c release --product swiftlearn
    scripts/fetch_models.sh                        # models/SmolLM2-135M-Instruct.Q4_1.gguf
    python3 benchmarks/compare_llm.py [--rounds 5] [--threads 2] [--markdown]

Needs llama-cpp-python (0.3.36 measured; `pip install llama-cpp-python==0.3.36` compiles llama.cpp,
about 7 minutes on 2 cores).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import llama_cpp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SENTENCE = ("It was the best of times, it was the worst of times, it was the age of wisdom, "
            "it was the age of foolishness, ")


def prompt_ids(llm, n):
    # The same construction as `swiftlearn bench llm`: BOS, then the sentence's tokens repeated.
    base = llm.tokenize(SENTENCE.encode(), add_bos=False, special=False)
    return [llm.token_bos()] + [base[i % len(base)] for i in range(n - 1)]


def run_llama(llm, ids, generate):
    llm.reset()
    t0 = time.perf_counter()
    llm.eval(ids)
    prompt_s = time.perf_counter() - t0
    import numpy as np
    nxt = int(np.argmax(llm.scores[llm.n_tokens - 1]))
    t1 = time.perf_counter()
    for _ in range(generate):
        llm.eval([nxt])
        nxt = int(np.argmax(llm.scores[llm.n_tokens - 1]))
    return prompt_s, time.perf_counter() - t1


def run_swift(binary, model, args):
    out = subprocess.run([binary, "bench", "llm", "--model", model, "--prompt-tokens", str(args.prompt_tokens),
                          "--generate", str(args.generate), "--threads", str(args.threads), "--runs", "1", "--json"],
                         check=True, capture_output=True, text=True).stdout
    rows = {r["name"]: r for r in map(json.loads, out.strip().splitlines())}
    return rows["prompt"]["seconds"], rows["generation"]["seconds"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--generate", type=int, default=64)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()

    print(f"uptime: {os.popen('uptime').read().strip()}", file=sys.stderr)
    llm = llama_cpp.Llama(model_path=args.model, n_ctx=args.prompt_tokens + args.generate + 8, n_batch=512,
                          n_threads=args.threads, n_threads_batch=args.threads, logits_all=False, verbose=False)
    ids = prompt_ids(llm, args.prompt_tokens)
    run_llama(llm, ids, 4)                                         # warm-up (page in the file)
    ours = {"prompt": [], "generation": []}
    theirs = {"prompt": [], "generation": []}
    ratios = {"prompt": [], "generation": []}
    for r in range(args.rounds):
        sp, sg = run_swift(args.binary, args.model, args)
        lp, lg = run_llama(llm, ids, args.generate)
        for name, s, l, n in [("prompt", sp, lp, args.prompt_tokens), ("generation", sg, lg, args.generate)]:
            ours[name].append(n / s)
            theirs[name].append(n / l)
            ratios[name].append(l / s)
        print(f"round {r + 1}: prompt {args.prompt_tokens / sp:.1f} vs {args.prompt_tokens / lp:.1f} tok/s, "
              f"generation {args.generate / sg:.1f} vs {args.generate / lg:.1f} tok/s", file=sys.stderr)
    version = llama_cpp.__version__
    if args.markdown:
        print(f"| phase | tokens | SwiftLearn tok/s | llama.cpp (llama-cpp-python {version}) tok/s | ratio |")
        print("|---|---:|---:|---:|---:|")
    for name, n in [("prompt", args.prompt_tokens), ("generation", args.generate)]:
        o, t, q = statistics.median(ours[name]), statistics.median(theirs[name]), statistics.median(ratios[name])
        if args.markdown:
            print(f"| {name} | {n} | {o:.1f} | {t:.1f} | {q:.2f}× |")
        else:
            print(f"{name:10s} {n:4d} tokens  SwiftLearn {o:7.1f} tok/s  llama.cpp {version} {t:7.1f} tok/s  ratio {q:.2f}")


if __name__ == "__main__":
    main()
