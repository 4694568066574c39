#!/usr/bin/env python3
"""SwiftLearn `Retrieval` vs faiss-cpu, hnswlib and rank-bm25 on the same data, in one run.

Vectors: 100,000 base + 1,000 query float32 vectors of dimension 384, unit length, made like real
sentence embeddings (whose intrinsic dimension is far below 384): 200 Gaussian cluster centres
(σ = 1) in a 48-dimensional latent space, each point = centre + N(0, 1) latent noise, mapped to
384 dimensions by a fixed N(0, 1/48) matrix, plus N(0, 0.02²) isotropic noise, then normalized.
numpy default_rng(seed) with --seed 2026 (base) and seed+1 (queries). Metric: inner product
(= cosine on unit vectors). Ground truth: exact top-10 by faiss IndexFlatIP.

What is timed, for both sides (medians of --runs):
  * HNSW: M and efConstruction equal; build single-threaded on both sides (faiss with
    omp_set_num_threads(1); ours builds on one thread); queries batched (all 1,000 in one call),
    single-threaded on both sides (faiss omp 1, hnswlib set_num_threads(1), ours --threads 1),
    swept over efSearch. hnswlib is shown for reference.
  * Flat (exact): all 1,000 queries in one call, default threads on both sides (2 cores here).
  * IVF-PQ: nlist=1024, m=48 sub-quantizers × 8 bits, residual encoding, nprobe swept; build
    (train + add) with default threads; queries batched, single-threaded.
  * BM25: rank-bm25 BM25Okapi vs `swiftlearn bench retrieval`: index build + 200 queries (top 10),
    on the same tokens. Corpus: full docstrings of the public functions/classes of the Python
    standard library modules listed below (tokens = re.findall(r"\\w+", lower)).
Ours is timed inside the process (`--json` fields build_seconds / query_seconds), excluding
file reading; faiss is timed around its calls.

Usage:
    swift build -c release
    pip install faiss-cpu==1.15.1 hnswlib==0.8.0 rank-bm25==0.2.2 numpy
    python3 benchmarks/compare_retrieval.py [--binary .build/release/swiftlearn] [--n 100000]
        [--runs 3] [--m 32] [--ef-construction 100] [--ef 32,64,128] [--skip-bm25] [--skip-hnswlib]
"""
import argparse, importlib, inspect, json, os, platform, re, statistics, subprocess, sys, tempfile, time

import numpy as np


