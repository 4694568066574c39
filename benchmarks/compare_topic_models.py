#!/usr/bin/env python3
"""NMF, collapsed Gibbs LDA and topic coherence: SwiftLearn (`swiftlearn nlp topics`) against
scikit-learn 1.9.1's NMF, the lda package 3.0.2 and gensim 4.4.0's CoherenceModel — same
documents, same vectorizer settings, same seeds, in one run with alternating rounds.

Corpora (bundled): the Debian package descriptions (Sources/Datasets/Data/text/debian_packages.tsv,
4,800 documents, 12 topics) and the Lee corpus (lee_background.txt, 300 documents, 10 topics).

- NMF: TfidfVectorizer(stop_words="english", min_df=2, max_df=0.95) on both sides (feature counts
  printed and checked), NMF(n_components=k, random_state=0) with solver cd (Frobenius) and
  solver mu with beta_loss=kullback-leibler. Quality: the share of each topic's top-10 words that
  scikit-learn's topic of the same index shares, the reconstruction error of each. Speed:
  documents × iterations / fit seconds (scikit-learn's fit timed alone; ours is fit_seconds from
  the CLI), ours on 1 thread and on every core.
- Gibbs LDA: CountVectorizer with the same settings, lda.LDA(n_topics=k, n_iter=N, random_state=0).
  Quality: the largest difference between the two topic–word matrices (0 when every token drew
  the same topic) and the final log-likelihood. Speed: tokens × sweeps / fit seconds (one thread
  on both sides; the sampler is sequential).
- Coherence: c_v and u_mass of our NMF topics' top 10 words over the analyzer's tokens of every
  document, by gensim (CoherenceModel(topics, texts, Dictionary(texts), processes=1)) and by
  us; seconds for the scoring alone.

    pip install scikit-learn==1.9.1 lda==3.0.2 gensim==4.4.0
    swift build -c release --product swiftlearn
    python3 benchmarks/compare_topic_models.py [--rounds 3] [--gibbs-iter 200]
"""
import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import warnings

import gensim
import lda
import numpy as np
import sklearn
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

ROOT = os.path.join(os.path.dirname(__file__), "..")
TEXT = os.path.join(ROOT, "Sources", "Datasets", "Data", "text")
VECTORIZER = {"stop_words": "english", "min_df": 2, "max_df": 0.95}


def swift(binary, path, model, settings, jobs=None, coherence=()):
    args = [binary, "nlp", "topics", "--input", path, "--model", model, "--json", "--top-words", "10",
            "--vectorizer", "stop_words=english", "min_df=2", "max_df=0.95", "--set"] + settings
    if jobs is not None:
        args += [f"n_jobs={jobs}"]
    if coherence:
        args += ["--coherence"] + list(coherence)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        lines = [json.loads(l) for l in subprocess.run(args + ["--output", out.name], check=True, capture_output=True, text=True).stdout.splitlines()]
        saved = json.load(open(out.name))
    last = lines[-1]
    last["top"] = [l["words"] for l in lines[:-1]]
    last["components"] = np.array(saved["components"])
    return last


def top_words(components, names):
    return [[names[i] for i in row.argsort(kind="stable")[::-1][:10]] for row in components]


