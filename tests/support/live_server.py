"""A real gunicorn + gevent server on loopback, for tests that go over the wire."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.support import ROOT

LIVE_SECRET_KEY = "live-server-secret-of-at-least-32-bytes"  # HS256 wants 32+ bytes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(database_url: str, instance_path: str, workers: int = 1, **env):
    """Serve the checkout's app with gunicorn on a free port; yields the base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AURION_INSTANCE_PATH": instance_path,
        "SECRET_KEY": LIVE_SECRET_KEY,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        **env,
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"]
    with serving(command, ROOT, environment, port) as base_url:
        yield base_url


@contextmanager
def serving(command: list[str], cwd: Path, environment: dict, port: int, start_timeout: float = 20):
    """Run `command`, a server of the app on 127.0.0.1:`port`; yields its base URL once it answers."""
    # The server's log goes to a file, not a pipe: nobody reads a pipe while the server
    # runs, and once its 64 KB filled (a few hundred access lines) every worker blocked
    # writing its log, answering nothing until gunicorn killed it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=log)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(base_url, process, log, start_timeout)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_serving(base_url: str, process: subprocess.Popen, log, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError("gunicorn exited: " + log.read().decode(errors="replace")[-2000:])
        try:
            urllib.request.urlopen(base_url + "/api/v1/openapi.json", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start serving {base_url} within {timeout} s")
