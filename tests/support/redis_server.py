"""A redis-server of the test's own on a free loopback port, which the test may stop (never the shared one)."""

import shutil
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis

from tests.support.live_server import free_port


class PrivateRedis:
    """One redis-server process: `url`, and `stop()` to take it away mid-test."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_answering()

    def _wait_until_answering(self, timeout: float = 10) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError(f"redis-server on port {self.port} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def private_redis():
    """A fresh redis-server for this test; killed afterwards whatever happens."""
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on PATH: apt-get install -y redis-server")
    server = PrivateRedis(free_port())
    try:
        yield server
    finally:
        server.stop()
