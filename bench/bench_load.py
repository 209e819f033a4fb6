"""Load: concurrent visitors chatting with the agent on PostgreSQL + Redis, 2 gunicorn gevent workers.

Run from the repository root:
``python bench/bench_load.py [POSTGRESQL_URL] [--visitors 50] [--messages 10]``
(or `AURION_BENCH_DATABASE_URL`; the database is emptied first; Redis at
`AURION_BENCH_REDIS_URL`, default 127.0.0.1:6379 database 4, for limits and the broker).

Each visitor opens a session and its socket, then sends its messages one after another,
each once the agent's answer to the one before has arrived on the socket (as a person
reads before typing again). It prints `POST /widget/messages` p50/p95 (the request
alone) and the agent's answer p50/p95 (from the POST's start to the agent's `message`
frame), against the targets of 300 ms and 2 s at p95: over every message, and over
each visitor's second message on (the first ones arrive all in the same second, with
the 50 sessions and sockets, on workers that have served nothing yet).

First it prints the agent's CPU time per turn, measured in this process over the same
questions (warm: the model loaded; process CPU time, so a steady figure even on a busy
machine), and how many texts each turn embeds.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from aurion import create_app  # noqa: E402
from aurion.agent.turn import answer_visitor  # noqa: E402
from aurion.engines import embedding  # noqa: E402
from aurion.extensions import db  # noqa: E402
from aurion.models import Widget, WidgetSession  # noqa: E402
from aurion.services.knowledge import create_article  # noqa: E402
from aurion.services.messages import add_visitor_message  # noqa: E402
from aurion.services.tenants import create_tenant  # noqa: E402
from tests.support.knowledge import HELP_DESK  # noqa: E402
from tests.support.live_server import gunicorn_server  # noqa: E402
from tests.support.sockets import frames_until, widget_socket  # noqa: E402
from tests.support.visitors import MESSAGES_URL, bearer, post_json, start_session, start_session_over_http  # noqa: E402

# Questions the help desk answers, so that no visitor is handed to a person midway.
QUESTIONS = [
    "How long do refunds take?",
    "I forgot my password, what do I do?",
    "When will my order arrive?",
    "How long is the reset link valid?",
    "Can I get my money back?",
]
POST_TARGET_MS, ANSWER_TARGET_MS = 300, 2000


class WidgetRef:
    def __init__(self, public_id: str, identity_secret: str):
        self.public_id = public_id
        self.identity_secret = identity_secret


def prepare(database_url: str) -> WidgetRef:
    """Empty the database, migrate it, and make a widget with the help desk's articles."""
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        widget = create_tenant("bench").widgets[0]
        for article in HELP_DESK:
            create_article(widget, article)
        return WidgetRef(widget.public_id, widget.identity_secret)


