#!/usr/bin/env python3
"""SwiftLearn `NLP` vs Hugging Face `tokenizers` and scikit-learn, on the same inputs in one run.

Writes a corpus (one text per line: every paragraph of CPython's pydoc_data topics and of
scikit-learn's dataset descriptions, repeated to --lines lines), trains one byte-level BPE
tokenizer.json with `tokenizers` (vocab 8,000) that both sides load, uses the all-MiniLM-L6-v2
WordPiece tokenizer.json bundled in Tests/NLPTests/Fixtures (padding/truncation off), then runs
`swiftlearn bench nlp --json` and the Python references, several rounds, and prints medians and
ratios (reference time / ours: > 1 means SwiftLearn is faster).

Python references, single-threaded (TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1):
  hf_encode_loop   Tokenizer.encode(line) called once per line (what a Python user writes);
  hf_encode_batch  Tokenizer.encode_batch(lines) with one Rayon thread (Rust loop, no per-line Python call);
  sklearn          TfidfVectorizer().fit_transform(lines).
SwiftLearn encodes one line at a time (single thread) and reports the ids; the token counts of both
sides are printed so a difference in work would show.

Usage:
    swift build -c release
    python3 benchmarks/compare_nlp.py [--runs 5] [--rounds 3] [--lines 20000] [--binary .build/release/swiftlearn]

Pinned: tokenizers 0.23.3, scikit-learn 1.9.1.
"""
import argparse
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["RAYON_RS_NUM_CPUS"] = "1"

import sklearn  # noqa: E402
import tokenizers  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def corpus_lines(n):
    import pydoc_data.topics as topics
    paragraphs = []
    for k in sorted(topics.topics):
        paragraphs += [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", topics.topics[k])]
    descr = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "descr")
    for f in sorted(glob.glob(os.path.join(descr, "*.rst"))):
        paragraphs += [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", open(f, encoding="utf-8").read())]
    paragraphs = [p for p in paragraphs if p]
    out = []
    while len(out) < n:
        out += paragraphs
    return out[:n]


def median_time(runs, body):
    body()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        body()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def python_round(lines, bpe_path, wp_path, runs):
    res = {}
    bpe = Tokenizer.from_file(bpe_path)
    wp = Tokenizer.from_file(wp_path)
    wp.no_padding()
    wp.no_truncation()
    for name, tok in (("bpe_encode", bpe), ("wordpiece_encode", wp)):
        count = [0]

        def loop():
            count[0] = sum(len(tok.encode(l).ids) for l in lines)

        t = median_time(runs, loop)
        res[name + "/hf_encode_loop"] = (t, count[0])

        def batch():
            count[0] = sum(len(e.ids) for e in tok.encode_batch(lines))

        t = median_time(runs, batch)
        res[name + "/hf_encode_batch"] = (t, count[0])
    nnz = [0]

    def tfidf():
        nnz[0] = TfidfVectorizer().fit_transform(lines).nnz

    res["tfidf_fit_transform/sklearn"] = (median_time(runs, tfidf), nnz[0])

    def train():
        t = Tokenizer(models.BPE())
        t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        t.train_from_iterator(lines[:5000], trainer=trainers.BpeTrainer(
            vocab_size=2000, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))

    res["bpe_train_2000/hf_train"] = (median_time(max(1, runs // 2), train), 2000)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="swiftlearn-nlp-bench-")
    lines = corpus_lines(args.lines)
    corpus = os.path.join(tmp, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    bpe_path = os.path.join(tmp, "bpe.json")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(lines, trainer=trainers.BpeTrainer(
        vocab_size=8000, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    tok.save(bpe_path)
    wp_path = os.path.join(ROOT, "Tests", "NLPTests", "Fixtures", "minilm_tokenizer.json")

    print(f"# {platform.node()} {platform.machine()} python {platform.python_version()} tokenizers {tokenizers.__version__} "
          f"scikit-learn {sklearn.__version__}; {len(lines)} lines, {sum(len(l.encode()) for l in lines) / 1e6:.2f} MB")
    ratios = {}
    last = {}
    for r in range(args.rounds):
        out = subprocess.run([args.binary, "bench", "nlp", "--corpus", corpus, "--bpe", bpe_path, "--wordpiece", wp_path,
                              "--runs", str(args.runs), "--json"], check=True, capture_output=True, text=True).stdout
        ours = {o["name"]: o for o in map(json.loads, out.splitlines())}
        ref = python_round(lines, bpe_path, wp_path, args.runs)
        for key, (t, count) in ref.items():
            name, kind = key.split("/")
            o = ours[name]
            ratios.setdefault(key, []).append(t / o["seconds"])
            last[key] = (o["seconds"], o["tokens"], t, count)
    print(f"{'benchmark':<22} {'reference':<16} {'ours s':>9} {'ref s':>9} {'ours tok':>9} {'ref tok':>9} {'ratio':>7}")
    for key, rs in ratios.items():
        name, kind = key.split("/")
        ours_s, ours_n, ref_s, ref_n = last[key]
        print(f"{name:<22} {kind:<16} {ours_s:9.4f} {ref_s:9.4f} {ours_n:9d} {ref_n:9d} {statistics.median(rs):7.2f}")
    print("ratio = reference seconds / SwiftLearn seconds, median over rounds (> 1: SwiftLearn faster)")


if __name__ == "__main__":
    main()
