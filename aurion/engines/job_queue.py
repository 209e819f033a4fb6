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

Each process runs one loop per queue (`aurion.engines.background`), started in each
gunicorn worker once forked, or by a process's first request (never at import or in the
factory).
"""

import random
from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from aurion.engines import leases
from aurion.engines.background import BackgroundLoop
from aurion.timestamps import utcnow

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
    `next_attempt_at` is both when the job is due and its claim's lease (`aurion.engines.leases`).
    """
    claim = leases.claim_next(
        model.next_attempt_at,
        model.status == "pending",
        lease=CLAIM_LEASE,
        order_by=model.next_attempt_at,
        attempts=model.attempts + 1,
    )
    return None if claim is None else claim.row_id


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


class QueueLoop(BackgroundLoop):
    """This process's loop over one queue: it runs due jobs, waking every
    `<settings>_POLL_SECONDS` or when this process queues one. It runs only where
    `<settings>_DELIVER` is on; `attempt(job_id)` runs one claimed job."""

    def __init__(self, app: Flask, name: str, model, settings: str, attempt: Callable[[int], None]):
        super().__init__(app, name, f"{settings}_DELIVER", f"{settings}_POLL_SECONDS")
        self._model = model
        self._attempt = attempt

    def round(self) -> None:
        self.deliver_due()

    def deliver_due(self) -> None:
        """Run every due job, one claim at a time, until none is due."""
        while not self.stopping:
            job_id = claim_next(self._model)
            if job_id is None:
                return
            self._attempt(job_id)