def cpu_per_turn(database_url: str, widget_ref: WidgetRef, visitors: int, messages: int, new_texts: bool) -> tuple[float, float]:
    """The agent's CPU time per turn in ms, and texts embedded per turn, over `visitors` x
    `messages` of the bench's questions answered one after another in this process. With
    `new_texts`, the agent's cache of embeddings is emptied before each turn: the cost of
    a question (and passages) this process has not seen, where the bench's five questions
    otherwise come from the cache after their first turn."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "AURION_AGENT_SWEEP": False, "AURION_LIMIT_SESSION": "100000/minute"}
    )
    logging.getLogger("aurion.access").setLevel(logging.WARNING)  # a line per session, not figures
    embedded = []
    model_embed = embedding._MiniLM.embed

    def counting_embed(model, texts):
        embedded.append(len(texts))
        return model_embed(model, texts)

    with app.app_context():
        widget = db.session.execute(db.select(Widget).filter_by(public_id=widget_ref.public_id)).scalar_one()
        client = app.test_client()
        first = db.session.execute(db.select(db.func.max(WidgetSession.id))).scalar() or 0
        for index in range(visitors + 1):
            start_session(client, widget, f"cpu{index}@example.com")
        sessions = db.session.execute(db.select(WidgetSession).where(WidgetSession.id > first).order_by(WidgetSession.id)).scalars().all()
        warm_up, *sessions = sessions
        add_visitor_message(warm_up, QUESTIONS[0], answered_by_caller=True)
        answer_visitor(warm_up.conversation_id)  # loads the model and the hand-off's exemplars
        embedding._MiniLM.embed = counting_embed
        cpu = 0.0
        try:
            for turn in range(messages):
                for index, session in enumerate(sessions):
                    add_visitor_message(session, QUESTIONS[(index + turn) % len(QUESTIONS)], answered_by_caller=True)
                    if new_texts:
                        embedding.forget_cached()
                    started = time.process_time()
                    answer_visitor(session.conversation_id)
                    cpu += time.process_time() - started
        finally:
            embedding._MiniLM.embed = model_embed
    turns = visitors * messages
    return cpu * 1000 / turns, sum(embedded) / turns


def visit(base_url: str, widget: WidgetRef, index: int, messages: int, posts: list, answers: list, missed: list) -> None:
    session = start_session_over_http(base_url, widget, f"visitor{index}@example.com")
    with widget_socket(base_url, session["token"]) as socket:
        for turn in range(messages):
            started = time.perf_counter()
            try:
                status, body = post_json(base_url, MESSAGES_URL, {"content": QUESTIONS[(index + turn) % len(QUESTIONS)]}, bearer(session))
            except OSError as exc:  # post_json gives up after 10 s
                missed.append(f"POST failed: {type(exc).__name__}")
                continue
            posts.append((turn, (time.perf_counter() - started) * 1000))
            if status != 201:
                missed.append(f"POST {status}: {body.get('title')}")
                continue
            try:
                *_, last = frames_until(socket, lambda f: f["type"] == "error" or (f["type"] == "message" and f["sender"] == "agent"), timeout=30)
            except AssertionError:
                missed.append("no answer within 30 s" if socket.connected else "socket closed by the server")
                continue
            if last["type"] == "error":
                missed.append(f"error frame {last['code']}")
                continue
            answers.append((turn, (time.perf_counter() - started) * 1000))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _print_percentiles(what: str, samples: list[float], target_ms: int) -> None:
    if samples:
        print(
            f"  {what:22} p50 {statistics.median(samples):7.1f} ms   p95 {percentile(samples, 0.95):7.1f} ms"
            f"   (target p95 <= {target_ms} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", default=os.environ.get("AURION_BENCH_DATABASE_URL"))
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cpu-only", action="store_true", help="print the CPU per turn and stop")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        sys.exit("Give a PostgreSQL URL (it is emptied first): python bench/bench_load.py postgresql://...")
    redis_url = os.environ.get("AURION_BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
    widget = prepare(args.database_url)
    for new_texts, label in ((True, "each turn's texts new"), (False, "the bench's questions, cached")):
        cpu_ms, texts = cpu_per_turn(args.database_url, widget, visitors=10, messages=5, new_texts=new_texts)
        print(f"agent's CPU per turn, in process, {label}: {cpu_ms:.1f} ms, {texts:.1f} texts embedded (10 visitors x 5 messages)")
    if args.cpu_only:
        return
    settings = {
        "WEB_CONCURRENCY": str(args.workers),
        "AURION_BROKER_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"bench-load-{time.time_ns()}",  # fresh counters, nothing to flush
        # One IP opens every session; the guide's 5/minute would stop the bench.
        "AURION_LIMIT_SESSION": "100000/minute",
        "AURION_LIMIT_SESSION_PER_IP": "100000/minute",
    }
    posts, answers, missed = [], [], []
    with tempfile.TemporaryDirectory() as instance, gunicorn_server(args.database_url, instance, **settings) as base_url:
        started = time.perf_counter()
        visitors = [
            threading.Thread(target=visit, args=(base_url, widget, index, args.messages, posts, answers, missed))
            for index in range(args.visitors)
        ]
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            visitor.join()
        elapsed = time.perf_counter() - started
    print(f"{args.visitors} visitors x {args.messages} messages, {args.workers} gevent workers, PostgreSQL + Redis; {elapsed:.1f} s")
    for label, first_turn in (("every message", 0), ("from each visitor's second message", 1)):
        print(f"{label}:")
        _print_percentiles("POST /widget/messages", [ms for turn, ms in posts if turn >= first_turn], POST_TARGET_MS)
        _print_percentiles("agent's answer", [ms for turn, ms in answers if turn >= first_turn], ANSWER_TARGET_MS)
    print(f"answers: {len(answers)} of {len(posts)}" + (f"; missed: {sorted(set(missed))}" if missed else ""))


if __name__ == "__main__":
    main()
