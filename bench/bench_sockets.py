"""Sockets at scale: one gevent worker holding 1,000 and 5,000 open chat sockets.

Run from the repository root: ``python bench/bench_sockets.py [COUNTS]`` (default
``1000,5000``). For Aurion (`gunicorn -c gunicorn.conf.py wsgi:app`, SQLite, in-process
broker) and for the floor, a bare flask-sock echo server (`bench/echo_server.py`), both
with one gevent worker and the same worker_connections, it opens the sockets (one
visitor session each for Aurion) and prints, at each count:

- memory per socket: the worker's RSS growth since before the first socket, divided by
  the sockets open;
- echo p50/p99: one socket at a time (200 samples spread over all of them), a
  `{"type": "ping"}` frame until its answer (Aurion parses it and answers `pong`, through
  the same per-socket send lock as every frame; the floor sends the frame back);
- idle CPU: the worker's CPU time over 10 s with every socket open and silent;

and the ratio Aurion / floor of each. The client is this process (gevent, one greenlet
per socket), on the same two cores as the server.
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from gevent.pool import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from simple_websocket import Client  # noqa: E402

from aurion import create_app  # noqa: E402
from aurion.services.sessions import new_unidentified_visitor, start_session  # noqa: E402
from aurion.services.tenants import create_tenant  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402

PING = '{"type": "ping"}'
SAMPLES = 200
IDLE_SECONDS = 10
# Handshakes in flight at once (each checks the session in the database).
OPENING_AT_ONCE = 20


def raise_descriptor_limit() -> None:
    """Both ends of every socket live on this machine: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def gunicorn(app: str, port: int, connections: int, env: dict, config: bool) -> subprocess.Popen:
    """One gevent worker; Aurion reads gunicorn.conf.py, and the flags below override it for both."""
    # Without -c gunicorn would still read ./gunicorn.conf.py: the floor reads an empty one.
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py" if config else os.devnull]
    command += [
        "--worker-class", "gevent", "--workers", "1", "--worker-connections", str(connections),
        "--timeout", "30", "--access-logfile", "/dev/null", "--bind", f"127.0.0.1:{port}",
        "--pythonpath", str(ROOT / "bench"), app,
    ]  # fmt: skip
    log = open(Path(tempfile.gettempdir()) / f"bench_sockets-{port}.log", "wb")  # noqa: SIM115 (the server's life)
    print(f"  {app} logs to {log.name}", flush=True)
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{app} did not start") from None
            time.sleep(0.2)
    return process


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def open_sockets(urls: list[str]) -> list[Client]:
    pool = Pool(OPENING_AT_ONCE)
    return list(pool.imap(lambda url: Client.connect(url), urls))


def echo_times(sockets: list[Client]) -> list[float]:
    """Milliseconds from a ping to its answer, one socket at a time, spread over all of them."""
    times = []
    step = max(1, len(sockets) // SAMPLES)
    for ws in sockets[::step][:SAMPLES]:
        started = time.perf_counter()
        ws.send(PING)
        ws.receive(timeout=10)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(label: str, pid: int, urls: list[str], counts: list[int]) -> dict[int, dict]:
    """Open sockets up to each count and measure; returns {count: figures}."""
    # Warm up (imports, pools, the first session query) before the baseline.
    warm = open_sockets(urls[:20])
    echo_times(warm)
    for ws in warm:
        ws.close()
    gevent.sleep(2)
    baseline = rss_bytes(pid)
    sockets: list[Client] = []
    figures = {}
    for count in counts:
        sockets += open_sockets(urls[len(sockets) : count])
        gevent.sleep(3)
        per_socket = (rss_bytes(pid) - baseline) / len(sockets)
        echo = echo_times(sockets)
        gevent.sleep(1)
        before = cpu_seconds(pid)
        gevent.sleep(IDLE_SECONDS)
        idle = (cpu_seconds(pid) - before) / IDLE_SECONDS * 100
        figures[count] = {
            "memory per socket (KB)": per_socket / 1024,
            "echo p50 (ms)": statistics.median(echo),
            "echo p99 (ms)": percentile(echo, 0.99),
            "idle CPU (% of a core)": idle,
        }
        print(f"{label}: {count} sockets open, " + ", ".join(f"{k} {v:.1f}" for k, v in figures[count].items()), flush=True)
    for ws in sockets:
        ws.close()
    return figures


def aurion_urls(database_url: str, port: int, count: int) -> list[str]:
    """A session per socket, created in the database directly (the session limit would stop HTTP)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret-key-of-at-least-32-bytes"})
    with app.app_context():
        upgrade()
        widget = create_tenant("bench").widgets[0]
        tokens = [start_session(widget, new_unidentified_visitor(widget)).token for _ in range(count)]
    return [f"ws://127.0.0.1:{port}/api/v1/widget/ws?token={token}" for token in tokens]


def main() -> None:
    counts = [int(n) for n in (sys.argv[1] if len(sys.argv) > 1 else "1000,5000").split(",")]
    raise_descriptor_limit()
    connections = max(counts) + 500
    results = {}
    with tempfile.TemporaryDirectory() as instance:
        database_url = f"sqlite:///{instance}/bench.db"
        port = free_port()
        print(f"creating {max(counts)} sessions...", flush=True)
        urls = aurion_urls(database_url, port, max(counts))
        env = {
            "DATABASE_URL": database_url,
            "AURION_INSTANCE_PATH": instance,
            "SECRET_KEY": "bench-secret-key-of-at-least-32-bytes",
            "AURION_BROKER_URL": "",
            "WEB_CONCURRENCY": "1",
        }
        server = gunicorn("wsgi:app", port, connections, env, config=True)
        try:
            results["aurion"] = measure("aurion", worker_pid(server.pid), urls, counts)
        finally:
            server.terminate()
            server.wait()
        port = free_port()
        server = gunicorn("echo_server:app", port, connections, {}, config=False)
        try:
            urls = [f"ws://127.0.0.1:{port}/echo"] * max(counts)
            results["floor"] = measure("flask-sock echo", worker_pid(server.pid), urls, counts)
        finally:
            server.terminate()
            server.wait()
    print()
    print(f"{'sockets':>8} {'measure':<24} {'aurion':>9} {'floor':>9} {'ratio':>7}")
    for count in counts:
        for name, value in results["aurion"][count].items():
            floor = results["floor"][count][name]
            ratio = value / floor if floor else float("inf")
            print(f"{count:>8} {name:<24} {value:>9.1f} {floor:>9.1f} {ratio:>7.2f}")


if __name__ == "__main__":
    main()
