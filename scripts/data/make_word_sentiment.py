#!/usr/bin/env python3
"""Builds the bundled instruction set `word_sentiment` from the VADER sentiment lexicon.

Source: PyPI vaderSentiment 3.3.2 (MIT licence), file vaderSentiment/vader_lexicon.txt: 7,517
tokens, each with the mean and standard deviation of ten human ratings from -4 (extremely
negative) to +4 (extremely positive). Kept: lowercase alphabetic words (no emoticons or
abbreviations with digits) whose raters agree clearly: |mean| >= 2.0 and standard deviation
<= 1.0. They are shuffled with a fixed seed and split 2 : 1 into train and test. Each becomes one
instruction: the prompt asks for the word's sentiment in one word, the completion is `positive` or
`negative` (the sign of the mean).

Usage:  pip download --no-deps vaderSentiment==3.3.2 && unzip vaderSentiment-3.3.2-py2.py3-none-any.whl
        python3 scripts/data/make_word_sentiment.py vaderSentiment/vader_lexicon.txt
Writes Sources/Datasets/Data/instructions/word_sentiment_{train,test}.jsonl (checksums in SOURCES.md).
"""
import hashlib
import json
import os
import random
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "Datasets", "Data", "instructions")
PROMPT = 'What is the sentiment of the word "{}"? Answer with one word: positive or negative.'


def main():
    lexicon = sys.argv[1]
    digest = hashlib.sha256(open(lexicon, "rb").read()).hexdigest()
    assert digest == "1ec9c6e9ee19aade328f8beb393a6afa71a5bb3acf7d3cc22d4ef568df374bf5", f"unexpected lexicon {digest}"
    words = []
    for line in open(lexicon, encoding="utf-8"):
        token, mean, std = line.split("\t")[:3]
        mean, std = float(mean), float(std)
        if token.isalpha() and token.islower() and token.isascii() and abs(mean) >= 2.0 and std <= 1.0:
            words.append((token, "positive" if mean > 0 else "negative"))
    random.Random(20261207).shuffle(words)
    cut = len(words) * 2 // 3
    os.makedirs(OUT, exist_ok=True)
    for name, part in [("train", words[:cut]), ("test", words[cut:])]:
        path = os.path.join(OUT, f"word_sentiment_{name}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for word, label in part:
                f.write(json.dumps({"prompt": PROMPT.format(word), "completion": label}) + "\n")
        data = open(path, "rb").read()
        positives = sum(1 for _, l in part if l == "positive")
        print(f"{path}: {len(part)} examples ({positives} positive), SHA-256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
