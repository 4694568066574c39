#!/usr/bin/env python3
"""SwiftLearn `Learn` vs scikit-learn: the same estimators on the same arrays, in one run.

Writes every dataset once as .npy (the bundled sets with the committed 75/25 splits, and
synthetic 100k-row classification and regression sets from `make_classification` /
`make_regression`), writes a manifest of jobs (model, parameters, dataset), runs
`swiftlearn bench learn --manifest …` and scikit-learn on the same jobs, and prints fit and predict
times with ratios (scikit-learn time / ours: > 1 means we are faster) and both test metrics.

Usage:
    swift build -c release
    python3 benchmarks/compare_learn.py [--runs 3] [--rounds 3] [--filter TEXT] [--markdown]
        [--binary .build/release/swiftlearn] [--quick]

Times are medians of `--runs` fits (each on a fresh estimator) within a round; ratios are taken
within a round and the reported ratio is the median over rounds. scikit-learn runs single-process
with its defaults (`n_jobs=None`); OpenMP/BLAS threads as the environment sets them (2 cores here).
Metric: test accuracy (classifiers), R² (regressors), adjusted Rand index vs the labels (clustering).

Pinned: scikit-learn 1.9.1, numpy 2.4.x.
"""
import argparse, importlib, json, os, platform, subprocess, sys, tempfile, time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "fixtures"))
import learn_common  # noqa: E402

BUNDLED_CLF = ["iris", "wine", "breast_cancer", "digits"]
BUNDLED_REG = ["diabetes", "diamonds"]

# (our model name, scikit-learn class, parameters, kind, datasets). Parameters are given to both.
CLF = "clf"; REG = "reg"; CLU = "clu"; TRA = "tra"
SYN_C, SYN_R = "synthetic_clf_100k", "synthetic_reg_100k"
SYN_C10, SYN_R10 = "synthetic_clf_10k", "synthetic_reg_10k"
JOBS = [
    ("linear-regression", "sklearn.linear_model.LinearRegression", {}, REG, BUNDLED_REG + [SYN_R]),
    ("ridge", "sklearn.linear_model.Ridge", {}, REG, BUNDLED_REG + [SYN_R]),
    ("lasso", "sklearn.linear_model.Lasso", {}, REG, BUNDLED_REG + [SYN_R]),
    ("elastic-net", "sklearn.linear_model.ElasticNet", {}, REG, BUNDLED_REG + [SYN_R]),
    ("logistic-regression", "sklearn.linear_model.LogisticRegression", {}, CLF, BUNDLED_CLF + [SYN_C]),
    ("sgd-classifier", "sklearn.linear_model.SGDClassifier", {"random_state": 0}, CLF, BUNDLED_CLF + [SYN_C]),
    ("sgd-regressor", "sklearn.linear_model.SGDRegressor", {"random_state": 0}, REG, [SYN_R]),
    ("lda", "sklearn.discriminant_analysis.LinearDiscriminantAnalysis", {}, CLF, BUNDLED_CLF + [SYN_C]),
    ("gaussian-nb", "sklearn.naive_bayes.GaussianNB", {}, CLF, BUNDLED_CLF + [SYN_C]),
    ("multinomial-nb", "sklearn.naive_bayes.MultinomialNB", {}, CLF, BUNDLED_CLF),
    ("bernoulli-nb", "sklearn.naive_bayes.BernoulliNB", {}, CLF, BUNDLED_CLF + [SYN_C]),
    ("decision-tree", "sklearn.tree.DecisionTreeClassifier", {"random_state": 0}, CLF, BUNDLED_CLF + [SYN_C]),
    ("decision-tree-regressor", "sklearn.tree.DecisionTreeRegressor", {"random_state": 0}, REG, BUNDLED_REG + [SYN_R]),
    ("random-forest", "sklearn.ensemble.RandomForestClassifier", {"random_state": 0}, CLF, BUNDLED_CLF + [SYN_C10]),
    ("random-forest-regressor", "sklearn.ensemble.RandomForestRegressor", {"random_state": 0}, REG, BUNDLED_REG + [SYN_R10]),
    ("extra-trees", "sklearn.ensemble.ExtraTreesClassifier", {"random_state": 0}, CLF, BUNDLED_CLF + [SYN_C10]),
    ("gradient-boosting", "sklearn.ensemble.GradientBoostingClassifier", {"random_state": 0}, CLF, BUNDLED_CLF + [SYN_C10]),
    ("gradient-boosting-regressor", "sklearn.ensemble.GradientBoostingRegressor", {"random_state": 0}, REG, BUNDLED_REG + [SYN_R10]),
    ("hist-gradient-boosting", "sklearn.ensemble.HistGradientBoostingClassifier", {"random_state": 0}, CLF, BUNDLED_CLF + [SYN_C]),
    ("hist-gradient-boosting-regressor", "sklearn.ensemble.HistGradientBoostingRegressor", {"random_state": 0}, REG, BUNDLED_REG + [SYN_R]),
    ("adaboost", "sklearn.ensemble.AdaBoostClassifier", {"random_state": 0}, CLF, BUNDLED_CLF + [SYN_C10]),
    ("svc", "sklearn.svm.SVC", {}, CLF, BUNDLED_CLF + [SYN_C10]),
    ("svr", "sklearn.svm.SVR", {}, REG, BUNDLED_REG + [SYN_R10]),
    ("knn", "sklearn.neighbors.KNeighborsClassifier", {}, CLF, BUNDLED_CLF + [SYN_C10]),
    ("knn-regressor", "sklearn.neighbors.KNeighborsRegressor", {}, REG, BUNDLED_REG + [SYN_R10]),
    ("kmeans", "sklearn.cluster.KMeans", {"n_clusters": 3, "random_state": 0}, CLU, ["iris", "wine", SYN_C]),
    ("kmeans", "sklearn.cluster.KMeans", {"n_clusters": 10, "random_state": 0}, CLU, ["digits"]),
    ("gmm", "sklearn.mixture.GaussianMixture", {"n_components": 3, "random_state": 0}, CLU, ["iris", "wine", SYN_C10]),
    ("dbscan", "sklearn.cluster.DBSCAN", {}, CLU, ["iris", SYN_C10]),
    ("agglomerative", "sklearn.cluster.AgglomerativeClustering", {"n_clusters": 3}, CLU, ["iris", "wine", SYN_C10]),
    ("pca", "sklearn.decomposition.PCA", {"n_components": 2}, TRA, ["digits", "breast_cancer", SYN_C]),
    ("truncated-svd", "sklearn.decomposition.TruncatedSVD", {"random_state": 0}, TRA, ["digits", SYN_C]),
    ("tsne", "sklearn.manifold.TSNE", {"random_state": 0}, TRA, ["iris", "digits"]),
]


