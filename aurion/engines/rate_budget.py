"""Rate budgets drawn outside a Flask-Limiter route: the messages a socket or a voice call sends.

The chat socket, the voice call and `POST /widget/messages` draw on one budget per
session: the same storage key as the route's shared limit (the limiter's key prefix,
`ws:<session>`, `MESSAGE_SCOPE`), in the limiter's storage, so with Redis the budget
holds across workers and hosts.

When that storage is unreachable the budget fails open exactly as the routes do
(`RATELIMIT_IN_MEMORY_FALLBACK_ENABLED`): it is counted in Flask-Limiter's in-memory
fallback of this worker until the storage answers again (Flask-Limiter probes it on the
next limited request). With the fallback turned off, the storage's error reaches
`aurion.api.errors`: 503 with Retry-After, never a 500.
"""

import time

from flask import current_app
from limits import RateLimitItem, parse
from limits.errors import StorageError

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
    if not _hit(item, identifiers):
        metrics.limit_refusals.labels(MESSAGE_SCOPE).inc()
        reset_at, _ = limiter.limiter.get_window_stats(item, *identifiers)
        raise Problem(
            429,
            "rate_limited",
            f"Too many messages: the limit is {item}. Try again in {max(1, int(reset_at - time.time()))} s.",
        )


def _hit(item: RateLimitItem, identifiers: list[str]) -> bool:
    """Count one hit in the limiter's storage, or in its in-memory fallback while the storage is away."""
    try:
        return limiter.limiter.hit(item, *identifiers)
    except StorageError:
        if not current_app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"]:
            raise
        current_app.logger.warning("Rate limit storage unreachable: the message budget falls back to memory")
        # What Flask-Limiter does when a route's check fails: `limiter.limiter` is now the
        # fallback, and its next limited request probes the storage for recovery.
        limiter._storage_dead = True
        return limiter.limiter.hit(item, *identifiers)
