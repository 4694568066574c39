#!/usr/bin/env python3
"""A small MCP server made with the official Python SDK (`mcp` 2.3.0; its FastMCP is now
`mcp.server.mcpserver.MCPServer`), for SwiftLearn's MCP client to use (MCPTests).

Tools:
  add(a, b)        the sum of two integers
  echo(text)       the text back, reversed and upper-cased ("abc" -> "CBA")
  fail(reason)     always raises, so the result has isError and the reason

Usage:
  scripts/mcp/python_server.py            serve over stdio
  scripts/mcp/python_server.py --http     serve streamable HTTP on 127.0.0.1 at a free port, whose
                                          number is the first line written to standard output
"""
import argparse
import socket
import sys

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("python-check", instructions="Tools for SwiftLearn's MCP client test.")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def echo(text: str) -> str:
    """Return the text reversed and upper-cased."""
    return text[::-1].upper()


@server.tool()
def fail(reason: str) -> str:
    """Always fail with the given reason."""
    raise ToolError(f"failed on purpose: {reason}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    args = parser.parse_args()
    if args.http:
        port = free_port()
        print(port, flush=True)
        server.settings.log_level = "WARNING"
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run()


if __name__ == "__main__":
    sys.exit(main())
