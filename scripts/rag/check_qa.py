#!/usr/bin/env python3
"""Validates the RAG question set (benchmarks/rag/sklearn_qa.jsonl) against the corpus.

Usage:
    python3 scripts/rag/check_qa.py CORPUS_DIR QA_FILE [--absent-terms FILE] [--dump-text DIR]

CORPUS_DIR is the folder made by scripts/rag/fetch_corpus.sh (the User Guide's modules/*.html).
Standard library only.

Visible text (the rule used here, and by the Swift side's loader):
  * Only the article body counts: the element that carries role="main" (in these Sphinx pages
    `<div class="sk-page-content container-fluid body px-md-3" role="main">`), up to its closing
    tag. The navigation bar (<nav id="navbar">), the sidebar (div#sk-sidebar-wrapper) and the
    footer (<footer class="sk-content-footer">) are all outside it, so they are dropped. A page
    without such an element (modules/model_persistence.html is a redirect stub) falls back to
    its <body>.
  * Inside it, text of <script>, <style> and <template> elements is dropped, and so is the "¶"
    of Sphinx's permalink anchors (<a class="headerlink">).
  * Block-level tags (p, div, li, td, h1..h6, pre, br, ...) start a new line so that words of
    adjacent cells or items never run together; inline tags (span, code, a, em, ...) do not.
  * Character references are decoded (html.parser's convert_charrefs).

Normalization for the "passage is in the page" check: lowercase, then every run of characters
that are not alphanumeric (Python's str.isalnum: Unicode letters and digits) becomes one space.
The passage must be a substring of the page's text, both normalized, on token boundaries.

Checks, each failure reported and counted (exit status 1 if any):
  * every line is a JSON object with exactly the keys id, question, answer, source, passage;
  * ids are unique; answerable ids look like q001, unanswerable ones like u001;
  * answerable: question, answer, source, passage non-empty strings; source is a file name in
    CORPUS_DIR; passage has 8 to 60 word tokens and is found in the source's visible text;
    the answer is found in the passage (answers are extractive spans);
  * unanswerable: answer, source and passage are all null;
  * with --absent-terms FILE (JSON {"u001": ["term", ...], ...}): every unanswerable question has
    an entry and none of its terms occurs in the visible text of any page (normalized, on token
    boundaries).
Reported: counts, pages covered (answerable questions per page), and the share of answerable
questions whose question shares a run of 4 consecutive word tokens with their passage (the
paraphrase measure; tokens as in the relevance rule: maximal runs of letters/digits, lowercased).
"""
import argparse
import collections
import html.parser
import json
import os
import re
import sys

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
}
SKIP_TAGS = {"script", "style", "template"}


class _VisibleText(html.parser.HTMLParser):
    """Collects the visible text of the role="main" element (or of <body> as a fallback)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.main_parts, self.body_parts = [], []
        self.main_depth = 0      # open elements inside (and including) the main element
        self.main_seen = False
        self.in_body = False
        self.skip = []           # stack of tags whose text is dropped (script, style, headerlink)

    def _emit(self, s):
        if self.main_depth:
            self.main_parts.append(s)
        if self.in_body:
            self.body_parts.append(s)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.in_body = True
        if self.main_depth:
            if tag not in VOID_TAGS:
                self.main_depth += 1
        elif not self.main_seen and a.get("role") == "main" and tag not in VOID_TAGS:
            self.main_depth, self.main_seen = 1, True
        if tag in SKIP_TAGS or (tag == "a" and "headerlink" in (a.get("class") or "").split()):
            self.skip.append(tag)
        if tag in BLOCK_TAGS:
            self._emit("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag):
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()
        if tag in BLOCK_TAGS:
            self._emit("\n")
        if self.main_depth and tag not in VOID_TAGS:
            self.main_depth -= 1
        if tag == "body":
            self.in_body = False

    def handle_data(self, data):
        if not self.skip:
            self._emit(data)


def visible_text(html_source):
    """The page's visible article text (see the module docstring), whitespace tidied."""
    p = _VisibleText()
    p.feed(html_source)
    p.close()
    raw = "".join(p.main_parts if p.main_seen else p.body_parts)
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", ln).strip() for ln in raw.split("\n"))
    return "\n".join(ln for ln in lines if ln)


def tokens(text):
    """Word tokens: maximal runs of Unicode letters/digits (str.isalnum), lowercased."""
    return re.findall(r"[^\W_]+", text.lower())


def normalize(text):
    """Lowercase; each run of non-alphanumeric characters becomes one space; trimmed."""
    return " ".join(tokens(text))


def contains_normalized(haystack_norm, needle):
    n = normalize(needle)
    return bool(n) and f" {n} " in f" {haystack_norm} "


