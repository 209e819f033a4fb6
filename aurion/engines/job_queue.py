"""A durable queue in a table, drained by a background loop in every process: the shape
that webhook deliveries and outgoing email share.

A job row has `status` ("pending" until done or failed), `next_attempt_at`, `attempts`,
`last_error` and `created_at`. Workers and hosts share the table without doing a job
twice: a worker claims one due job at a time with an atomic UPDATE that moves its
`next_attempt_at` past any attempt's timeout (the lease), and only the worker whose
UPDATE changed the row runs it. A worker that dies mid-attempt leaves the row to be
retried once the lease ends, so a job runs at least once. A failed attempt is retried
with doubling, jittered delays for a day, then the job is marked failed with its last
error, which the dashboard shows.

Each process runs one loop per queue, started in each gunicorn worker once forked, or
by a process's first request (never at import or in the factory).
"""

import logging
import random
import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from aurion.extensions import db
from aurion.timestamps import utcnow

log = logging.getLogger(__name__)

# How long a claimed job is hidden from other workers: longer than any attempt takes.
CLAIM_LEASE = timedelta(seconds=90)
# Retries stop, and the job is marked failed, once it is this old.
RETRY_FOR = timedelta(days=1)
MAX_RETRY_DELAY = timedelta(hours=4)
ERROR_MAX_LENGTH = 500


def retry_delay(attempts: int, first_delay: float) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling from `first_delay`
    seconds up to four hours, with ±25 % jitter so that many failures do not retry in step."""
    delay = min(first_delay * 2 ** (attempts - 1), MAX_RETRY_DELAY.total_seconds())
    return timedelta(seconds=delay * random.uniform(0.75, 1.25))


def claim_next(model) -> int | None:
    """Claim the most overdue job of `model`'s table for this worker: its id, or None when nothing is due.

    One at a time, because the lease (CLAIM_LEASE) covers one attempt: a batch claimed
    at once could outlive its lease behind slow servers and be claimed again elsewhere.
    The claim is an UPDATE whose WHERE repeats the due test: on PostgreSQL a competing
    UPDATE waits for ours to commit, re-reads the row and no longer matches; SQLite runs
    one writer at a time. Either way exactly one worker sees rowcount 1.
    """
    now = utcnow()
    due = (model.status == "pending", model.next_attempt_at <= now)
    while True:
        job_id = db.session.execute(db.select(model.id).where(*due).order_by(model.next_attempt_at).limit(1)).scalar()
        db.session.commit()
        if job_id is None:
            return None
        result = db.session.execute(
            db.update(model)
            .where(model.id == job_id, *due)
            .values(next_attempt_at=now + CLAIM_LEASE, attempts=model.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            return job_id
        # Another worker claimed it first: look for the next one.


def record_attempt(job, error: str | None, first_retry: float, done_status: str) -> bool:
    """Record a claimed job's attempt (the caller commits): `done_status` when `error` is
    None, else retried later, or failed once the job is RETRY_FOR old. True when done."""
    now = utcnow()
    job.last_error = error[:ERROR_MAX_LENGTH] if error else None
    if error is None:
        job.status = done_status
    elif now - job.created_at >= RETRY_FOR:
        job.status = "failed"
    else:
        job.next_attempt_at = now + retry_delay(job.attempts, first_retry)
    return error is None


class QueueLoop:
    """This process's loop over one queue: a background thread that runs due jobs, waking
    every `<settings>_POLL_SECONDS` or when this process queues one. It runs only where
    `<settings>_DELIVER` is on; `attempt(job_id)` runs one claimed job."""

    def __init__(self, app: Flask, name: str, model, settings: str, attempt: Callable[[int], None]):
        self._app = app
        self._name = name
        self._model = model
        self._settings = settings
        self._attempt = attempt
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the loop once, when its DELIVER setting is on; later calls do nothing."""
        if not self._app.config[f"{self._settings}_DELIVER"]:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def wake(self) -> None:
        """Look for due jobs now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the current attempt (tests, graceful shutdown)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self._app.app_context():
                try:
                    self.deliver_due()
                except Exception:  # a database hiccup must not end the loop
                    log.exception("%s: an attempt failed; retrying at the next poll", self._name)
                    db.session.rollback()
                finally:
                    db.session.remove()
            self._wake.wait(self._app.config[f"{self._settings}_POLL_SECONDS"])

    def deliver_due(self) -> None:
        """Run every due job, one claim at a time, until none is due."""
        while not self._stop.is_set():
            job_id = claim_next(self._model)
            if job_id is None:
                return
            self._attempt(job_id)
