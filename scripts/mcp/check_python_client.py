#!/usr/bin/env python3
"""The official Python MCP client (`mcp` 2.3.0) against `swiftlearn mcp serve`.

Three connections: stdio (the client launches `BINARY mcp serve --stdio`), streamable HTTP with
JSON replies, and streamable HTTP with server-sent-event replies (`--port 0 [--event-stream]`,
the port read from the server's standard error). On each it negotiates the protocol (the
client's default "auto" mode probes `server/discover` first, which our server refuses, so it
falls back to `initialize`), pings, lists the tools, and calls them: a good call, a failing one
(isError), arguments that break the schema (isError), an unknown tool (a JSON-RPC error), and
with --root a CSV description.

Prints one JSON object, {"stdio": R, "http": R, "http_sse": R}, where R holds what was seen:
  protocol, server, tools (names), schemas (every inputSchema an object schema), ping,
  calc (text of calculator "(12 + 3) * 4 / 5"), calc_error (isError of "2 +"), bad_args (isError
  of {"expr": 1}), unknown_tool (the JSON-RPC error code), csv (first line of describe_csv),
  and error (a message) when the connection failed.

Usage: scripts/mcp/check_python_client.py --binary .build/release/swiftlearn [--root DIR]
Exit status 0 when every connection worked (the Swift test checks the values).
"""
import argparse
import json
import re
import subprocess
import sys
import time
import warnings

import anyio
from mcp import Client, MCPDeprecationWarning, MCPError, StdioServerParameters

# ping is deprecated for the 2026-07-28 revision only; our server speaks 2025-11-25.
warnings.filterwarnings("ignore", category=MCPDeprecationWarning)


async def exercise(target, root):
    seen = {}
    with anyio.fail_after(60):
        async with Client(target) as client:
            seen["protocol"] = client.protocol_version
            seen["server"] = client.server_info.name if client.server_info else None
            await client.send_ping()
            seen["ping"] = True
            listed = await client.list_tools()
            seen["tools"] = sorted(t.name for t in listed.tools)
            seen["schemas"] = all(t.input_schema.get("type") == "object" for t in listed.tools)
            r = await client.call_tool("calculator", {"expression": "(12 + 3) * 4 / 5"})
            seen["calc"] = "".join(c.text for c in r.content if c.type == "text")
            seen["calc_is_error"] = r.is_error
            r = await client.call_tool("calculator", {"expression": "2 +"})
            seen["calc_error"] = r.is_error
            r = await client.call_tool("calculator", {"expr": 1})
            seen["bad_args"] = r.is_error
            try:
                await client.call_tool("no_such_tool", {})
                seen["unknown_tool"] = None
            except MCPError as e:
                seen["unknown_tool"] = e.code
            if root:
                r = await client.call_tool("describe_csv", {"path": "iris.csv"})
                seen["csv"] = r.content[0].text.splitlines()[0] if r.content else None
    return seen


def start_http(binary, root, event_stream):
    args = [binary, "mcp", "serve", "--port", "0"] + (["--event-stream"] if event_stream else []) + (["--root", root] if root else [])
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        match = re.search(r"listening on (http://\S+/mcp)", line)
        if match:
            return process, match.group(1)
    process.kill()
    raise RuntimeError(f"the server did not start: {args}")


def run(target, root):
    try:
        return anyio.run(exercise, target, root)
    except Exception as e:  # noqa: BLE001 - reported in the JSON, the Swift test names it
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the swiftlearn executable")
    parser.add_argument("--root", help="a folder holding iris.csv, served with --root")
    args = parser.parse_args()
    extra = ["--root", args.root] if args.root else []
    out = {"stdio": run(StdioServerParameters(command=args.binary, args=["mcp", "serve", "--stdio"] + extra), args.root)}
    for key, event_stream in (("http", False), ("http_sse", True)):
        process, url = start_http(args.binary, args.root, event_stream)
        try:
            out[key] = run(url, args.root)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    print(json.dumps(out, sort_keys=True))
    return 0 if all("error" not in v for v in out.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
