#!/usr/bin/env python3
"""word2vec: SwiftLearn (`swiftlearn nlp word2vec`) against gensim 4.4.0, same corpus, same
settings, same number of threads, in one run with alternating rounds.

Corpus: gensim's own test data (shipped in the gensim wheel): lee_background.cor (300 news
paragraphs, 59,890 words) for quality, and the same file repeated --repeat times for speed.
Quality: WordSim-353 Spearman and Mikolov's analogy accuracy (gensim's evaluate_word_pairs /
evaluate_word_analogies, applied to both models' vectors by gensim so the evaluation is identical).
Speed: training words per second (raw corpus words × epochs / training seconds; gensim's
model.train is timed alone, and ours is the `train_seconds` the CLI reports).

    pip install gensim==4.4.0
    swift build -c release --product swiftlearn
    python3 benchmarks/compare_word2vec.py [--rounds 3] [--repeat 20] [--workers 2]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import gensim
from gensim.models import KeyedVectors, Word2Vec
from gensim.test.utils import datapath

ROOT = os.path.join(os.path.dirname(__file__), "..")


def gensim_run(sentences, settings, workers):
    model = Word2Vec(vector_size=settings["vector_size"], window=settings["window"], min_count=settings["min_count"],
                     sg=settings["sg"], negative=5, sample=1e-3, epochs=settings["epochs"], seed=1, workers=workers)
    model.build_vocab(sentences)
    start = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    return model.wv, time.perf_counter() - start, model.corpus_total_words * model.epochs


def swift_run(binary, corpus, settings, workers, out):
    args = [binary, "nlp", "word2vec", "--input", corpus, "--output", out, "--json", "--set", f"workers={workers}"]
    args += [a for k, v in settings.items() for a in ("--set", f"{k}={v}")]
    last = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    return KeyedVectors.load_word2vec_format(out), last["train_seconds"], last["raw_words"]


def quality(wv):
    pairs = wv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    analogies, _ = wv.evaluate_word_analogies(datapath("questions-words.txt"))
    return pairs[1][0], analogies


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    print(f"gensim {gensim.__version__}, workers {a.workers}; uptime: {os.getloadavg()}", file=sys.stderr)
    lee = datapath("lee_background.cor")
    lines = open(lee, encoding="utf8").read().splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "lee_x.cor")
        with open(big, "w", encoding="utf8") as f:
            f.write("\n".join(lines * a.repeat) + "\n")
        for corpus, label in [(lee, "lee_background"), (big, f"lee_background x{a.repeat}")]:
            sentences = [l.split() for l in open(corpus, encoding="utf8")]
            for sg in [1, 0]:
                settings = {"vector_size": 100, "window": 5, "min_count": 2, "sg": sg, "epochs": 10 if corpus == lee else 5}
                for r in range(a.rounds):
                    for side in (["swift", "gensim"] if r % 2 == 0 else ["gensim", "swift"]):
                        if side == "gensim":
                            wv, secs, words = gensim_run(sentences, settings, a.workers)
                        else:
                            wv, secs, words = swift_run(a.binary, corpus, settings, a.workers, os.path.join(tmp, "v.txt"))
                        spearman, acc = quality(wv) if corpus == lee else (float("nan"), float("nan"))
                        print(json.dumps({"corpus": label, "sg": sg, "round": r, "side": side, "words": words, "train_seconds": round(secs, 4),
                                          "words_per_second": round(words / secs), "wordsim_spearman": round(spearman, 4),
                                          "analogy_accuracy": round(acc, 4), "vocabulary": len(wv)}), flush=True)


if __name__ == "__main__":
    main()
