#!/usr/bin/env python3
"""The official MLflow client (mlflow-skinny, pinned in .ci/requirements.txt) against
`swiftlearn track serve`, unmodified, through MLFLOW_TRACKING_URI.

    python3 scripts/ops/check_mlflow_client.py --binary .build/release/swiftlearn [--clients 8 --metrics 10000]

Starts the server on a fresh store (port 0) and checks, with mlflow's own API: start_run,
log_param(s), log_metric(s) with steps, set_tag(s), log_dict/log_text/log_artifact(s), get_run,
get_metric_history, search_runs with filters, ordering and pages, list/download artifacts,
register_model (twice), aliases, stages, search_model_versions, downloading a version by alias,
MLflow's error codes; `learn fit --track` to the server and `serve --model-uri models:/NAME@ALIAS`
serving the registered version; then --clients processes log --metrics metrics each to one shared run at
the same time (batches of 1000 and single calls) and every value must be there. Exits 1 on the
first failed check.
"""
import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time


def start_server(binary, store):
    proc = subprocess.Popen([binary, "track", "serve", "--store", store, "--port", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise SystemExit(f"swiftlearn track serve exited ({proc.wait()}) before listening")
        m = re.search(r"listening on (http://[\d.]+:\d+)", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise SystemExit("swiftlearn track serve did not listen within 60 s")


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok: {what}")


def lifecycle(tmp):
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    exp = mlflow.set_experiment("check-client")
    check(exp.name == "check-client" and exp.artifact_location.startswith("mlflow-artifacts:/"),
          f"set_experiment created '{exp.name}' at {exp.artifact_location}")
    check(mlflow.get_experiment_by_name("check-client").experiment_id == exp.experiment_id, "get_experiment_by_name")

    local = os.path.join(tmp, "local")
    os.makedirs(os.path.join(local, "model"))
    with open(os.path.join(local, "data.csv"), "w") as f:
        f.write("a,b\n1,2\n")
    with open(os.path.join(local, "model", "MLmodel"), "w") as f:
        f.write("flavors:\n  python_function:\n    loader_module: check\n")
    with open(os.path.join(local, "model", "weights.bin"), "wb") as f:
        f.write(bytes(range(256)) * 64)

    with mlflow.start_run(run_name="first") as run:
        run_id = run.info.run_id
        mlflow.log_param("lr", 0.1)
        mlflow.log_params({"epochs": 5, "model": "mlp"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=4)
        mlflow.set_tag("team", "ml")
        mlflow.set_tags({"stage": "dev", "note": "ünïcode ✓"})
        mlflow.log_dict({"layers": [64, 32], "act": "relu"}, "config.json")
        mlflow.log_text("hello", "notes/readme.txt")
        mlflow.log_artifact(os.path.join(local, "data.csv"), "data")
        mlflow.log_artifacts(os.path.join(local, "model"), "model")

    got = client.get_run(run_id)
    check(got.info.status == "FINISHED" and got.info.end_time is not None and got.info.run_name == "first",
          f"get_run: status {got.info.status}, name {got.info.run_name}")
    check(got.data.params == {"lr": "0.1", "epochs": "5", "model": "mlp"}, f"params {got.data.params}")
    check(got.data.metrics == {"loss": 0.2, "acc": 0.9, "f1": 0.8}, f"latest metrics {got.data.metrics}")
    check(got.data.tags["team"] == "ml" and got.data.tags["note"] == "ünïcode ✓" and got.data.tags["mlflow.runName"] == "first",
          "tags, unicode included")
    history = client.get_metric_history(run_id, "loss")
    check([(m.step, m.value) for m in history] == [(s, 1.0 / (s + 1)) for s in range(5)], "get_metric_history: 5 steps in order")

    top = sorted(a.path for a in client.list_artifacts(run_id))
    check(top == ["config.json", "data", "model", "notes"], f"list_artifacts {top}")
    model_files = sorted((a.path, a.is_dir, a.file_size) for a in client.list_artifacts(run_id, "model"))
    check(model_files == [("model/MLmodel", False, 53), ("model/weights.bin", False, 16384)], f"list_artifacts model/ {model_files}")
    check(mlflow.artifacts.load_dict(f"runs:/{run_id}/config.json") == {"layers": [64, 32], "act": "relu"}, "load_dict round trip")
    check(mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.txt") == "hello", "load_text round trip")
    down = client.download_artifacts(run_id, "model", os.path.join(tmp, "down"))
    with open(os.path.join(down, "weights.bin"), "rb") as f:
        check(f.read() == bytes(range(256)) * 64, "download_artifacts: a folder, byte for byte")

    # Runs to search: params, metrics and tags differ.
    for i in range(6):
        with mlflow.start_run(run_name=f"grid-{i}"):
            mlflow.log_params({"kind": "a" if i % 2 else "b", "i": i})
            mlflow.log_metric("acc", i / 10)
            mlflow.set_tag("parity", "odd" if i % 2 else "even")
    runs = mlflow.search_runs([exp.experiment_id], filter_string="metrics.acc > 0.15 and params.kind = 'b'",
                              order_by=["metrics.acc DESC"], output_format="list")
    check([r.info.run_name for r in runs] == ["grid-4", "grid-2"], f"search_runs filter+order: {[r.info.run_name for r in runs]}")
    runs = mlflow.search_runs([exp.experiment_id], filter_string="tags.parity = 'odd' and attributes.run_name LIKE 'grid-%'",
                              order_by=["params.i ASC"], output_format="list")
    check([r.info.run_name for r in runs] == ["grid-1", "grid-3", "grid-5"], "search_runs on tags and attributes")
    names, token = [], None
    while True:
        page = client.search_runs([exp.experiment_id], "attributes.run_name LIKE 'grid-%'", order_by=["attributes.run_name"],
                                  max_results=4, page_token=token)
        names += [r.info.run_name for r in page]
        token = page.token
        if not token:
            break
    check(names == [f"grid-{i}" for i in range(6)], "search_runs pages of 4 with tokens")
    try:
        mlflow.search_runs([exp.experiment_id], filter_string="metrics.acc >> 1")
        check(False, "a malformed filter is refused")
    except MlflowException as e:
        check(e.error_code == "INVALID_PARAMETER_VALUE", f"a malformed filter is refused ({e.error_code})")

    # MLflow's errors reach the client with their codes.
    with mlflow.start_run(run_id=run_id):
        try:
            mlflow.log_param("lr", 0.2)
            check(False, "changing a param is refused")
        except MlflowException as e:
            check(e.error_code == "INVALID_PARAMETER_VALUE", f"changing a param is refused ({e.error_code})")
    try:
        client.get_run("0" * 32)
        check(False, "a missing run is an error")
    except MlflowException as e:
        check(e.error_code == "RESOURCE_DOES_NOT_EXIST", f"a missing run is RESOURCE_DOES_NOT_EXIST")

    # The model registry.
    v1 = mlflow.register_model(f"runs:/{run_id}/model", "check-model")
    v2 = mlflow.register_model(f"runs:/{run_id}/model", "check-model")
    check((v1.version, v2.version) == ("1", "2") and v1.run_id == run_id, f"register_model: versions {v1.version}, {v2.version}")
    client.set_registered_model_alias("check-model", "champion", "1")
    by_alias = client.get_model_version_by_alias("check-model", "champion")
    check(by_alias.version == "1" and "champion" in by_alias.aliases, "set alias, get version by alias")
    check(client.get_registered_model("check-model").aliases == {"champion": "1"}, "the registered model lists its alias")
    loaded = mlflow.artifacts.download_artifacts("models:/check-model@champion", dst_path=os.path.join(tmp, "by-alias"))
    with open(os.path.join(loaded, "weights.bin"), "rb") as f:
        check(f.read() == bytes(range(256)) * 64, "models:/check-model@champion downloads the version's files")
    loaded2 = mlflow.artifacts.download_artifacts("models:/check-model/2", dst_path=os.path.join(tmp, "by-version"))
    check(sorted(os.listdir(loaded2)) == ["MLmodel", "weights.bin"], "models:/check-model/2 downloads too")
    versions = client.search_model_versions("name = 'check-model'")
    check(sorted(v.version for v in versions) == ["1", "2"], "search_model_versions by name")
    check([m.name for m in client.search_registered_models("name LIKE 'check-%'")] == ["check-model"], "search_registered_models LIKE")
    client.set_model_version_tag("check-model", "2", "validated", "yes")
    check(client.get_model_version("check-model", "2").tags == {"validated": "yes"}, "model version tags")
    client.delete_registered_model_alias("check-model", "champion")
    try:
        client.get_model_version_by_alias("check-model", "champion")
        check(False, "a deleted alias is gone")
    except MlflowException:
        check(True, "a deleted alias is gone")


def log_concurrently(args):
    """One client process: `count` values of its own metric key to the shared run."""
    uri, run_id, index, count = args
    import mlflow
    from mlflow import MlflowClient
    from mlflow.entities import Metric
    mlflow.set_tracking_uri(uri)
    client = MlflowClient()
    key = f"client_{index}"
    singles = min(200, count)
    for step in range(singles):
        client.log_metric(run_id, key, float(step), step=step, timestamp=1_700_000_000_000 + step)
    step = singles
    while step < count:
        batch = [Metric(key, float(s), 1_700_000_000_000 + s, s) for s in range(step, min(count, step + 1000))]
        client.log_batch(run_id, metrics=batch)
        step += len(batch)
    return key


def concurrency(uri, clients, count):
    import mlflow
    from mlflow import MlflowClient
    client = MlflowClient()
    exp = client.create_experiment("check-concurrency")
    run_id = client.create_run(exp, run_name="shared").info.run_id
    start = time.time()
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        keys = pool.map(log_concurrently, [(uri, run_id, i, count) for i in range(clients)])
    seconds = time.time() - start
    for key in keys:
        history = client.get_metric_history(run_id, key)
        check(sorted(m.step for m in history) == list(range(count)) and all(m.value == m.step for m in history),
              f"{key}: all {count} values kept")
    run = client.get_run(run_id)
    check(all(run.data.metrics[k] == count - 1 for k in keys), "each key's latest value is its last step")
    print(f"concurrency: {clients} clients × {count} metrics = {clients * count} values in {seconds:.1f} s "
          f"({clients * count / seconds:.0f} values/s), none lost")


def registry_serving(binary, uri, tmp):
    """`learn fit --track` logs a model file; the mlflow client registers it with an alias;
    `swiftlearn serve --model-uri models:/penguins@champion` serves it, predicting as the file does."""
    import urllib.request
    from mlflow import MlflowClient
    client = MlflowClient()
    data = "Sources/Datasets/Data/penguins.csv"
    model = os.path.join(tmp, "rf.json")
    subprocess.run([binary, "learn", "fit", "--model", "random-forest", "--train", data, "--target", "species", "--seed", "1",
                    "--save", model, "--track", uri, "--experiment", "penguins", "--run-name", "forest"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    exp = client.get_experiment_by_name("penguins")
    run = client.search_runs([exp.experiment_id], "attributes.run_name = 'forest'")[0]
    check(run.info.status == "FINISHED" and run.data.params["model"] == "random-forest" and run.data.metrics["accuracy"] > 0.9
          and [a.path for a in client.list_artifacts(run.info.run_id)] == ["rf.json"],
          f"learn fit --track: params, accuracy {run.data.metrics['accuracy']:.3f} and the model file logged")
    client.create_registered_model("penguins")
    version = client.create_model_version("penguins", f"{run.info.artifact_uri}/rf.json", run_id=run.info.run_id)
    client.set_registered_model_alias("penguins", "champion", version.version)
    serve = subprocess.Popen([binary, "serve", "--model-uri", "models:/penguins@champion", "--tracking-uri", uri, "--port", "0"],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        port = None
        for _ in range(20):
            line = serve.stderr.readline()
            m = re.search(r"listening on http://[\d.]+:(\d+)", line)
            if m:
                port = m.group(1)
                break
        check(port is not None, "serve --model-uri models:/penguins@champion starts")
        with open(data) as f:
            rows = "".join(f.readlines()[:21])
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/models/penguins/predict", data=rows.encode(),
                                         headers={"Content-Type": "text/csv"})
        served = json.load(urllib.request.urlopen(request, timeout=30))["predictions"]
        expected_file = os.path.join(tmp, "pred.csv")
        subprocess.run([binary, "learn", "predict", "--model-file", model, "--data", data, "--output", expected_file],
                       check=True, stdout=subprocess.DEVNULL)
        with open(expected_file) as f:
            expected = [line.split(",")[0] for line in f.readlines()[1:21]]
        check(served == expected, f"the registry-served model predicts as the logged file ({len(served)} rows)")
    finally:
        serve.terminate()
        serve.wait(timeout=20)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/swiftlearn")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--metrics", type=int, default=10_000)
    args = parser.parse_args()
    import mlflow
    print(f"mlflow client {mlflow.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        proc, uri = start_server(args.binary, os.path.join(tmp, "store"))
        try:
            os.environ["MLFLOW_TRACKING_URI"] = uri
            mlflow.set_tracking_uri(uri)
            lifecycle(tmp)
            registry_serving(args.binary, uri, tmp)
            concurrency(uri, args.clients, args.metrics)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise SystemExit("the server did not stop within 20 s of SIGTERM")
        check(proc.returncode == 0, f"the server stopped cleanly on SIGTERM (exit {proc.returncode})")
    print("all mlflow client checks passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