def write_datasets(d, quick):
    from sklearn.datasets import make_classification, make_regression
    sets = {}
    for name in BUNDLED_CLF + BUNDLED_REG:
        sets[name] = learn_common.split(name)
    for n, tag in ((100_000, "100k"), (10_000, "10k")):
        if quick and n > 10_000:
            n = 20_000
        xs, ys = make_classification(n_samples=n * 5 // 4, n_features=20, n_informative=10, n_classes=3, random_state=0)
        sets[f"synthetic_clf_{tag}"] = (xs[:n], xs[n:], ys[:n].astype(float), ys[n:].astype(float))
        xr, yr = make_regression(n_samples=n * 5 // 4, n_features=20, n_informative=10, noise=10.0, random_state=0)
        sets[f"synthetic_reg_{tag}"] = (xr[:n], xr[n:], yr[:n], yr[n:])
    for name, (xtr, xte, ytr, yte) in sets.items():
        for part, arr in (("Xtr", xtr), ("Xte", xte), ("ytr", ytr), ("yte", yte)):
            np.save(os.path.join(d, f"{name}_{part}.npy"), np.ascontiguousarray(arr, dtype=np.float64))
    return sets


def sklearn_job(job, sets, runs):
    model, cls, params, kind, dataset = job["model"], job["sklearn"], job["params"], job["kind"], job["dataset"]
    mod, name = cls.rsplit(".", 1)
    est_cls = getattr(importlib.import_module(mod), name)
    xtr, xte, ytr, yte = sets[dataset]
    from sklearn import metrics
    fits, preds, metric = [], [], float("nan")
    for _ in range(runs):
        est = est_cls(**params)
        t = time.perf_counter()
        if kind in (CLF, REG):
            est.fit(xtr, ytr.astype(int) if kind == CLF else ytr)
            fits.append(time.perf_counter() - t)
            t = time.perf_counter(); p = est.predict(xte); preds.append(time.perf_counter() - t)
            metric = metrics.accuracy_score(yte.astype(int), p) if kind == CLF else metrics.r2_score(yte, p)
        elif kind == CLU:
            est.fit(xtr)
            fits.append(time.perf_counter() - t)
            labels = est.labels_ if hasattr(est, "labels_") else est.predict(xtr)
            metric = metrics.adjusted_rand_score(ytr.astype(int), labels)
            if hasattr(est, "predict"):
                t = time.perf_counter(); est.predict(xte); preds.append(time.perf_counter() - t)
        else:
            if name == "TSNE":
                est.fit_transform(xtr); fits.append(time.perf_counter() - t)
            else:
                est.fit(xtr); fits.append(time.perf_counter() - t)
                t = time.perf_counter(); est.transform(xte); preds.append(time.perf_counter() - t)
    return float(np.median(fits)), (float(np.median(preds)) if preds else float("nan")), float(metric)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--filter", default=None, help="comma-separated substrings; a job runs when its id contains any")
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "release", "swiftlearn"))
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--quick", action="store_true", help="20k rows instead of 100k for the large synthetic sets")
    args = ap.parse_args()
    import sklearn, warnings
    warnings.filterwarnings("ignore")  # ConvergenceWarning at scikit-learn's defaults: we time the defaults as they are
    tmp = tempfile.mkdtemp(prefix="compare_learn_")
    sets = write_datasets(tmp, args.quick)
    jobs = []
    for model, cls, params, kind, datasets in JOBS:
        for ds in datasets:
            jid = f"{model}@{ds}" + ("" if model != "kmeans" else f"/k{params['n_clusters']}")
            if args.filter and not any(f in jid for f in args.filter.split(",")):
                continue
            jobs.append({"id": jid, "model": model, "sklearn": cls, "params": params, "kind": kind, "dataset": ds,
                         "task": {CLF: "classification", REG: "regression"}.get(kind, kind)})
    manifest = os.path.join(tmp, "manifest.json")
    with open(manifest, "w") as f:
        json.dump({"data_dir": tmp, "jobs": jobs}, f)
    rows = {j["id"]: {"job": j, "ours": [], "theirs": [], "fit_ratio": [], "pred_ratio": []} for j in jobs}
    for r in range(args.rounds):
        out = subprocess.run([args.binary, "bench", "learn", "--manifest", manifest, "--runs", str(args.runs), "--json"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"swiftlearn bench learn failed:\n{out.stderr}")
        ours = {d["id"]: d for d in map(json.loads, out.stdout.strip().splitlines())}
        for j in jobs:
            fit, pred, metric = sklearn_job(j, sets, args.runs)
            o = ours[j["id"]]
            row = rows[j["id"]]
            row["ours"].append((o["fit_seconds"], o["predict_seconds"], o["metric"]))
            row["theirs"].append((fit, pred, metric))
            row["fit_ratio"].append(fit / o["fit_seconds"])
            if o["predict_seconds"] is not None and pred == pred and o["predict_seconds"] > 0:
                row["pred_ratio"].append(pred / o["predict_seconds"])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    def med(v):
        v = [x for x in v if x is not None and x == x]
        return float(np.median(v)) if v else float("nan")

    header = (f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, python {platform.python_version()}, "
              f"{os.cpu_count()} cpus, runs={args.runs}, rounds={args.rounds}, "
              f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}, {time.strftime('%Y-%m-%d %H:%M')}")
    cols = ["job", "ours fit s", "sklearn fit s", "fit speed-up", "ours predict s", "sklearn predict s", "predict speed-up", "ours metric", "sklearn metric"]
    lines = []
    for jid, row in rows.items():
        o = [med([t[i] for t in row["ours"]]) for i in range(3)]
        t = [med([x[i] for x in row["theirs"]]) for i in range(3)]
        lines.append([jid, f"{o[0]:.4g}", f"{t[0]:.4g}", f"{med(row['fit_ratio']):.2f}×", f"{o[1]:.3g}", f"{t[1]:.3g}",
                      f"{med(row['pred_ratio']):.2f}×" if row["pred_ratio"] else "–", f"{o[2]:.4f}", f"{t[2]:.4f}"])
    if args.markdown:
        print(f"<!-- {header} -->")
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for l in lines:
            print("| " + " | ".join(l) + " |")
    else:
        print(header)
        widths = [max(len(c), *(len(l[i]) for l in lines)) for i, c in enumerate(cols)]
        print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
        for l in lines:
            print("  ".join(v.ljust(w) for v, w in zip(l, widths)))
    fit_ratios = [med(r["fit_ratio"]) for r in rows.values()]
    faster = sum(1 for x in fit_ratios if x >= 1)
    print(f"\nfit: faster than scikit-learn on {faster}/{len(fit_ratios)} jobs; slowest ratio {min(fit_ratios):.2f}×", file=sys.stderr)


if __name__ == "__main__":
    main()
