#!/usr/bin/env python3
"""Reference RAG retrieval pipeline built the way a LangChain user would build it, scored on the
SwiftLearn RAG question set (benchmarks/rag/sklearn_qa.jsonl) with the same relevance rule and
metrics as the Swift side, and timed.

Pipeline:
  * Loading: each corpus page (*.html) is parsed with BeautifulSoup (features="lxml", the
    BSHTMLLoader default) and turned into one Document whose text is `get_text()` with the empty
    separator, exactly what langchain_community's BSHTMLLoader does, except that by default
    get_text() is called on the article element only (the element with role="main", the same
    element scripts/rag/check_qa.py reads; the whole page when there is none) instead of on the
    whole soup. bs4 leaves <script>/<style> text out of get_text(). `--whole-page` uses
    BSHTMLLoader itself, unmodified (navigation, sidebar and footer text included).
    metadata: {"source": file name, "title": <title>}.
  * Chunking: langchain_text_splitters.RecursiveCharacterTextSplitter(chunk_size=500,
    chunk_overlap=50) with its default separators; each chunk gets metadata chunk_id (its index
    in the whole index, pages in file-name order).
  * Embeddings: sentence-transformers/all-MiniLM-L6-v2 through langchain_huggingface's
    HuggingFaceEmbeddings, loaded from a local folder (--model, default models/all-MiniLM-L6-v2
    as made by scripts/fetch_models.sh; never from the Hub: HF_HUB_OFFLINE=1), on CPU,
    normalize_embeddings=True, batch size 32. torch.set_num_threads(--threads, default 2).
  * Vector store: langchain_community FAISS with DistanceStrategy.MAX_INNER_PRODUCT, i.e. a
    faiss IndexFlatIP over unit vectors = exact cosine similarity.
  * BM25: langchain_community BM25Retriever (rank_bm25.BM25Okapi, k1=1.5, b=0.75) with its
    default preprocess_func (str.split: case-sensitive whitespace tokens) unless
    --bm25-preprocess words (lowercased letter/digit runs, like the relevance rule).
  * Hybrid: langchain_classic EnsembleRetriever([bm25, vector], weights=[0.5, 0.5]): weighted
    reciprocal rank fusion (c=60) of the two top-10 lists; its first 10 results are scored.

Relevance rule (shared with the Swift side): a retrieved chunk is relevant to an answerable
question when it comes from the question's source page and the longest run of consecutive
passage tokens that also occurs as a consecutive run in the chunk's tokens covers at least 60%
of the passage's tokens (integer test: 5 * run >= 3 * len(passage tokens)). Tokens: lowercase,
maximal runs of Unicode letters/digits (Python: re.findall(r"[^\\W_]+", text.lower())).

Metrics, over the answerable questions, for the ranked top-10 list of each mode:
  hit@k (k = 1, 3, 5, 10): 1 if any of the first k chunks is relevant;
  recall@k: relevant chunks among the first k / R, where R = number of chunks of the whole index
    that satisfy the rule for that question, at least 1;
  MRR@10: 1 / rank of the first relevant chunk, 0 if none in the first 10;
  nDCG@10: binary gains, DCG = sum over ranks r <= 10 of rel_r / log2(r + 1), divided by the DCG
    of min(R, 10) relevant chunks at the top.
Each is averaged over the answerable questions. All questions (answerable and unanswerable) are
retrieved for the timing.

Timings (wall clock, time.perf_counter; model loading is reported apart and not included):
  load_s (read + parse the pages), chunk_s, embed_index_s (embed every chunk + build FAISS),
  bm25_build_s; per mode indexing_s = load_s + chunk_s + what the mode needs
  (bm25: bm25_build_s; vector: embed_index_s; hybrid: both) and query_s = retrieving the top 10
  for every question, one question at a time (vector/hybrid include embedding the question),
  after an untimed warm-up pass that embeds every question once (query_warmup_s; torch's CPU
  kernels are much slower the first time they see an input shape; --no-warmup skips it).

Usage:
    python3 -m venv /tmp/ragvenv
    /tmp/ragvenv/bin/pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
    /tmp/ragvenv/bin/pip install -r benchmarks/rag/requirements.txt
    scripts/rag/fetch_corpus.sh && scripts/fetch_models.sh
    /tmp/ragvenv/bin/python benchmarks/rag/compare_langchain.py [--corpus DIR] [--qa FILE]
        [--model DIR] [--modes bm25,vector,hybrid] [--threads 2] [--whole-page]
        [--bm25-preprocess split|words] [--no-warmup] [--dump-ranks FILE] [--json]
"""
import argparse
import json
import math
import os
import platform
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KS = (1, 3, 5, 10)
TOP = 10
RRF_WEIGHTS = [0.5, 0.5]


def tokens(text):
    """Relevance-rule tokens: maximal runs of Unicode letters/digits, lowercased."""
    return re.findall(r"[^\W_]+", text.lower())


