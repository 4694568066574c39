#!/usr/bin/env python3
"""Predict latency of a saved random forest: `swiftlearn serve` against FastAPI + scikit-learn.

Both serve a 100-tree random forest fitted on the bundled penguins table (the same columns, one-hot
encoding and mean fill; scikit-learn's defaults, which are ours) behind a JSON route taking
{"columns": [...], "data": [[...]]} and returning {"predictions": [...]}. The FastAPI app is what a
scikit-learn user would write: a pydantic body, a pandas frame, `model.predict`, uvicorn.
wrk (2 threads) posts one-row requests at each concurrency, the servers in turn (A B A B ...),
`--rounds` times; the table gives the median p50/p99 and requests/s of each, and the ratio.

Usage: benchmarks/compare_serving.py --binary .build/release/swiftlearn [--rounds 3] [--seconds 10] [--workers 1]
Needs (not in CI): fastapi, uvicorn, scikit-learn, pandas, httpx2; wrk (Debian).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts" / "serve"))
from serve_load import parse_wrk  # noqa: E402
from servers import free_port, stop, wait_ready  # noqa: E402

APP = textwrap.dedent('''
    import pickle
    import pandas as pd
    from fastapi import FastAPI
    from pydantic import BaseModel

    with open("model.pkl", "rb") as f:
        bundle = pickle.load(f)
    model, columns, dummies, fill = bundle["model"], bundle["columns"], bundle["dummies"], bundle["fill"]
    app = FastAPI()

    class Rows(BaseModel):
        columns: list[str]
        data: list[list[float | str | None]]

    @app.post("/predict")
    def predict(rows: Rows):
        frame = pd.DataFrame(rows.data, columns=rows.columns)
        x = pd.get_dummies(frame[columns]).reindex(columns=dummies, fill_value=0).astype(float).fillna(fill)
        return {"predictions": model.predict(x.to_numpy()).tolist()}
''')


def fit_sklearn(path):
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    import pickle
    table = pd.read_csv(ROOT / "Sources/Datasets/Data/penguins.csv")
    columns = [c for c in table.columns if c != "species"]
    x = pd.get_dummies(table[columns]).astype(float)
    fill = x.mean()
    model = RandomForestClassifier(random_state=1).fit(x.fillna(fill).to_numpy(), table["species"])
    with open(path, "wb") as f:
        pickle.dump({"model": model, "columns": columns, "dummies": list(x.columns), "fill": fill}, f)
    return columns


def run_wrk(url, body, connections, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ' + json.dumps(body) + "\n")
        script = f.name
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script)
    return parse_wrk(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=".build/release/swiftlearn")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", default="1,16,200")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = p.parse_args()
    import fastapi, sklearn, uvicorn  # noqa: E401 - versions for the report
    work = Path(tempfile.mkdtemp())
    columns = fit_sklearn(work / "model.pkl")
    (work / "app.py").write_text(APP)
    subprocess.run([args.binary, "learn", "fit", "--model", "random-forest", "--train", str(ROOT / "Sources/Datasets/Data/penguins.csv"),
                    "--target", "species", "--seed", "1", "--save", str(work / "rf.json"), "--json"], check=True, capture_output=True)
    row = ["Torgersen", 39.1, 18.7, 181.0, 3750.0, "male", 2007]
    names = ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"]
    assert sorted(names) == sorted(columns), columns
    body = json.dumps({"columns": names, "data": [row]})
    sport, fport = free_port(), free_port()
    swift = subprocess.Popen([args.binary, "serve", "--model-file", f"penguins={work / 'rf.json'}", "--port", str(sport)], stderr=subprocess.DEVNULL)
    fast = subprocess.Popen([sys.executable, "-m", "uvicorn", "app:app", "--port", str(fport), "--workers", str(args.workers), "--log-level", "warning"],
                            cwd=work, env=dict(os.environ, PYTHONPATH=str(work)), stderr=subprocess.DEVNULL)
    # uvicorn's app reads model.pkl from its working directory.
    try:
        wait_ready(swift, sport)
        wait_ready(fast, fport, path="/", any_status=True)
        a = httpx.post(f"http://127.0.0.1:{sport}/v1/models/penguins/predict", content=body, headers={"content-type": "application/json"}).json()
        b = httpx.post(f"http://127.0.0.1:{fport}/predict", content=body, headers={"content-type": "application/json"}).json()
        print(f"predictions: swiftlearn {a['predictions']}, scikit-learn {b['predictions']}")
        print(f"uptime: {os.getloadavg()}; fastapi {fastapi.__version__}, uvicorn {uvicorn.__version__} ({args.workers} worker(s)), scikit-learn {sklearn.__version__}")
        results = {}
        for c in map(int, args.connections.split(",")):
            for r in range(args.rounds):
                for name, url in (("swiftlearn", f"http://127.0.0.1:{sport}/v1/models/penguins/predict"), ("fastapi", f"http://127.0.0.1:{fport}/predict")):
                    res = run_wrk(url, body, c, args.seconds)
                    results.setdefault((c, name), []).append(res)
        print("| connections | swiftlearn p50 / p99 ms | req/s | FastAPI+sklearn p50 / p99 ms | req/s | p50 ratio | req/s ratio | non-2xx |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for c in map(int, args.connections.split(",")):
            s, f = results[(c, "swiftlearn")], results[(c, "fastapi")]
            med = lambda rs, k: statistics.median(r[k] for r in rs)  # noqa: E731
            print(f"| {c} | {med(s, 'p50_ms'):.2f} / {med(s, 'p99_ms'):.2f} | {med(s, 'requests_per_s'):.0f} | "
                  f"{med(f, 'p50_ms'):.2f} / {med(f, 'p99_ms'):.2f} | {med(f, 'requests_per_s'):.0f} | "
                  f"{med(f, 'p50_ms') / med(s, 'p50_ms'):.1f}× | {med(s, 'requests_per_s') / med(f, 'requests_per_s'):.1f}× | "
                  f"{sum(r['non_2xx'] for r in s)} / {sum(r['non_2xx'] for r in f)} |")
    finally:
        for proc in (swift, fast):
            stop(proc, timeout=30)


if __name__ == "__main__":
    main()
