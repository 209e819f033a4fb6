"""Rate budgets drawn outside a Flask-Limiter route: the messages a socket or a voice call sends.

The chat socket, the voice call and `POST /widget/messages` draw on one budget per
session: the same storage key as the route's shared limit (the limiter's key prefix,
`ws:<session>`, `MESSAGE_SCOPE`), in the limiter's storage, so with Redis the budget
holds across workers and hosts.
"""

import time

from flask import current_app
from limits import parse

from aurion.engines import metrics
from aurion.extensions import limiter
from aurion.problems import Problem

MESSAGE_SCOPE = "widget-message"


def session_bucket(session_public_id: str) -> str:
    """The limiter key of a visitor session's budgets (messages and uploads)."""
    return f"ws:{session_public_id}"


def consume_message_budget(session_public_id: str) -> None:
    """Count one message against the session's send-message limit, or raise 429."""
    item = parse(current_app.config["AURION_LIMIT_MESSAGE"])
    identifiers = [prefix for prefix in [limiter._key_prefix] if prefix] + [session_bucket(session_public_id), MESSAGE_SCOPE]
    if not limiter.limiter.hit(item, *identifiers):
        metrics.limit_refusals.labels(MESSAGE_SCOPE).inc()
        reset_at, _ = limiter.limiter.get_window_stats(item, *identifiers)
        raise Problem(
            429,
            "rate_limited",
            f"Too many messages: the limit is {item}. Try again in {max(1, int(reset_at - time.time()))} s.",
        )