def make_vectors(n, d, seed, centres_seed=7):
    crng = np.random.default_rng(centres_seed)
    latent = 48
    centres = crng.standard_normal((200, latent)).astype(np.float32)
    proj = (crng.standard_normal((latent, d)) / np.sqrt(latent)).astype(np.float32)
    rng = np.random.default_rng(seed)
    z = centres[rng.integers(0, 200, n)] + rng.standard_normal((n, latent)).astype(np.float32)
    x = z @ proj + 0.02 * rng.standard_normal((n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x, dtype=np.float32)


def recall(found, truth):
    return float(np.mean([len(set(f[f >= 0]) & set(t)) / len(t) for f, t in zip(found, truth)]))


def run_cli(binary, args):
    out = subprocess.run([binary] + args + ["--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed(fn, runs):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def ours_query(binary, index, queries, k, runs, threads, settings, tmp):
    out = os.path.join(tmp, "ids.npy")
    args = ["index", "query", "--index", index, "--queries", queries, "--k", str(k), "--runs", str(runs),
            "--threads", str(threads), "--output", out]
    if settings:
        args += ["--set"] + settings
    r = run_cli(binary, args)
    return r["query_seconds"], np.load(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/swiftlearn")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--nq", type=int, default=1000)
    ap.add_argument("--d", type=int, default=384)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build-runs", type=int, default=1)
    ap.add_argument("--m", type=int, default=32)
    ap.add_argument("--ef-construction", type=int, default=100)
    ap.add_argument("--ef", default="32,64,128")
    ap.add_argument("--nprobe", default="8,16,32")
    ap.add_argument("--skip-bm25", action="store_true")
    ap.add_argument("--skip-hnswlib", action="store_true")
    ap.add_argument("--only", default="flat,hnsw,ivfpq,bm25")
    a = ap.parse_args()
    import faiss
    only = set(a.only.split(","))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus; faiss {faiss.__version__}; numpy {np.__version__}")
    tmp = tempfile.mkdtemp(prefix="compare_retrieval_")
    base = make_vectors(a.n, a.d, a.seed)
    queries = make_vectors(a.nq, a.d, a.seed + 1)
    bpath, qpath = os.path.join(tmp, "base.npy"), os.path.join(tmp, "queries.npy")
    np.save(bpath, base)
    np.save(qpath, queries)
    k = 10
    exact = faiss.IndexFlatIP(a.d)
    exact.add(base)
    _, truth = exact.search(queries, k)
    rows = []

    def report(name, ours, theirs, extra=""):
        ratio = theirs / ours if ours > 0 else float("nan")
        rows.append((name, ours, theirs, ratio, extra))
        print(f"{name:48s} ours {ours:9.4f}s  ref {theirs:9.4f}s  ref/ours {ratio:6.2f}  {extra}", flush=True)

    if "flat" in only:
        faiss.omp_set_num_threads(os.cpu_count())
        r = run_cli(a.binary, ["index", "build", "--vectors", bpath, "--kind", "flat", "--metric", "ip", "--output", os.path.join(tmp, "flat.idx")])
        ours_s, ids = ours_query(a.binary, os.path.join(tmp, "flat.idx"), qpath, k, a.runs, 0, [], tmp)
        ref_s, (_, fids) = timed(lambda: exact.search(queries, k), a.runs)
        report("flat search 1000 q (batched, all threads)", ours_s, ref_s,
               f"QPS ours {a.nq / ours_s:.0f} faiss {a.nq / ref_s:.0f}; recall ours {recall(ids, truth):.4f} faiss {recall(fids, truth):.4f}")

    if "hnsw" in only:
        faiss.omp_set_num_threads(1)
        idx_path = os.path.join(tmp, "hnsw.idx")
        settings = [f"M={a.m}", f"ef_construction={a.ef_construction}"]
        builds = [run_cli(a.binary, ["index", "build", "--vectors", bpath, "--kind", "hnsw", "--metric", "ip", "--set"] + settings + ["--output", idx_path])["build_seconds"]
                  for _ in range(a.build_runs)]
        ours_build = statistics.median(builds)

        def faiss_build():
            index = faiss.IndexHNSWFlat(a.d, a.m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = a.ef_construction
            index.add(base)
            return index
        ref_build, hnsw = timed(faiss_build, a.build_runs)
        report(f"HNSW build M={a.m} efC={a.ef_construction} (1 thread)", ours_build, ref_build)
        hl = None
        if not a.skip_hnswlib:
            import hnswlib
            hl = hnswlib.Index(space="ip", dim=a.d)
            t = time.perf_counter()
            hl.init_index(max_elements=a.n, M=a.m, ef_construction=a.ef_construction, random_seed=1)
            hl.set_num_threads(1)
            hl.add_items(base, np.arange(a.n))
            print(f"  hnswlib build (1 thread): {time.perf_counter() - t:.2f}s")
        for ef in [int(e) for e in a.ef.split(",")]:
            ours_s, ids = ours_query(a.binary, idx_path, qpath, k, a.runs, 1, [f"ef_search={ef}"], tmp)
            hnsw.hnsw.efSearch = ef
            ref_s, (_, fids) = timed(lambda: hnsw.search(queries, k), a.runs)
            extra = f"QPS ours {a.nq / ours_s:.0f} faiss {a.nq / ref_s:.0f}; recall@10 ours {recall(ids, truth):.4f} faiss {recall(fids, truth):.4f}"
            if hl is not None:
                hl.set_ef(ef)
                hs, (hids, _) = timed(lambda: hl.knn_query(queries, k=k), a.runs)
                extra += f"; hnswlib QPS {a.nq / hs:.0f} recall {recall(hids, truth):.4f}"
            report(f"HNSW query ef={ef} (batched, 1 thread)", ours_s, ref_s, extra)

    if "ivfpq" in only:
        faiss.omp_set_num_threads(os.cpu_count())
        idx_path = os.path.join(tmp, "ivfpq.idx")
        r = run_cli(a.binary, ["index", "build", "--vectors", bpath, "--kind", "ivfpq", "--metric", "ip", "--set", "nlist=1024", "m=48", "--output", idx_path])

        def faiss_build():
            q = faiss.IndexFlatIP(a.d)
            index = faiss.IndexIVFPQ(q, a.d, 1024, 48, 8, faiss.METRIC_INNER_PRODUCT)
            index.train(base)
            index.add(base)
            return index
        ref_build, ivfpq = timed(faiss_build, 1)
        report("IVF-PQ build nlist=1024 m=48 (train+add, all threads)", r["build_seconds"], ref_build)
        faiss.omp_set_num_threads(1)
        for nprobe in [int(p) for p in a.nprobe.split(",")]:
            ours_s, ids = ours_query(a.binary, idx_path, qpath, k, a.runs, 1, [f"nprobe={nprobe}"], tmp)
            ivfpq.nprobe = nprobe
            ref_s, (_, fids) = timed(lambda: ivfpq.search(queries, k), a.runs)
            report(f"IVF-PQ query nprobe={nprobe} (batched, 1 thread)", ours_s, ref_s,
                   f"QPS ours {a.nq / ours_s:.0f} faiss {a.nq / ref_s:.0f}; recall@10 ours {recall(ids, truth):.4f} faiss {recall(fids, truth):.4f}")

    if "bm25" in only and not a.skip_bm25:
        import rank_bm25
        docs = []
        for name in sorted(sys.stdlib_module_names):
            if name.startswith("_") or name in ("antigravity", "this", "idlelib", "turtledemo", "tkinter", "turtle"):
                continue
            try:
                mod = importlib.import_module(name)
            except Exception:
                continue
            for attr in sorted(dir(mod)):
                if attr.startswith("_"):
                    continue
                try:
                    doc = inspect.getdoc(getattr(mod, attr))
                except Exception:
                    continue
                if doc:
                    toks = re.findall(r"\w+", doc.lower())
                    if len(toks) >= 3:
                        docs.append(toks)
        rng = np.random.default_rng(a.seed)
        vocab = sorted({t for d in docs for t in d})
        qs = [[vocab[i] for i in rng.integers(0, len(vocab), 3)] for _ in range(200)]
        cpath, qspath = os.path.join(tmp, "corpus.json"), os.path.join(tmp, "bm25q.json")
        json.dump(docs, open(cpath, "w"))
        json.dump(qs, open(qspath, "w"))
        r = run_cli(a.binary, ["bench", "retrieval", "--corpus", cpath, "--queries", qspath, "--k", "10", "--runs", str(a.runs)])
        ref_index, model = timed(lambda: rank_bm25.BM25Okapi(docs), a.runs)
        ref_query, _ = timed(lambda: [np.argsort(model.get_scores(q))[::-1][:10] for q in qs], max(1, a.runs // 2))
        report(f"BM25 index {len(docs)} docs", r["index_seconds"], ref_index)
        report("BM25 200 queries", r["query_seconds"], ref_query)
        report("BM25 index + 200 queries", r["index_seconds"] + r["query_seconds"], ref_index + ref_query)

    print("\n| benchmark | SwiftLearn (s) | reference (s) | ref/ours | notes |\n|---|---|---|---|---|")
    for name, o, t, ratio, extra in rows:
        print(f"| {name} | {o:.4f} | {t:.4f} | {ratio:.2f} | {extra} |")


if __name__ == "__main__":
    main()
