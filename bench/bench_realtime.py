"""Delivery latency over the live channel: in-process broker vs Redis across processes.

Run from the repository root: ``python bench/bench_realtime.py [N]`` (Redis at
127.0.0.1:6379 for the second half). It opens N sockets (one visitor each) and,
one visitor at a time, posts a question over HTTP and times until that socket
receives (a) the echo of the visitor's own message and (b) the agent's final
answer. In-process: one gunicorn process holds the sockets and takes the POSTs.
Redis: the sockets are held by one process and the POSTs go to another, so every
frame crosses Redis pub/sub.
"""

import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from aurion import create_app  # noqa: E402
from aurion.services.knowledge import create_article  # noqa: E402
from aurion.services.tenants import create_tenant  # noqa: E402
from tests.support.live_server import gunicorn_server  # noqa: E402
from tests.support.sockets import frames_until, widget_socket  # noqa: E402
from tests.support.visitors import post_json, start_session_over_http  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/14"
# The bench opens many sessions from one IP; the guide's 5/minute would stop it.
UNLIMITED_SESSIONS = {"AURION_LIMIT_SESSION": "100000/minute"}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def prepare(database_url: str, instance: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        widget = create_tenant("bench").widgets[0]
        create_article(
            widget,
            {"title": "Refund policy", "body": "Refunds are paid back to the original card within 5 to 10 business days."},
        )
        return widget.public_id, widget.identity_secret


class WidgetRef:
    def __init__(self, public_id, identity_secret):
        self.public_id = public_id
        self.identity_secret = identity_secret


def measure(socket_server: str, post_server: str, widget: WidgetRef, count: int) -> tuple[list[float], list[float]]:
    echo, answer = [], []
    with ExitStack() as stack:
        visitors = []
        for index in range(count):
            session = start_session_over_http(socket_server, widget, f"visitor{index}-{time.monotonic_ns()}@example.com")
            visitors.append((session, stack.enter_context(widget_socket(socket_server, session["token"]))))
        for session, ws in visitors:
            start = time.perf_counter()
            status, _ = post_json(post_server, "/api/v1/widget/messages", {"content": "how long do refunds take?"}, {"Authorization": f"Bearer {session['token']}"})
            assert status == 201
            frames_until(ws, lambda f: f["type"] == "message" and f["sender"] == "user")
            echo.append((time.perf_counter() - start) * 1000)
            frames_until(ws, lambda f: f["type"] == "message" and f["sender"] == "agent")
            answer.append((time.perf_counter() - start) * 1000)
    return echo, answer


def report(label: str, echo: list[float], answer: list[float]) -> None:
    print(f"{label}")
    print(f"  visitor message echoed:  p50 {statistics.median(echo):6.1f} ms   p99 {percentile(echo, 0.99):6.1f} ms")
    print(f"  agent answer delivered:  p50 {statistics.median(answer):6.1f} ms   p99 {percentile(answer, 0.99):6.1f} ms")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with tempfile.TemporaryDirectory() as instance:
        database_url = f"sqlite:///{instance}/bench.db"
        widget = WidgetRef(*prepare(database_url, instance))
        with gunicorn_server(database_url, instance, **UNLIMITED_SESSIONS) as server:
            in_process = measure(server, server, widget, count)
        with (
            gunicorn_server(database_url, instance, AURION_BROKER_URL=REDIS_URL, **UNLIMITED_SESSIONS) as holder,
            gunicorn_server(database_url, instance, AURION_BROKER_URL=REDIS_URL, **UNLIMITED_SESSIONS) as poster,
        ):
            across = measure(holder, poster, widget, count)
    print(f"{count} sockets open, one question each")
    report("in-process broker, one process:", *in_process)
    report("Redis broker, POST on another process:", *across)
    print(f"ratio Redis / in-process (echo p50): {statistics.median(across[0]) / statistics.median(in_process[0]):.2f}")


if __name__ == "__main__":
    main()
