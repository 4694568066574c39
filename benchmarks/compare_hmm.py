#!/usr/bin/env python3
"""Part-of-speech tagging with a hidden Markov model: SwiftLearn (`swiftlearn nlp tag --model hmm`)
against NLTK 3.10.4's HiddenMarkovModelTagger.train (Lidstone γ = 0.1, float32 Viterbi) on the POS
column of CoNLL-2003 English (scripts/data/fetch_conll2003.sh; the tags there come from a tagger,
as the shared task's README says, so this measures agreement with them).

Reported: token accuracy on the test set for both (they should be equal: the same model and the
same float32 Viterbi), the share of test sentences tagged identically, and the time to train and
to tag.

    pip install nltk==3.10.4
    python3 benchmarks/compare_hmm.py [--test-sentences 3453]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import nltk
from nltk.tag.hmm import HiddenMarkovModelTagger

ROOT = os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, os.path.dirname(__file__))
from conll_data import DATA, read  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    p.add_argument("--test-sentences", type=int, default=3453)
    a = p.parse_args()
    print(f"nltk {nltk.__version__}; load average {os.getloadavg()}", file=sys.stderr)
    train = [[(c[0], c[1]) for c in s] for s in read(os.path.join(DATA, "train.txt"))]
    test = [[(c[0], c[1]) for c in s] for s in read(os.path.join(DATA, "test.txt"))][:a.test_sentences]
    with tempfile.TemporaryDirectory() as tmp:
        test_path, out_path = os.path.join(tmp, "test.txt"), os.path.join(tmp, "out.txt")
        with open(test_path, "w", encoding="utf8") as f:
            f.write("".join("".join(f"{w} {t}\n" for w, t in s) + "\n" for s in test))
        start = time.perf_counter()
        subprocess.run([a.binary, "nlp", "tag", "--model", "hmm", "--train", os.path.join(DATA, "train.txt"), "--tag-column", "1",
                        "--predict", test_path, "--output", out_path], check=True, capture_output=True)
        swift_seconds = time.perf_counter() - start
        ours = [[line.split()[1] for line in block.splitlines()] for block in open(out_path, encoding="utf8").read().strip("\n").split("\n\n")]
    start = time.perf_counter()
    hmm = HiddenMarkovModelTagger.train(train)
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    theirs = [[t for _, t in hmm.tag([w for w, _ in s])] for s in test]
    tag_seconds = time.perf_counter() - start
    gold = [[t for _, t in s] for s in test]
    def accuracy(pred):
        return sum(p == g for ps, gs in zip(pred, gold) for p, g in zip(ps, gs)) / sum(len(g) for g in gold)
    print(json.dumps({"test_sentences": len(test), "tokens": sum(len(g) for g in gold),
                      "accuracy_swiftlearn": round(accuracy(ours), 6), "accuracy_nltk": round(accuracy(theirs), 6),
                      "identical_sentences": sum(o == t for o, t in zip(ours, theirs)),
                      "swiftlearn_seconds_train_and_tag_process": round(swift_seconds, 2),
                      "nltk_train_seconds": round(train_seconds, 2), "nltk_tag_seconds": round(tag_seconds, 2)}))


if __name__ == "__main__":
    main()
