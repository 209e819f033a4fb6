"""Time the analytics of a 30-day window holding 50,000 messages, on SQLite and PostgreSQL.

Run from the repository root: ``python bench/bench_analytics.py [POSTGRESQL_URL]`` (or set
``AURION_BENCH_DATABASE_URL``). The PostgreSQL database must exist and is emptied first;
never point this at a database you keep. Without a URL, or when it is unreachable, only
SQLite (a temporary file) is measured.

Seeds one tenant with two widgets (the help center of tests/support/help_center.py as the
first one's knowledge base), 50,000 messages in conversations spread over the last 30 UTC
days: a third handed off, most of those answered by a person; 600 unanswered questions.
Prints the median of several runs of a widget's and the tenant's analytics, and the part of
it spent on the unanswered questions (grouping by meaning, and checking each group against
the knowledge base).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from aurion import create_app  # noqa: E402
from aurion.engines.embedding import embed, encode_vector  # noqa: E402
from aurion.extensions import db  # noqa: E402
from aurion.models import Conversation, Message, UnansweredQuestion, Visitor, Widget  # noqa: E402
from aurion.services.analytics import WINDOW_DAYS, tenant_analytics, widget_analytics  # noqa: E402
from aurion.services.conversations import HANDOFF_NOTICE  # noqa: E402
from aurion.services.knowledge import create_article  # noqa: E402
from aurion.services.knowledge_gaps import knowledge_gaps  # noqa: E402
from aurion.services.tenants import create_tenant  # noqa: E402
from aurion.services.widgets import create_widget  # noqa: E402
from tests.support.help_center import ARTICLES  # noqa: E402

MESSAGES = 50_000
UNANSWERED = 600
RUNS = 7
TARGET_MS = 300
QUESTIONS = [
    "Do you ship to Canada?", "Can you deliver to Canada?", "Do you offer a student discount?",
    "Are there discounts for students?", "What's your office address?", "Do you sell gift cards?",
    "Can I pay with PayPal?", "Is there a mobile app?", "Do you have a phone number?",
    "Are you hiring?", "Can I change my username?", "Do you have a referral program?",
]


def seed(widgets, rng: random.Random) -> int:
    """Store conversations of 2 to 14 messages until there are MESSAGES; returns how many conversations."""
    today = datetime.now(timezone.utc).date()
    visitors, conversations, messages = [], [], []
    number = 0
    while len(messages) < MESSAGES:
        number += 1
        widget = widgets[number % len(widgets)]
        day = today - timedelta(days=rng.randrange(WINDOW_DAYS))
        moment = datetime.combine(day, clock(rng.randrange(24), rng.randrange(60)), tzinfo=timezone.utc)
        handed_off = rng.random() < 0.33
        answered = handed_off and rng.random() < 0.8
        status = ("human" if answered else "waiting") if handed_off else rng.choice(("agent", "closed"))
        visitors.append({"id": number, "widget_id": widget.id, "public_id": f"vis_bench{number}", "display_name": "",
                         "created_at": moment, "last_seen_at": moment})
        conversations.append({"id": number, "public_id": f"conv_bench{number}", "tenant_id": widget.tenant_id,
                              "widget_id": widget.id, "visitor_id": number, "status": status,
                              "created_at": moment, "updated_at": moment})
        turns = [("user", "A question"), ("agent", "An answer")] * rng.randrange(1, 6)
        if handed_off:
            turns += [("user", "A person please"), ("agent", HANDOFF_NOTICE)]
        if answered:
            turns += [("human", "Hello, I'm here")] + [("user", "Thanks"), ("human", "You're welcome")] * rng.randrange(2)
        for sender, content in turns:
            moment += timedelta(seconds=rng.randrange(5, 400))
            messages.append({"public_id": f"msg_bench{len(messages)}", "conversation_id": number, "sender": sender,
                             "mode": "chat", "content": content, "sources": [], "created_at": moment})
    vectors = dict(zip(QUESTIONS, (encode_vector(v) for v in embed(QUESTIONS))))
    unanswered = []
    for _ in range(UNANSWERED):
        conversation = rng.choice(conversations)
        question = rng.choice(QUESTIONS)
        unanswered.append({"widget_id": conversation["widget_id"], "conversation_id": conversation["id"],
                           "question": question, "vector": vectors[question], "asked_at": conversation["created_at"]})
    for model, rows in ((Visitor, visitors), (Conversation, conversations), (Message, messages[:MESSAGES]),
                        (UnansweredQuestion, unanswered)):
        db.session.execute(sa.insert(model), rows)
    db.session.commit()
    return number


def median_ms(work) -> float:
    """The median wall time of RUNS calls of `work` (after one to warm up), with a fresh session each time."""
    work()
    samples = []
    for _ in range(RUNS):
        db.session.remove()
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(name: str, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        tenant = create_tenant("bench")
        widgets = [tenant.widgets[0], create_widget(tenant, name="Second widget")]
        for title, body in ARTICLES.values():
            create_article(widgets[0], {"title": title, "body": body})
        started = time.perf_counter()
        conversations = seed(widgets, random.Random(15))
        if db.engine.dialect.name == "postgresql":
            # Autovacuum would gather the planner's statistics soon after a load like this one;
            # without them PostgreSQL guesses a handful of rows and picks nested loops.
            with db.engine.begin() as connection:
                connection.execute(sa.text("ANALYZE"))
        print(f"{name}: seeded {MESSAGES:,} messages in {conversations:,} conversations in {time.perf_counter() - started:.1f} s")
        tenant_id, widget_ids = tenant.id, [widget.id for widget in widgets]
        widget_ms = median_ms(lambda: widget_analytics(db.session.get(Widget, widget_ids[0])))
        tenant_ms = median_ms(lambda: tenant_analytics(tenant_id))
        gaps_ms = median_ms(lambda: [knowledge_gaps(db.session.get(Widget, widget_id)) for widget_id in widget_ids])
        analytics = tenant_analytics(tenant_id)
        print(f"  tenant: {analytics.conversations:,} conversations, {analytics.resolved_share:.1%} resolved by the agent, "
              f"median first human response {analytics.median_first_response_seconds:.0f} s")
        verdict = "OK" if max(widget_ms, tenant_ms) < TARGET_MS else "OVER"
        print(f"  widget analytics {widget_ms:.1f} ms, tenant analytics {tenant_ms:.1f} ms "
              f"(of which unanswered questions {gaps_ms:.1f} ms); target {TARGET_MS} ms: {verdict}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        measure("SQLite", f"sqlite:///{directory}/bench.db")
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("AURION_BENCH_DATABASE_URL")
    if not url:
        print("PostgreSQL: skipped (pass its URL or set AURION_BENCH_DATABASE_URL)")
        return
    try:
        sa.create_engine(url).connect().close()
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL: skipped, {url} is unreachable ({str(exc).splitlines()[0]})")
        return
    measure("PostgreSQL", url)


if __name__ == "__main__":
    main()