def longest_common_run(passage, chunk):
    """Length of the longest run of consecutive passage tokens found consecutively in chunk."""
    if not passage or not chunk:
        return 0
    best = 0
    prev = [0] * (len(chunk) + 1)
    for p in passage:
        cur = [0] * (len(chunk) + 1)
        for j, c in enumerate(chunk, 1):
            if p == c:
                v = prev[j - 1] + 1
                cur[j] = v
                if v > best:
                    best = v
        prev = cur
    return best


def is_relevant(passage_toks, chunk_toks, chunk_set=None):
    n = len(passage_toks)
    need = -(-3 * n // 5)  # smallest run with 5 * run >= 3 * n
    if chunk_set is not None and sum(1 for t in passage_toks if t in chunk_set) < need:
        return False  # fewer than `need` passage positions have their token in the chunk at all
    return 5 * longest_common_run(passage_toks, chunk_toks) >= 3 * n


def load_questions(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_documents(corpus, whole_page):
    from langchain_core.documents import Document
    from langchain_community.document_loaders import BSHTMLLoader
    from bs4 import BeautifulSoup

    names = sorted(n for n in os.listdir(corpus) if n.endswith(".html"))
    docs = []
    for name in names:
        path = os.path.join(corpus, name)
        if whole_page:
            for d in BSHTMLLoader(path, open_encoding="utf-8").load():
                d.metadata["source"] = name
                docs.append(d)
            continue
        with open(path, encoding="utf-8") as f:
            soup = BeautifulSoup(f, features="lxml")
        main = soup.select_one('[role="main"]') or soup
        title = str(soup.title.string) if soup.title else ""
        docs.append(Document(page_content=main.get_text(""), metadata={"source": name, "title": title}))
    return docs


def versions():
    from importlib import metadata
    out = {"python": platform.python_version()}
    for pkg in ("langchain-core", "langchain-classic", "langchain-community", "langchain-text-splitters",
                "langchain-huggingface", "sentence-transformers", "transformers", "torch", "faiss-cpu",
                "rank-bm25", "beautifulsoup4", "lxml", "numpy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=os.path.join(ROOT, "data/rag/sklearn-user-guide"))
    ap.add_argument("--qa", default=os.path.join(ROOT, "benchmarks/rag/sklearn_qa.jsonl"))
    ap.add_argument("--model", default=os.path.join(ROOT, "models/all-MiniLM-L6-v2"))
    ap.add_argument("--modes", default="bm25,vector,hybrid")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=500)
    ap.add_argument("--chunk-overlap", type=int, default=50)
    ap.add_argument("--whole-page", action="store_true", help="BSHTMLLoader on the whole page")
    ap.add_argument("--bm25-preprocess", choices=("split", "words"), default="split")
    ap.add_argument("--no-warmup", action="store_true", help="skip the untimed pass that embeds every question once")
    ap.add_argument("--dump-ranks", metavar="FILE", help="write per-question ranked chunk ids as JSON lines")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args()

    modes = [m for m in args.modes.split(",") if m]
    bad = set(modes) - {"bm25", "vector", "hybrid"}
    if bad:
        sys.exit(f"unknown mode(s): {', '.join(sorted(bad))}")
    if not os.path.isdir(args.corpus):
        sys.exit(f"corpus folder {args.corpus} not found: run scripts/rag/fetch_corpus.sh")
    need_model = any(m in ("vector", "hybrid") for m in modes)
    if need_model and not os.path.isfile(os.path.join(args.model, "model.safetensors")):
        sys.exit(f"model folder {args.model} not found: run scripts/fetch_models.sh (or pass --model)")

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    torch.set_num_threads(args.threads)
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from langchain_community.retrievers import BM25Retriever

    questions = load_questions(args.qa)
    answerable = [q for q in questions if q.get("source")]

    t0 = time.perf_counter()
    pages = load_documents(args.corpus, args.whole_page)
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=args.chunk_size, chunk_overlap=args.chunk_overlap)
    chunks = splitter.split_documents(pages)
    for i, c in enumerate(chunks):
        c.metadata["chunk_id"] = i
    chunk_s = time.perf_counter() - t0

    timings = {"load_s": load_s, "chunk_s": chunk_s}
    retrievers = {}
    if need_model:
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_community.vectorstores import FAISS
        from langchain_community.vectorstores.utils import DistanceStrategy
        t0 = time.perf_counter()
        embeddings = HuggingFaceEmbeddings(
            model_name=args.model, model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, "batch_size": 32})
        timings["model_load_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        store = FAISS.from_documents(chunks, embeddings, distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT)
        timings["embed_index_s"] = time.perf_counter() - t0
        retrievers["vector"] = store.as_retriever(search_kwargs={"k": TOP})
    if any(m in ("bm25", "hybrid") for m in modes):
        kwargs = {"k": TOP}
        if args.bm25_preprocess == "words":
            kwargs["preprocess_func"] = tokens
        t0 = time.perf_counter()
        retrievers["bm25"] = BM25Retriever.from_documents(chunks, **kwargs)
        timings["bm25_build_s"] = time.perf_counter() - t0
    if "hybrid" in modes:
        from langchain_classic.retrievers import EnsembleRetriever
        retrievers["hybrid"] = EnsembleRetriever(
            retrievers=[retrievers["bm25"], retrievers["vector"]], weights=RRF_WEIGHTS)

    # Relevant chunks per answerable question, over the whole index.
    chunk_toks = [tokens(c.page_content) for c in chunks]
    chunk_sets = [set(t) for t in chunk_toks]
    by_source = {}
    for c in chunks:
        by_source.setdefault(c.metadata["source"], []).append(c.metadata["chunk_id"])
    relevant = {}
    for q in answerable:
        pt = tokens(q["passage"])
        relevant[q["id"]] = {i for i in by_source.get(q["source"], [])
                             if is_relevant(pt, chunk_toks[i], chunk_sets[i])}
    no_relevant = sorted(qid for qid, r in relevant.items() if not r)

    if need_model and not args.no_warmup:
        # torch's CPU kernels are slow the first time they meet a new input shape; embedding
        # every question once, untimed, keeps that one-off cost out of the first mode's query_s.
        t0 = time.perf_counter()
        for q in questions:
            embeddings.embed_query(q["question"])
        timings["query_warmup_s"] = time.perf_counter() - t0

    results, ranks_dump = {}, {}
    for mode in modes:
        retriever = retrievers[mode]
        ranked = {}
        t0 = time.perf_counter()
        for q in questions:
            docs = retriever.invoke(q["question"])[:TOP]
            ranked[q["id"]] = [d.metadata["chunk_id"] for d in docs]
        query_s = time.perf_counter() - t0
        idx = load_s + chunk_s + (timings.get("bm25_build_s", 0) if mode in ("bm25", "hybrid") else 0) \
            + (timings.get("embed_index_s", 0) if mode in ("vector", "hybrid") else 0)
        sums = {f"hit@{k}": 0.0 for k in KS}
        sums.update({f"recall@{k}": 0.0 for k in KS})
        sums.update({"mrr@10": 0.0, "ndcg@10": 0.0})
        for q in answerable:
            rel = relevant[q["id"]]
            total = max(len(rel), 1)
            flags = [1 if i in rel else 0 for i in ranked[q["id"]]]
            for k in KS:
                got = sum(flags[:k])
                sums[f"hit@{k}"] += 1.0 if got else 0.0
                sums[f"recall@{k}"] += got / total
            first = next((r for r, f in enumerate(flags, 1) if f), None)
            sums["mrr@10"] += 1.0 / first if first else 0.0
            dcg = sum(f / math.log2(r + 1) for r, f in enumerate(flags, 1))
            idcg = sum(1.0 / math.log2(r + 1) for r in range(1, min(total, TOP) + 1))
            sums["ndcg@10"] += dcg / idcg
        n = max(len(answerable), 1)
        results[mode] = {k: round(v / n, 4) for k, v in sums.items()}
        results[mode]["indexing_s"] = round(idx, 3)
        results[mode]["query_s"] = round(query_s, 3)
        results[mode]["query_ms_per_question"] = round(1000 * query_s / max(len(questions), 1), 2)
        ranks_dump[mode] = ranked

    if args.dump_ranks:
        with open(args.dump_ranks, "w", encoding="utf-8") as f:
            for q in questions:
                f.write(json.dumps({"id": q["id"], "relevant": sorted(relevant.get(q["id"], [])),
                                    **{m: ranks_dump[m][q["id"]] for m in modes}}) + "\n")

    out = {
        "corpus": os.path.abspath(args.corpus),
        "qa": os.path.abspath(args.qa),
        "loader": "BSHTMLLoader (whole page)" if args.whole_page else "BeautifulSoup get_text() of [role=main]",
        "pages": len(pages),
        "chunks": len(chunks),
        "chunk_size": args.chunk_size,
        "chunk_overlap": args.chunk_overlap,
        "questions": len(questions),
        "answerable": len(answerable),
        "answerable_without_relevant_chunk": no_relevant,
        "mean_relevant_chunks_per_question": round(sum(len(r) for r in relevant.values()) / max(len(answerable), 1), 3),
        "model": os.path.abspath(args.model) if need_model else None,
        "bm25_preprocess": args.bm25_preprocess,
        "threads": args.threads,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "modes": results,
        "versions": versions(),
        "loadavg": list(os.getloadavg()),
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"corpus {out['corpus']}: {out['pages']} pages -> {out['chunks']} chunks "
          f"(size {CHUNK_SIZE}, overlap {CHUNK_OVERLAP}; loader: {out['loader']})")
    print(f"questions: {out['questions']} ({out['answerable']} answerable); answerable without any "
          f"relevant chunk in the index: {len(no_relevant)} {' '.join(no_relevant)}")
    print("timings: " + ", ".join(f"{k} {v:.2f}" for k, v in out["timings"].items()))
    cols = [f"hit@{k}" for k in KS] + [f"recall@{k}" for k in KS] + ["mrr@10", "ndcg@10", "indexing_s", "query_s"]
    print(f"{'mode':8}" + "".join(f"{c:>11}" for c in cols))
    for mode, r in results.items():
        print(f"{mode:8}" + "".join(f"{r[c]:>11.4g}" for c in cols))
    print(f"load average {out['loadavg']}, {out['cpus']} CPUs, torch threads {args.threads}")


if __name__ == "__main__":
    main()
