#!/usr/bin/env python3
"""Load on `swiftlearn serve` over loopback, bounded in time and count.

Scenarios (all by default):
  chat      C concurrent clients streaming chat completions for D seconds: requests, 429s, errors,
            p50/p99 latency and time to first token, aggregate generated tokens/s.
  batching  aggregate generation tokens/s of 8 concurrent clients over 1 client at a time (the same
            64-token completions, end-of-text banned by logit_bias so every request makes 64 tokens).
  predict   wrk with 200 connections posting one-row predictions to a saved random forest: req/s,
            p50/p99, non-2xx responses.
  abuse     malformed JSON, wrong types, oversized bodies, unknown models and aborted streams
            while the server keeps serving.
The server's peak resident memory (VmHWM) is read from /proc after each scenario.

Usage: benchmarks/serve_load.py --binary .build/release/swiftlearn --llm models/SmolLM2-135M-Instruct.Q4_1.gguf \
           --model-file penguins=/tmp/rf.json [--clients 32 --seconds 60] [--scenarios chat,batching,predict,abuse]
Needs httpx2 (pip) and wrk (Debian) for `predict`. Prints one JSON object per scenario.
"""
import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx2 as httpx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "serve"))
from servers import free_port, stop, wait_ready  # noqa: E402


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def chat_load(base, model, clients, seconds):
    stats = {"ok": 0, "rejected_429": 0, "errors": 0, "tokens": 0, "latency": [], "ttft": []}
    stop_at = time.time() + seconds
    prompts = ["Tell me about the sea.", "What is a neural network?", "Name some fruits.", "Describe a city at night."]

    async def client(i, http):
        n = 0
        while time.time() < stop_at:
            body = {"model": model, "messages": [{"role": "user", "content": prompts[(i + n) % len(prompts)]}],
                    "max_tokens": 48, "temperature": 0.7, "seed": i * 1000 + n, "stream": True,
                    "stream_options": {"include_usage": True}}
            n += 1
            started = time.time()
            first = None
            try:
                async with http.stream("POST", "/v1/chat/completions", json=body) as r:
                    if r.status_code == 429:
                        stats["rejected_429"] += 1
                        await asyncio.sleep(float(r.headers.get("retry-after", "1")))
                        continue
                    if r.status_code != 200:
                        stats["errors"] += 1
                        continue
                    async for line in r.aiter_lines():
                        if not line.startswith("data: ") or line == "data: [DONE]":
                            continue
                        chunk = json.loads(line[6:])
                        if "error" in chunk:
                            stats["errors"] += 1
                            break
                        if first is None and chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                            first = time.time()
                        if chunk.get("usage"):
                            stats["tokens"] += chunk["usage"]["completion_tokens"]
                stats["ok"] += 1
                stats["latency"].append(time.time() - started)
                if first:
                    stats["ttft"].append(first - started)
            except httpx.HTTPError:
                stats["errors"] += 1

    started = time.time()
    async with httpx.AsyncClient(base_url=base, timeout=600, limits=httpx.Limits(max_connections=clients + 4)) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    elapsed = time.time() - started
    return {"scenario": "chat", "clients": clients, "seconds": round(elapsed, 1), "requests_ok": stats["ok"],
            "rejected_429": stats["rejected_429"], "errors": stats["errors"],
            "latency_p50_s": round(percentile(stats["latency"], 50), 2), "latency_p99_s": round(percentile(stats["latency"], 99), 2),
            "ttft_p50_s": round(percentile(stats["ttft"], 50), 2), "ttft_p99_s": round(percentile(stats["ttft"], 99), 2),
            "generated_tokens": stats["tokens"], "aggregate_tokens_per_s": round(stats["tokens"] / elapsed, 1)}


async def batching(base, model, eos_ids, requests=8, tokens=64):
    body = {"model": model, "prompt": "Once upon a time", "max_tokens": tokens, "temperature": 0.8,
            "logit_bias": {str(i): -100 for i in eos_ids}}

    async def one(http, seed):
        r = await http.post("/v1/completions", json=dict(body, seed=seed))
        r.raise_for_status()
        return r.json()["usage"]["completion_tokens"]

    async with httpx.AsyncClient(base_url=base, timeout=600) as http:
        await one(http, 0)  # warm-up
        started = time.time()
        serial = 0
        for k in range(requests):
            serial += await one(http, k)
        serial_rate = serial / (time.time() - started)
        started = time.time()
        together = sum(await asyncio.gather(*(one(http, 100 + k) for k in range(requests))))
        concurrent_rate = together / (time.time() - started)
    return {"scenario": "batching", "requests": requests, "tokens_each": tokens,
            "one_at_a_time_tokens_per_s": round(serial_rate, 1), "concurrent_tokens_per_s": round(concurrent_rate, 1),
            "ratio": round(concurrent_rate / serial_rate, 2)}


