#!/usr/bin/env bash
# Puts the RAG evaluation corpus into DEST (default data/rag/sklearn-user-guide, ignored by git):
# the 45 pages of the scikit-learn 1.2.1 User Guide, html/modules/*.html (flat, names kept; not
# the modules/generated/ API pages), from Debian's python-sklearn-doc 1.2.1+dfsg-1 (BSD-3-Clause),
# plus the package's copyright file as DEST/COPYRIGHT.
#
# Usage: scripts/rag/fetch_corpus.sh [DEST]
#   Needs apt-get (no root: `apt-get download` only fetches the .deb) and dpkg-deb.
#   SKLEARN_DOC_DEB=/path/to/python-sklearn-doc_1.2.1+dfsg-1_all.deb uses that file instead of
#   downloading (its SHA-256 is checked all the same).
# Idempotent: when DEST already holds the pages from this exact .deb (DEST/.source records the
# hash and the page count matches) it does nothing; otherwise it replaces DEST's *.html and
# COPYRIGHT with fresh copies.
set -euo pipefail

PACKAGE=python-sklearn-doc
VERSION=1.2.1+dfsg-1
DEB_NAME="${PACKAGE}_${VERSION}_all.deb"
DEB_SHA256=4e244556326064e87e7563e3e544c2288d44b5719db2d7b3a85c9a84ae93488d
PAGES=45
DOC=usr/share/doc/$PACKAGE

die() { echo "fetch_corpus: error: $*" >&2; exit 1; }

# DEST given on the command line is taken relative to the current folder; the default is
# relative to the repository root.
if [ $# -ge 1 ]; then
    DEST=$(realpath -m -- "$1")
else
    DEST=$(realpath -m -- "$(dirname "$0")/../../data/rag/sklearn-user-guide")
fi

if [ -f "$DEST/.source" ] && grep -qx "sha256 $DEB_SHA256" "$DEST/.source" \
    && [ -f "$DEST/COPYRIGHT" ] \
    && [ "$(find "$DEST" -maxdepth 1 -name '*.html' | wc -l)" -eq "$PAGES" ]; then
    echo "fetch_corpus: $DEST already holds the $PAGES pages of $PACKAGE $VERSION; nothing to do"
    exit 0
fi

command -v dpkg-deb >/dev/null || die "dpkg-deb not found (install dpkg)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${SKLEARN_DOC_DEB:-}" ]; then
    [ -f "$SKLEARN_DOC_DEB" ] || die "SKLEARN_DOC_DEB=$SKLEARN_DOC_DEB is not a file"
    cp "$SKLEARN_DOC_DEB" "$tmp/$DEB_NAME"
    echo "fetch_corpus: using $SKLEARN_DOC_DEB"
else
    command -v apt-get >/dev/null || die "apt-get not found (or set SKLEARN_DOC_DEB to the .deb)"
    echo "fetch_corpus: apt-get download $PACKAGE=$VERSION"
    # apt warns that it downloads unsandboxed when the _apt user cannot write to the folder;
    # that is harmless here (the hash is checked below).
    if ! (cd "$tmp" && apt-get download -q "$PACKAGE=$VERSION" 2>"$tmp/apt.err" >/dev/null); then
        grep -v '^W: Download is performed unsandboxed' "$tmp/apt.err" >&2 || true
        die "apt-get download $PACKAGE=$VERSION failed (run apt-get update? is $VERSION still in the archive?)"
    fi
fi
[ -f "$tmp/$DEB_NAME" ] || die "$DEB_NAME not found after download"

actual=$(sha256sum "$tmp/$DEB_NAME" | cut -d' ' -f1)
[ "$actual" = "$DEB_SHA256" ] || die "SHA-256 mismatch for $DEB_NAME: expected $DEB_SHA256, got $actual"
echo "fetch_corpus: SHA-256 OK ($DEB_SHA256)"

dpkg-deb -x "$tmp/$DEB_NAME" "$tmp/x" || die "dpkg-deb -x failed"
src="$tmp/x/$DOC/html/modules"
n=$(find "$src" -maxdepth 1 -name '*.html' | wc -l)
[ "$n" -eq "$PAGES" ] || die "expected $PAGES pages in $DOC/html/modules, found $n"
[ -f "$tmp/x/$DOC/copyright" ] || die "$DOC/copyright missing from the package"

mkdir -p "$DEST" || die "cannot create $DEST"
find "$DEST" -maxdepth 1 -name '*.html' -delete
rm -f "$DEST/COPYRIGHT" "$DEST/.source"
cp "$src"/*.html "$DEST"/
cp "$tmp/x/$DOC/copyright" "$DEST/COPYRIGHT"
printf 'package %s\nversion %s\nsha256 %s\n' "$PACKAGE" "$VERSION" "$DEB_SHA256" > "$DEST/.source"
echo "fetch_corpus: copied $PAGES pages ($DOC/html/modules/*.html) and COPYRIGHT into $DEST"
