"""Starting and stopping `swiftlearn serve` (or another server) for the serve checks and benchmarks."""
import signal
import socket
import subprocess
import time

import httpx2 as httpx


def free_port():
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(proc, port, seconds=120, path="/health", any_status=False):
    """Returns once GET `path` answers 200 (or anything, with `any_status`); raises RuntimeError
    if the process exits first or nothing answers within `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            detail = proc.stderr.read() if proc.stderr else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {detail}")
        try:
            r = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2)
            if any_status or r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def stop(proc, timeout=60):
    """SIGTERM (our server drains: requests in flight finish), then SIGKILL after `timeout` s.
    Returns the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