def predict_load(base, model_name, connections=200, seconds=20):
    info = httpx.get(f"{base}/v1/models/{model_name}").json()
    names = [c["name"] for c in info["inputs"]]
    row = [40.0 if c["type"] == "number" else c["categories"][0] for c in info["inputs"]]
    body = json.dumps({"columns": names, "data": [row]})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ' + json.dumps(body) + "\n")
        script = f.name
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script,
                          f"{base}/v1/models/{model_name}/predict"], capture_output=True, text=True, check=True).stdout
    os.unlink(script)
    return {"scenario": "predict", "connections": connections, **parse_wrk(out)}


def parse_wrk(out):
    result = {}
    for line in out.splitlines():
        parts = line.split()
        if line.strip().startswith("50%"):
            result["p50_ms"] = to_ms(parts[1])
        elif line.strip().startswith("99%"):
            result["p99_ms"] = to_ms(parts[1])
        elif line.startswith("Requests/sec:"):
            result["requests_per_s"] = float(parts[1])
        elif "Non-2xx" in line:
            result["non_2xx"] = int(parts[-1])
        elif "Socket errors" in line:
            result["socket_errors"] = line.split(":", 1)[1].strip()
        elif "requests in" in line:
            result["requests"] = int(parts[0])
    result.setdefault("non_2xx", 0)
    return result


def to_ms(text):
    for unit, factor in (("us", 1e-3), ("ms", 1), ("s", 1e3)):
        if text.endswith(unit):
            return round(float(text[: -len(unit)]) * factor, 3)
    return float(text)


def abuse(base, port, model):
    bad = [(b"{not json", "application/json", 400), (b'{"model": 1}', "application/json", 400),
           (b'{"model": "nope", "messages": [{"role": "user", "content": "x"}]}', "application/json", 404),
           (b"x" * (9 << 20), "application/json", 413), (b"a,b\n1,2", "text/csv", 415),
           (b'{"model": "%s", "messages": [{"role": "user", "content": 5}]}' % model.encode(), "application/json", 400)]
    seen = []
    for body, ctype, want in bad:
        r = httpx.post(f"{base}/v1/chat/completions", content=body, headers={"content-type": ctype}, timeout=60)
        seen.append((want, r.status_code))
    # Aborted streams and a stalled half-sent body.
    for _ in range(5):
        with httpx.stream("POST", f"{base}/v1/chat/completions", timeout=60,
                          json={"model": model, "messages": [{"role": "user", "content": "Write a poem."}], "max_tokens": 200, "stream": True}) as r:
            next(r.iter_lines())
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
    started = time.time()
    ok = httpx.post(f"{base}/v1/chat/completions", timeout=120,
                    json={"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}).status_code
    s.close()
    return {"scenario": "abuse", "expected_vs_seen": seen, "all_as_expected": all(a == b for a, b in seen),
            "served_after": ok == 200, "seconds_for_next_request": round(time.time() - started, 2)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=".build/release/swiftlearn")
    p.add_argument("--llm", required=True)
    p.add_argument("--model-file", required=True, help="NAME=PATH of a saved model")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--scenarios", default="chat,batching,predict,abuse")
    p.add_argument("--server-args", default="", help="extra arguments for swiftlearn serve")
    args = p.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    model = os.path.splitext(os.path.basename(args.llm))[0]
    cmd = [args.binary, "serve", "--llm", args.llm, "--model-file", args.model_file, "--port", str(port)] + args.server_args.split()
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    try:
        wait_ready(proc, port)
        for scenario in args.scenarios.split(","):
            if scenario == "chat":
                result = asyncio.run(chat_load(base, model, args.clients, args.seconds))
            elif scenario == "batching":
                result = asyncio.run(batching(base, model, eos_ids=[0, 1, 2]))
            elif scenario == "predict":
                result = predict_load(base, args.model_file.split("=", 1)[0])
            elif scenario == "abuse":
                result = abuse(base, port, model)
            else:
                sys.exit(f"unknown scenario {scenario}")
            result["server_peak_rss_mb"] = round(peak_rss_mb(proc.pid), 1)
            print(json.dumps(result), flush=True)
    finally:
        stop(proc, timeout=120)


if __name__ == "__main__":
    main()
