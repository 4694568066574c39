#!/usr/bin/env python3
"""Named-entity recognition with a linear-chain CRF: SwiftLearn (`swiftlearn nlp tag`) against
python-crfsuite 0.9.12 (CRFsuite 0.12) on CoNLL-2003 English, same features, same penalty, same
iteration budget, in one run with alternating rounds. Scores are seqeval 1.2.2's on both sides.

Data: scripts/data/fetch_conll2003.sh (train 14,041 sentences, test 3,453); the word, its POS
(column 2) and the NER tag (last column, IOB2).
Features: the sklearn-crfsuite tutorial's, exactly as NLP.TaggingFeatures.tutorial writes them
(restated below). Training: L2 only (c1=0, c2=0.1; we have no OWL-QN), max_iterations=100.
Time: the training call (feature set + L-BFGS) on both sides, ours on one thread (as CRFsuite) and
on every core; tagging throughput on the test set.

    pip install python-crfsuite==0.9.12 seqeval==1.2.2
    scripts/data/fetch_conll2003.sh && swift build -c release --product swiftlearn
    python3 benchmarks/compare_crf.py [--rounds 2] [--max-iterations 100]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import pycrfsuite
from seqeval.metrics import f1_score, precision_score, recall_score

ROOT = os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, os.path.dirname(__file__))
from conll_data import DATA, read  # noqa: E402


def word_features(w, pos, prefix):
    f = {prefix + "word.lower=" + w.lower(): 1.0}
    if not prefix:
        f["word[-3:]=" + w[-3:]] = 1.0
        f["word[-2:]=" + w[-2:]] = 1.0
    letters = [c for c in w if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        f[prefix + "word.isupper"] = 1.0
    if w and w[0].isupper() and not any(c.isupper() for c in w[1:]):
        f[prefix + "word.istitle"] = 1.0
    if not prefix and w and all(c.isnumeric() for c in w):
        f["word.isdigit"] = 1.0
    f[prefix + "postag=" + pos] = 1.0
    f[prefix + "postag[:2]=" + pos[:2]] = 1.0
    return f


def features(sentence):
    words, pos = [c[0] for c in sentence], [c[1] for c in sentence]
    out = []
    for i in range(len(words)):
        f = {"bias": 1.0}
        f.update(word_features(words[i], pos[i], ""))
        if i > 0:
            f.update(word_features(words[i - 1], pos[i - 1], "-1:"))
        else:
            f["BOS"] = 1.0
        if i + 1 < len(words):
            f.update(word_features(words[i + 1], pos[i + 1], "+1:"))
        else:
            f["EOS"] = 1.0
        out.append(f)
    return out


def crfsuite_run(train, test, c2, iterations, tmp):
    xs, ys = [features(s) for s in train], [[c[-1] for c in s] for s in train]
    start = time.perf_counter()
    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in zip(xs, ys):
        trainer.append(x, y)
    trainer.set_params({"c1": 0.0, "c2": c2, "max_iterations": iterations})
    path = os.path.join(tmp, "model.crfsuite")
    trainer.train(path)
    secs = time.perf_counter() - start
    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    tx = [features(s) for s in test]
    start = time.perf_counter()
    pred = [tagger.tag(x) for x in tx]
    tag_secs = time.perf_counter() - start
    gold = [[c[-1] for c in s] for s in test]
    tokens = sum(len(s) for s in test)
    return {"train_seconds": secs, "f1": f1_score(gold, pred), "precision": precision_score(gold, pred), "recall": recall_score(gold, pred),
            "tag_tokens_per_second": tokens / tag_secs, "iterations": trainer.logparser.last_iteration["num"]}


def swift_run(binary, c2, iterations, workers):
    args = [binary, "nlp", "tag", "--train", os.path.join(DATA, "train.txt"), "--test", os.path.join(DATA, "test.txt"),
            "--pos-column", "1", "--json", "--set", f"c2={c2}", f"max_iterations={iterations}", f"workers={workers}"]
    last = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
    return {k: last[k] for k in ["train_seconds", "f1", "precision", "recall", "tag_tokens_per_second", "iterations"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--c2", type=float, default=0.1)
    p.add_argument("--max-iterations", type=int, default=100)
    a = p.parse_args()
    print(f"python-crfsuite {pycrfsuite.__version__ if hasattr(pycrfsuite, '__version__') else '0.9.12'}; load average {os.getloadavg()}", file=sys.stderr)
    train, test = read(os.path.join(DATA, "train.txt")), read(os.path.join(DATA, "test.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds):
            for side in (["swift1", "crfsuite", "swift"] if r % 2 == 0 else ["swift", "crfsuite", "swift1"]):
                if side == "crfsuite":
                    out = crfsuite_run(train, test, a.c2, a.max_iterations, tmp)
                else:
                    out = swift_run(a.binary, a.c2, a.max_iterations, 1 if side == "swift1" else os.cpu_count())
                side = {"swift1": "swiftlearn workers=1", "swift": f"swiftlearn workers={os.cpu_count()}", "crfsuite": "python-crfsuite"}[side]
                print(json.dumps({"round": r, "side": side, **{k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}}), flush=True)


if __name__ == "__main__":
    main()
