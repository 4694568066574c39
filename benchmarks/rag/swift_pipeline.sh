#!/usr/bin/env bash
# SwiftLearn's side of the RAG comparison (benchmarks/rag/README.md): index the scikit-learn
# User Guide into a fresh home with all-MiniLM-L6-v2, then score BM25, vector and hybrid
# retrieval on the question set, printing one JSON object (`rag eval --json`).
#   benchmarks/rag/swift_pipeline.sh [CHUNKING]   (default sections:1000; recursive:500:50 matches LangChain's 500/50)
set -euo pipefail
cd "$(dirname "$0")/../.."
chunking=${1:-sections:1000}
bin=${SWIFTLEARN:-.build/release/swiftlearn}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
"$bin" rag index guide data/rag/sklearn-user-guide --embedding models/all-MiniLM-L6-v2 --chunking "$chunking" --home "$home" --json
"$bin" rag eval guide --qa benchmarks/rag/sklearn_qa.jsonl --home "$home" --json