def ngrams(toks, n):
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def load_corpus(corpus_dir):
    pages = {}
    for name in sorted(os.listdir(corpus_dir)):
        if name.endswith(".html"):
            with open(os.path.join(corpus_dir, name), encoding="utf-8") as f:
                pages[name] = visible_text(f.read())
    return pages


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus_dir")
    ap.add_argument("qa_file")
    ap.add_argument("--absent-terms", help="JSON object: unanswerable id -> terms absent from the corpus")
    ap.add_argument("--dump-text", metavar="DIR", help="also write each page's visible text to DIR/NAME.txt")
    args = ap.parse_args()

    if not os.path.isdir(args.corpus_dir):
        print(f"error: corpus folder {args.corpus_dir} not found (run scripts/rag/fetch_corpus.sh)")
        return 1
    pages = load_corpus(args.corpus_dir)
    if not pages:
        print(f"error: no .html files in {args.corpus_dir}")
        return 1
    if args.dump_text:
        os.makedirs(args.dump_text, exist_ok=True)
        for name, text in pages.items():
            with open(os.path.join(args.dump_text, name[:-5] + ".txt"), "w", encoding="utf-8") as f:
                f.write(text + "\n")
    norm_pages = {name: normalize(text) for name, text in pages.items()}

    errors = []
    seen = set()
    answerable, unanswerable = [], []
    keys = {"id", "question", "answer", "source", "passage"}
    with open(args.qa_file, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for ln, line in enumerate(lines, 1):
        where = f"line {ln}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: not JSON ({e})")
            continue
        if not isinstance(q, dict) or set(q) != keys:
            errors.append(f"{where}: expected an object with keys {sorted(keys)}")
            continue
        qid = q["id"]
        where = f"line {ln} ({qid})"
        if not isinstance(qid, str) or not re.fullmatch(r"[qu]\d{3,}", qid):
            errors.append(f"{where}: id must look like q001 or u001")
            continue
        if qid in seen:
            errors.append(f"{where}: duplicate id")
        seen.add(qid)
        if not isinstance(q["question"], str) or not q["question"].strip():
            errors.append(f"{where}: empty question")
        if qid.startswith("u"):
            if any(q[k] is not None for k in ("answer", "source", "passage")):
                errors.append(f"{where}: unanswerable questions have answer, source, passage null")
            unanswerable.append(q)
            continue
        bad = [k for k in ("answer", "source", "passage") if not isinstance(q[k], str) or not q[k].strip()]
        if bad:
            errors.append(f"{where}: {', '.join(bad)} must be non-empty strings")
            continue
        answerable.append(q)
        if q["source"] not in pages:
            errors.append(f"{where}: source {q['source']} is not a page of the corpus")
            continue
        n = len(tokens(q["passage"]))
        if not 8 <= n <= 60:
            errors.append(f"{where}: passage has {n} word tokens (8 to 60 allowed)")
        if not contains_normalized(norm_pages[q["source"]], q["passage"]):
            errors.append(f"{where}: passage not found in the visible text of {q['source']}")
        if not contains_normalized(normalize(q["passage"]), q["answer"]):
            errors.append(f"{where}: answer not found in the passage")

    if args.absent_terms:
        with open(args.absent_terms, encoding="utf-8") as f:
            absent = json.load(f)
        for q in unanswerable:
            terms = absent.get(q["id"])
            if not terms:
                errors.append(f"{q['id']}: no entry in {args.absent_terms}")
                continue
            for term in terms:
                hits = [name for name, t in norm_pages.items() if contains_normalized(t, term)]
                if hits:
                    errors.append(f"{q['id']}: term {term!r} occurs in {', '.join(hits[:5])}")
        extra = sorted(set(absent) - {q["id"] for q in unanswerable})
        if extra:
            errors.append(f"{args.absent_terms}: ids not in the QA file: {', '.join(extra)}")

    per_page = collections.Counter(q["source"] for q in answerable if q["source"] in pages)
    overlap = [q["id"] for q in answerable
               if ngrams(tokens(q["question"]), 4) & ngrams(tokens(q["passage"]), 4)]
    print(f"corpus: {len(pages)} pages in {args.corpus_dir}")
    print(f"questions: {len(answerable) + len(unanswerable)} "
          f"({len(answerable)} answerable, {len(unanswerable)} unanswerable)")
    print(f"pages covered by answerable questions: {len(per_page)} of {len(pages)}")
    print("  " + ", ".join(f"{name[:-5]} {c}" for name, c in sorted(per_page.items())))
    uncovered = sorted(set(pages) - set(per_page))
    print(f"pages not covered: {', '.join(n[:-5] for n in uncovered) or 'none'}")
    if answerable:
        share = len(overlap) / len(answerable)
        print(f"questions sharing a 4-word run with their passage: {len(overlap)} of "
              f"{len(answerable)} ({share:.1%})")
    if args.absent_terms:
        print(f"absent-term check: {len(unanswerable)} unanswerable questions")
    if errors:
        print(f"FAILED: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
