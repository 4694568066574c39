#!/usr/bin/env python3
"""Text classification on the bundled Debian package descriptions: SwiftLearn (`swiftlearn nlp
classify`) against scikit-learn 1.9.1 with the same pipeline, same split, in one run with
alternating rounds.

Data: Sources/Datasets/Data/text/debian_packages.tsv (4,800 descriptions, 12 sections); the first
3,600 lines train and the last 1,200 test (the CLI's default --test-fraction 0.25).
Pipelines: TfidfVectorizer(sublinear_tf=True, min_df=2) + LogisticRegression(C=10) (lbfgs, L2),
and CountVectorizer(min_df=2) + MultinomialNB(alpha=1).
Reported: test accuracy and macro F1 of both sides (they should be equal), and the wall time of
vectorizing + fitting the training lines (ours: train_seconds from the CLI; scikit-learn's timed
around the same two steps).

    pip install scikit-learn==1.9.1
    swift build -c release --product swiftlearn
    python3 benchmarks/compare_text_classifiers.py [--rounds 3]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import MultinomialNB

ROOT = os.path.join(os.path.dirname(__file__), "..")
DATA = os.path.join(ROOT, "Sources", "Datasets", "Data", "text", "debian_packages.tsv")


def sklearn_run(model, train, test):
    start = time.perf_counter()
    if model == "logistic-regression":
        vec, clf = TfidfVectorizer(sublinear_tf=True, min_df=2), LogisticRegression(C=10)
    else:
        vec, clf = CountVectorizer(min_df=2), MultinomialNB(alpha=1)
    clf.fit(vec.fit_transform([t for _, t in train]), [l for l, _ in train])
    secs = time.perf_counter() - start
    pred = clf.predict(vec.transform([t for _, t in test]))
    gold = [l for l, _ in test]
    return {"accuracy": accuracy_score(gold, pred), "macro_f1": f1_score(gold, pred, average="macro"), "seconds": secs}


def swift_run(binary, model):
    args = [binary, "nlp", "classify", "--train", DATA, "--model", model, "--json"]
    args += ["--vectorizer", "sublinear_tf=true", "min_df=2", "--set", "C=10"] if model == "logistic-regression" else ["--vectorizer", "min_df=2", "--set", "alpha=1"]
    last = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
    return {"accuracy": last["accuracy"], "macro_f1": last["macro_f1"], "seconds": last["train_seconds"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    print(f"scikit-learn {sklearn.__version__}; load average {os.getloadavg()}", file=sys.stderr)
    rows = [l.rstrip("\n").split("\t", 2) for l in open(DATA, encoding="utf8")]
    pairs = [(r[0], r[2]) for r in rows]
    train, test = pairs[:3600], pairs[3600:]
    for model in ["logistic-regression", "multinomial-nb"]:
        for r in range(a.rounds):
            for side in (["swift", "sklearn"] if r % 2 == 0 else ["sklearn", "swift"]):
                out = swift_run(a.binary, model) if side == "swift" else sklearn_run(model, train, test)
                print(json.dumps({"model": model, "round": r, "side": side, "accuracy": round(out["accuracy"], 4),
                                  "macro_f1": round(out["macro_f1"], 4), "train_seconds": round(out["seconds"], 3)}), flush=True)


if __name__ == "__main__":
    main()
