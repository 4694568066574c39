"""Writes the bundled datasets of the `Datasets` module as plain CSV files with a header.

scikit-learn's five toy sets are written exactly as its loaders return them (diabetes with its
default scaling); penguins and diamonds are copied byte for byte from the wheels named below.
Provenance, licenses and SHA-256 sums go to Sources/Datasets/Data/SOURCES.md.

    pip install scikit-learn==1.9.1
    pip download --no-deps plotnine==0.15.9 palmerpenguins==0.1.6 -d /tmp/dl
    python3 scripts/data/export_datasets.py /tmp/dl
"""
import csv, hashlib, os, sys, zipfile

import sklearn
from sklearn import datasets

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "Datasets", "Data")


def write_table(name, feature_names, x, target_name, y, y_fmt=repr):
    path = os.path.join(OUT, name + ".csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(feature_names) + [target_name])
        for row, t in zip(x, y):
            w.writerow([repr(float(v)) if float(v) != int(v) else str(int(v)) for v in row] + [y_fmt(t)])
    return path


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    wheels = sys.argv[1] if len(sys.argv) > 1 else "/tmp/dl"
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for name, loader, kind in [("iris", datasets.load_iris, "classification"),
                               ("wine", datasets.load_wine, "classification"),
                               ("breast_cancer", datasets.load_breast_cancer, "classification"),
                               ("digits", datasets.load_digits, "classification"),
                               ("diabetes", datasets.load_diabetes, "regression")]:
        b = loader()
        if kind == "classification":
            path = write_table(name, b.feature_names, b.data, "target", b.target, lambda t: str(int(t)))
        else:
            path = write_table(name, b.feature_names, b.data, "target", b.target, lambda t: repr(float(t)))
        rows.append((name, f"scikit-learn {sklearn.__version__} `sklearn.datasets.load_{name}()`", "BSD-3-Clause (scikit-learn); "
                     + {"iris": "Fisher (1936), UCI", "wine": "Forina et al., UCI", "breast_cancer": "Wolberg, Street & Mangasarian, UCI (CC BY 4.0)",
                        "digits": "Alpaydin & Kaynak, UCI optical recognition of handwritten digits (CC BY 4.0)",
                        "diabetes": "Efron, Hastie, Johnstone & Tibshirani (2004), features mean-centred and scaled as sklearn's default"}[name],
                     b.data.shape, sha256(path)))
    # Copied files from wheels.
    for name, wheel, member, src, lic in [
        ("penguins", "palmerpenguins-0.1.6-py3-none-any.whl", "palmerpenguins/data/penguins.csv",
         "PyPI palmerpenguins 0.1.6", "CC0 1.0 data (Gorman, Williams & Fraser 2014, Palmer Station LTER); package MIT"),
        ("diamonds", "plotnine-0.15.9-py3-none-any.whl", "plotnine/data/diamonds.csv",
         "PyPI plotnine 0.15.9 (ggplot2's diamonds)", "MIT (plotnine, ggplot2)")]:
        data = zipfile.ZipFile(os.path.join(wheels, wheel)).read(member)
        path = os.path.join(OUT, name + ".csv")
        open(path, "wb").write(data)
        n = data.count(b"\n") - 1
        rows.append((name, f"{src}, file `{member}`", lic, (n, None), sha256(path)))
    with open(os.path.join(OUT, "SOURCES.md"), "w") as f:
        f.write("# Bundled datasets: provenance, licenses, checksums\n\n"
                "Written by `scripts/data/export_datasets.py`. Each file is CSV with a header row.\n\n"
                "| file | source | license / citation | rows | SHA-256 |\n|---|---|---|---|---|\n")
        for name, src, lic, shape, digest in rows:
            f.write(f"| {name}.csv | {src} | {lic} | {shape[0]} | `{digest}` |\n")


if __name__ == "__main__":
    main()