def sklearn_nmf(docs, k, solver):
    v = TfidfVectorizer(**VECTORIZER)
    x = v.fit_transform(docs)
    params = {"n_components": k, "random_state": 0, "solver": solver}
    if solver == "mu":
        params["beta_loss"] = "kullback-leibler"
    model = NMF(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(x)
        secs = time.perf_counter() - start
    return {"seconds": secs, "n_iter": model.n_iter_, "err": model.reconstruction_err_, "features": x.shape[1],
            "top": top_words(model.components_, v.get_feature_names_out())}


def lda_gibbs(docs, k, n_iter):
    v = CountVectorizer(**VECTORIZER)
    x = v.fit_transform(docs)
    model = lda.LDA(n_topics=k, n_iter=n_iter, random_state=0)
    start = time.perf_counter()
    model.fit(x)
    secs = time.perf_counter() - start
    return {"seconds": secs, "tokens": int(x.sum()), "components": model.topic_word_, "ll": model.loglikelihood(), "features": x.shape[1]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "swiftlearn"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--gibbs-iter", type=int, default=200)
    a = p.parse_args()
    logging.getLogger("lda").setLevel(logging.ERROR)
    logging.getLogger("gensim").setLevel(logging.ERROR)
    print(f"scikit-learn {sklearn.__version__}, lda {lda.__version__ if hasattr(lda, '__version__') else '3.0.2'}, gensim {gensim.__version__}; "
          f"load average {os.getloadavg()}; cores {os.cpu_count()}", file=sys.stderr)
    debian = [l.split("\t", 2)[2].rstrip("\n") for l in open(os.path.join(TEXT, "debian_packages.tsv"), encoding="utf8")]
    lee = [l.rstrip("\n") for l in open(os.path.join(TEXT, "lee_background.txt"), encoding="utf8") if l.strip()]
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        for name, docs, k in [("debian_packages", debian, 12), ("lee_background", lee, 10)]:
            path = os.path.join(tmp, name + ".txt")
            with open(path, "w", encoding="utf8") as f:
                f.write("\n".join(docs) + "\n")
            for solver in ["cd", "mu"]:
                settings = [f"n_components={k}", "random_state=0", f"solver={solver}"] + (["beta_loss=kullback-leibler"] if solver == "mu" else [])
                s = swift(a.binary, path, "nmf", settings, jobs=1)
                r = sklearn_nmf(docs, k, solver)
                assert s["features"] == r["features"], (s["features"], r["features"])
                overlap = [len(set(x) & set(y)) / 10 for x, y in zip(s["top"], r["top"])]
                print(json.dumps({"corpus": name, "model": f"nmf {solver}", "documents": len(docs), "features": s["features"], "topics": k,
                                  "top10_overlap_mean": round(sum(overlap) / len(overlap), 4), "top10_overlap_min": min(overlap),
                                  "n_iter_swift": s["n_iter"], "n_iter_sklearn": r["n_iter"],
                                  "reconstruction_err_swift": s["reconstruction_err"], "reconstruction_err_sklearn": r["err"]}), flush=True)
                for rnd in range(a.rounds):
                    order = ["swift1", "sklearn", "swift"] if rnd % 2 == 0 else ["swift", "sklearn", "swift1"]
                    for side in order:
                        if side == "sklearn":
                            out = sklearn_nmf(docs, k, solver); secs, iters = out["seconds"], out["n_iter"]
                        else:
                            out = swift(a.binary, path, "nmf", settings, jobs=1 if side == "swift1" else cores)
                            secs, iters = out["fit_seconds"], out["n_iter"]
                        print(json.dumps({"corpus": name, "model": f"nmf {solver}", "round": rnd,
                                          "side": {"swift1": "swiftlearn n_jobs=1", "swift": f"swiftlearn n_jobs={cores}", "sklearn": "scikit-learn"}[side],
                                          "fit_seconds": round(secs, 4), "documents_per_second": round(len(docs) * iters / secs)}), flush=True)
            # Gibbs LDA.
            settings = [f"n_topics={k}", f"n_iter={a.gibbs_iter}", "random_state=0"]
            s = swift(a.binary, path, "gibbs", settings)
            r = lda_gibbs(docs, k, a.gibbs_iter)
            assert s["features"] == r["features"]
            print(json.dumps({"corpus": name, "model": "gibbs", "tokens": r["tokens"], "sweeps": a.gibbs_iter,
                              "max_topic_word_difference": float(np.abs(s["components"] - r["components"]).max()),
                              "log_likelihood_swift": s["log_likelihood"], "log_likelihood_lda": r["ll"]}), flush=True)
            for rnd in range(a.rounds):
                for side in (["swift", "lda"] if rnd % 2 == 0 else ["lda", "swift"]):
                    if side == "lda":
                        out = lda_gibbs(docs, k, a.gibbs_iter); secs, tokens = out["seconds"], out["tokens"]
                    else:
                        out = swift(a.binary, path, "gibbs", settings); secs, tokens = out["fit_seconds"], out["tokens"]
                    print(json.dumps({"corpus": name, "model": "gibbs", "round": rnd, "side": {"swift": "swiftlearn", "lda": "lda 3.0.2"}[side],
                                      "fit_seconds": round(secs, 4), "tokens_per_second": round(tokens * a.gibbs_iter / secs)}), flush=True)
            # Coherence of our NMF topics, both scorers on the same topics and texts.
            settings = [f"n_components={k}", "random_state=0"]
            analyzer = CountVectorizer(stop_words="english").build_analyzer()
            texts = [analyzer(d) for d in docs]
            for measure in ["c_v", "u_mass"]:
                for rnd in range(a.rounds):
                    for side in (["swift", "gensim"] if rnd % 2 == 0 else ["gensim", "swift"]):
                        if side == "swift":
                            s = swift(a.binary, path, "nmf", settings, coherence=[measure])
                            value, secs = s[f"coherence_{measure}"], s["coherence_seconds"]
                        else:
                            start = time.perf_counter()
                            cm = CoherenceModel(topics=s["top"], texts=texts, dictionary=Dictionary(texts), coherence=measure, processes=1)
                            value = cm.get_coherence()
                            secs = time.perf_counter() - start
                        print(json.dumps({"corpus": name, "model": f"coherence {measure}", "round": rnd, "side": side,
                                          "coherence": value, "seconds": round(secs, 4)}), flush=True)


if __name__ == "__main__":
    main()
