#!/usr/bin/env python3
"""A labelled text set from Debian's archive index: package descriptions labelled by section.

Writes Sources/Datasets/Data/text/debian_packages.tsv (section<TAB>package<TAB>description, one
package per line, UTF-8) and prints the line for Sources/Datasets/Data/SOURCES.md.

Source: Debian 12 "bookworm" main, amd64 — the `Packages` index (for `Section` and
`Description-md5`) and the English translation index `Translation-en` (for the long descriptions),
as `apt-get update -o Acquire::Languages=en` leaves them in /var/lib/apt/lists. The snapshot is
named by the Release file's Date, which the script prints.

Selection, all deterministic:
- sections: the twelve in SECTIONS (a package in `contrib/x` or `non-free/x` counts as `x`, but
  those components are not read: main only);
- a description shared by several packages (a library and its -dev/-doc split packages often
  share one) is kept once, for the first package by name, so no text is in two rows;
- descriptions shorter than 12 words are dropped (mostly transitional dummy packages);
- then PER_SECTION packages per section drawn with random.Random(SEED) from the name-sorted list.

Text: the synopsis, then the long description with its paragraph marks (" .") removed and lines
joined by single spaces; tabs become spaces.

Licence: each description is part of its package's control data, distributed by Debian in the
archive indexes; Debian main is DFSG-free, and each description is under its package's licence.

Run on a Debian 12 machine after `apt-get update -o Acquire::Languages=en`:
    python3 scripts/data/make_debian_packages.py
"""
import glob
import hashlib
import os
import random
import subprocess

SECTIONS = ["admin", "devel", "doc", "games", "graphics", "libs", "math", "net", "python", "science", "sound", "text"]
PER_SECTION = 400
SEED = 2026
MIN_WORDS = 12
LISTS = "/var/lib/apt/lists"
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Sources", "Datasets", "Data", "text", "debian_packages.tsv")


def read_index(pattern):
    paths = sorted(glob.glob(os.path.join(LISTS, pattern)))
    if len(paths) != 1:
        raise SystemExit(f"expected one file matching {pattern} in {LISTS}, found {paths}: run apt-get update -o Acquire::Languages=en")
    text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", paths[0]], check=True, capture_output=True).stdout.decode("utf8")
    records = []
    for block in text.split("\n\n"):
        fields, key = {}, None
        for line in block.split("\n"):
            if not line:
                continue
            if line[0] in " \t" and key:
                fields[key] += "\n" + line
            else:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields:
            records.append(fields)
    return records


def main():
    release = [l for l in open(os.path.join(LISTS, "deb.debian.org_debian_dists_bookworm_InRelease"), encoding="utf8") if l.startswith("Date:")][0].strip()
    packages = read_index("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages*")
    translations = {r["Description-md5"]: r["Description-en"] for r in read_index("deb.debian.org_debian_dists_bookworm_main_i18n_Translation-en*")
                    if "Description-md5" in r and "Description-en" in r}
    by_section, seen = {s: [] for s in SECTIONS}, set()
    for p in sorted(packages, key=lambda r: r["Package"]):
        section = p.get("Section", "").split("/")[-1]
        md5 = p.get("Description-md5")
        if section not in by_section or md5 is None or md5 in seen or md5 not in translations:
            continue
        lines = translations[md5].split("\n")
        body = [l.strip() for l in lines[1:] if l.strip() != "."]
        text = " ".join([lines[0].strip()] + body).replace("\t", " ")
        if len(text.split()) < MIN_WORDS:
            continue
        seen.add(md5)
        by_section[section].append((p["Package"], text))
    rng = random.Random(SEED)
    rows = []
    for s in SECTIONS:
        pool = by_section[s]
        if len(pool) < PER_SECTION:
            raise SystemExit(f"section {s} has only {len(pool)} usable packages")
        rows += [(s, name, text) for name, text in rng.sample(pool, PER_SECTION)]
    rng.shuffle(rows)
    data = "".join(f"{s}\t{n}\t{t}\n" for s, n, t in rows).encode("utf8")
    with open(OUT, "wb") as f:
        f.write(data)
    print(f"wrote {OUT}: {len(rows)} packages, {len(SECTIONS)} sections; snapshot {release}; "
          f"SHA-256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
