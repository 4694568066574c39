#!/usr/bin/env python3
"""Checks that every Python package CI's checks import is pinned in .ci/requirements.txt and
installed at exactly that version in the running interpreter (CI runs this inside its fresh venv).

Which Python CI runs is found, not listed by hand:
  - every `*.py` named in .ci/run or in a shell script under scripts/,
  - every `scripts/...py` a Swift test file that reads SWIFTLEARN_PYTHON_CHECK runs (named in an
    `appendingPathComponent("scripts/....py")`; the cross-checks CI turns on),
  - inline Python in .ci/run and scripts/*.sh (`python3 -c "import ..."`, heredocs).
Imports are read with `ast` for .py files (nested imports count: check_plots.py imports selenium
inside a function) and with a pattern for inline code. Modules of the standard library and the
scripts' own modules (siblings, and the files and folders at the top of scripts/) are skipped.

Usage:  python3 scripts/check_ci_requirements.py [--root DIR]
Exit status 0 when every import is pinned and installed as pinned; 1 with one line per problem.
"""
import argparse
import ast
import importlib.metadata as md
import re
import sys
from pathlib import Path

# An import statement at the start of a line (heredoc), after `-c "` / `-c '`, or after a `;`.
INLINE_IMPORT = re.compile(r"(?:^\s*|-c\s+[\"']|;\s*)(?:import\s+([\w.]+(?:\s*,\s*[\w.]+)*)|from\s+([\w.]+)\s+import\b)")
PY_NAME = re.compile(r"[\w./-]+\.py\b")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict:
    pins = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "==" not in line:
            raise SystemExit(f"{path}:{number}: '{line}' is not pinned with ==")
        name, version = (part.strip() for part in line.split("==", 1))
        pins[normalize(name)] = version
    return pins


def python_files_ci_runs(root: Path) -> set:
    files = set()
    shells = [root / ".ci" / "run", *sorted((root / "scripts").glob("*.sh"))]
    for shell in shells:
        for name in PY_NAME.findall(shell.read_text()):
            candidate = root / name
            if candidate.is_file():
                files.add(candidate)
    for swift in (root / "Tests").rglob("*.swift"):
        text = swift.read_text()
        if "SWIFTLEARN_PYTHON_CHECK" not in text:
            continue
        for name in re.findall(r'appendingPathComponent\("(scripts/[\w/]+\.py)"\)', text):
            candidate = root / name
            if not candidate.is_file():
                raise SystemExit(f"{swift.relative_to(root)} names {name}, which does not exist")
            files.add(candidate)
    return files


def imports_of_file(path: Path) -> set:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    # The scripts' own modules: siblings, and what sits at the top of scripts/ (a script in a
    # subfolder may put scripts/ on its path to share check_plots or serve.check_clients). Only
    # folders with an __init__.py count: a plain folder (scripts/mcp/) is at most a namespace
    # package, which an installed package of that name (mcp) takes precedence over.
    scripts = next((p for p in path.parents if p.name == "scripts"), path.parent)
    local = {p.stem for p in path.parent.glob("*.py")} | {p.stem for p in scripts.glob("*.py")} \
        | {p.name for p in scripts.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    return {n for n in names if n not in local}


def inline_imports(path: Path) -> set:
    names = set()
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#"):
            continue
        for group_import, group_from in INLINE_IMPORT.findall(line):
            for name in (group_import.split(",") if group_import else [group_from]):
                names.add(name.strip().split(".")[0])
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    root = args.root
    pins = read_pins(root / ".ci" / "requirements.txt")

    wanted = {}  # module -> files importing it
    for path in sorted(python_files_ci_runs(root)):
        for module in imports_of_file(path):
            wanted.setdefault(module, set()).add(str(path.relative_to(root)))
    for shell in [root / ".ci" / "run", *sorted((root / "scripts").glob("*.sh"))]:
        for module in inline_imports(shell):
            wanted.setdefault(module, set()).add(str(shell.relative_to(root)) + " (inline)")

    providers = md.packages_distributions()
    problems = []
    third_party = []
    for module in sorted(wanted):
        if module in sys.stdlib_module_names or module == "__future__":
            continue
        where = ", ".join(sorted(wanted[module]))
        dists = providers.get(module)
        if not dists:
            problems.append(f"'{module}' (imported by {where}) is not installed: pin its package in .ci/requirements.txt")
            continue
        dist = normalize(dists[0])
        if dist not in pins:
            problems.append(f"'{module}' (imported by {where}) comes from {dists[0]}, which .ci/requirements.txt does not pin")
            continue
        third_party.append(f"{module} ({dists[0]}=={pins[dist]})")

    for dist, version in sorted(pins.items()):
        try:
            installed = md.version(dist)
        except md.PackageNotFoundError:
            problems.append(f"{dist}=={version} is pinned but not installed in {sys.prefix}")
            continue
        if installed != version:
            problems.append(f"{dist} is pinned at {version} but {installed} is installed in {sys.prefix}")

    for problem in problems:
        print("error:", problem)
    if problems:
        return 1
    print(f"CI's Python imports {len(third_party)} third-party modules, all pinned and installed as pinned: "
          + ", ".join(third_party))
    return 0


if __name__ == "__main__":
    sys.exit(main())
