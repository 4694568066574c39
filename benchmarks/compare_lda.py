#!/usr/bin/env python3
"""LDA topic models: SwiftLearn (`swiftlearn nlp topics`) against scikit-learn 1.9.1's
LatentDirichletAllocation, same documents, same CountVectorizer settings, same seeds, in one run
with alternating rounds.

Corpora (bundled): the Debian package descriptions (Sources/Datasets/Data/text/debian_packages.tsv,
4,800 documents, 12 topics) and the Lee corpus (lee_background.txt, 300 documents, 10 topics).
Counts: CountVectorizer(stop_words="english", min_df=2, max_df=0.95) on both sides (the feature
counts are printed and must match).
Quality: per topic, the share of the top-10 words that scikit-learn's topic of the same index
shares (the seeds give both the same draws); the training perplexity (bound_) of each seed, and
their mean over the seeds.
Speed: documents per second = documents × passes / fit seconds (scikit-learn's fit is timed alone;
ours is the fit_seconds the CLI reports), batch and online (batch_size=128), one thread each
(scikit-learn's n_jobs=None), then ours on every core.

    pip install scikit-learn==1.9.1
    swift build -c release --product swiftlearn
    python3 benchmarks/compare_lda.py [--rounds 3] [--seeds 0 1 2 3 4]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import sklearn
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer

ROOT = os.path.join(os.path.dirname(__file__), "..")
TEXT = os.path.join(ROOT, "Sources", "Datasets", "Data", "text")
VECTORIZER = {"stop_words": "english", "min_df": 2, "max_df": 0.95}


def sklearn_run(docs, k, method, seed, max_iter):
    x = CountVectorizer(**VECTORIZER).fit(docs)
    names = x.get_feature_names_out()
    counts = x.transform(docs)
    lda = LatentDirichletAllocation(n_components=k, learning_method=method, random_state=seed, max_iter=max_iter)
    start = time.perf_counter()
    lda.fit(counts)
    secs = time.perf_counter() - start
    top = [[names[i] for i in row.argsort(kind="stable")[::-1][:10]] for row in lda.components_]
    return {"seconds": secs, "perplexity": lda.bound_, "top": top, "features": len(names), "passes": lda.n_iter_}


def swift_run(binary, path, k, method, seed, max_iter, jobs):
    args = [binary, "nlp", "topics", "--input", path, "--json", "--top-words", "10",
            "--vectorizer", "stop_words=english", "min_df=2", "max_df=0.95",
            "--set", f"n_components={k}", f"learning_method={method}", f"random_state={seed}", f"max_iter={max_iter}", f"n_jobs={jobs}"]
    lines = [json.loads(l) for l in subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()]
    last = lines[-1]
    return {"seconds": last["fit_seconds"], "perplexity": last["perplexity"], "top": [l["words"] for l in lines[:-1]],
            "features": last["features"], "passes": last["n_iter"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--max-iter", type=int, default=10)
    a = p.parse_args()
    print(f"scikit-learn {sklearn.__version__}; load average {os.getloadavg()}; cores {os.cpu_count()}", file=sys.stderr)
    debian = [l.split("\t", 2)[2].rstrip("\n") for l in open(os.path.join(TEXT, "debian_packages.tsv"), encoding="utf8")]
    lee = [l.rstrip("\n") for l in open(os.path.join(TEXT, "lee_background.txt"), encoding="utf8") if l.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        for name, docs, k in [("debian_packages", debian, 12), ("lee_background", lee, 10)]:
            path = os.path.join(tmp, name + ".txt")
            with open(path, "w", encoding="utf8") as f:
                f.write("\n".join(docs) + "\n")
            for method in ["batch", "online"]:
                # Quality: every seed once on each side.
                overlaps, perplexities = [], {"swift": [], "sklearn": []}
                for seed in a.seeds:
                    s = swift_run(a.binary, path, k, method, seed, a.max_iter, 1)
                    r = sklearn_run(docs, k, method, seed, a.max_iter)
                    assert s["features"] == r["features"], (s["features"], r["features"])
                    overlaps += [len(set(x) & set(y)) / 10 for x, y in zip(s["top"], r["top"])]
                    perplexities["swift"].append(s["perplexity"]); perplexities["sklearn"].append(r["perplexity"])
                ms, mr = (sum(v) / len(v) for v in (perplexities["swift"], perplexities["sklearn"]))
                print(json.dumps({"corpus": name, "documents": len(docs), "features": s["features"], "topics": k, "method": method,
                                  "seeds": a.seeds, "top10_overlap_mean": round(sum(overlaps) / len(overlaps), 4),
                                  "top10_overlap_min": min(overlaps), "perplexity_swift": [round(v, 4) for v in perplexities["swift"]],
                                  "perplexity_sklearn": [round(v, 4) for v in perplexities["sklearn"]],
                                  "mean_perplexity_ratio": round(ms / mr, 6)}), flush=True)
                # Speed: alternating rounds, seed 0.
                for r in range(a.rounds):
                    order = ["swift1", "sklearn", "swift"] if r % 2 == 0 else ["swift", "sklearn", "swift1"]
                    for side in order:
                        if side == "sklearn":
                            out = sklearn_run(docs, k, method, 0, a.max_iter)
                        else:
                            out = swift_run(a.binary, path, k, method, 0, a.max_iter, 1 if side == "swift1" else os.cpu_count())
                        dps = len(docs) * max(out["passes"], 1) / out["seconds"]
                        print(json.dumps({"corpus": name, "method": method, "round": r,
                                          "side": {"swift1": "swiftlearn n_jobs=1", "swift": f"swiftlearn n_jobs={os.cpu_count()}",
                                                   "sklearn": "scikit-learn n_jobs=None"}[side],
                                          "fit_seconds": round(out["seconds"], 4), "documents_per_second": round(dps)}), flush=True)


if __name__ == "__main__":
    main()
