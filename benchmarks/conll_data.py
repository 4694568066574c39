"""CoNLL-2003 files for the tagging benchmarks (scripts/data/fetch_conll2003.sh puts them in data/conll2003/)."""
import os

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "conll2003")


def read(path):
    """Sentences as lists of token rows (the whitespace-separated columns); -DOCSTART- lines skipped."""
    sentences, current = [], []
    for line in open(path, encoding="utf8"):
        cols = line.split()
        if not cols or cols[0] == "-DOCSTART-":
            if current:
                sentences.append(current); current = []
            continue
        current.append(cols)
    if current:
        sentences.append(current)
    return sentences
