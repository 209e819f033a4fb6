"""Prometheus metrics: the figures an operator watches, one object each, for any floor to update.

Every layer may count here (engines and up): the request hooks of the app, the
sockets (`open_sockets`), the agent (`agent_turn_seconds`), voice (`voice_calls`),
the limits (`limit_refusals`) and the broker (`broker_reconnects`: the broker calls
`metrics.broker_reconnects.inc()` each time its listener (re)starts after losing
Redis). Messages are counted from the database session itself, once committed.

Under gunicorn each worker is a process: `gunicorn.conf.py` points
`PROMETHEUS_MULTIPROC_DIR` at a fresh folder before any worker starts, every process
writes its values there, and `exposition()` adds them up at scrape time
(prometheus-client's multiprocess mode). Without the variable (tests, `flask run`)
the process's own registry is read.
"""

import os
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

from aurion.models import Message

# Routes not in the URL map share one label, so scanners cannot grow the series without bound.
UNMATCHED_ROUTE = "<unmatched>"

requests = Counter("aurion_http_requests", "HTTP requests answered, by route, method and status", ["route", "method", "status"])
request_seconds = Histogram(
    "aurion_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method (WebSockets not included)",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
open_sockets = Gauge(
    "aurion_open_sockets", "WebSockets open now, by kind (chat, voice)", ["kind"], multiprocess_mode="livesum"
)
messages_stored = Counter("aurion_messages_stored", "Messages stored, by sender (user, agent, human)", ["sender"])
agent_turn_seconds = Histogram(
    "aurion_agent_turn_duration_seconds",
    "Time the agent took for one turn, from start to stored answer, by outcome (answered, skipped, failed)",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40),
)
voice_calls = Counter("aurion_voice_calls", "Voice calls started in this process (embedded voice; a LiveKit worker counts its own)")
limit_refusals = Counter(
    "aurion_limit_refusals", "Refusals by a rate limit (429): by route, or widget-message for socket and voice messages", ["limit"]
)
broker_reconnects = Counter("aurion_broker_reconnects", "Times the Redis broker's listener (re)connected and subscribed")


def exposition() -> tuple[bytes, str]:
    """Every metric in Prometheus' text format, summed over the server's processes; and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # the folder a gunicorn server's processes share
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


@contextmanager
def open_socket(kind: str):
    """`with open_socket("chat"):` counts the socket as open for the block's duration."""
    gauge = open_sockets.labels(kind)
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


def _note_new_messages(session: Session, flush_context, instances) -> None:
    pending = session.info.setdefault("aurion_new_message_senders", [])
    pending.extend(instance.sender for instance in session.new if isinstance(instance, Message))


def _count_committed_messages(session: Session) -> None:
    for sender in session.info.pop("aurion_new_message_senders", ()):
        messages_stored.labels(sender).inc()


def _forget_rolled_back_messages(session: Session) -> None:
    session.info.pop("aurion_new_message_senders", None)


_SESSION_HOOKS = (
    ("before_flush", _note_new_messages),
    ("after_commit", _count_committed_messages),
    ("after_rollback", _forget_rolled_back_messages),
)


def count_messages() -> None:
    """Count messages where every one passes (the visitor's, the agent's, a person's reply),
    and only once committed: a rolled-back message was never stored. Idempotent."""
    for name, hook in _SESSION_HOOKS:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
