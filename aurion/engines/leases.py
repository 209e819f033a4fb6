"""Claims with a lease on database rows, so that work queued in a table is done by one
worker at a time across processes and hosts (webhook deliveries, agent turns).

A claim is an UPDATE whose WHERE repeats "free and due": on PostgreSQL a competing
UPDATE waits for ours to commit, re-reads the row and no longer matches; SQLite runs
one writer at a time. Either way exactly one worker sees rowcount 1. A worker that dies
holding a claim leaves the row to others once the lease ends. Renewing and releasing
match the lease's exact end, so a worker whose lease lapsed and was taken over cannot
renew or release the new holder's claim.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import InstrumentedAttribute

from aurion.extensions import db
from aurion.timestamps import utcnow


@dataclass(frozen=True)
class Claim:
    """A row held until `until`, through the column `lease_column` that stores that end."""

    lease_column: InstrumentedAttribute
    row_id: int
    until: datetime
    lease: timedelta


def _free(lease_column: InstrumentedAttribute, now: datetime):
    return or_(lease_column.is_(None), lease_column <= now)


def _update(column: InstrumentedAttribute, row_id: int, *where, **values) -> int:
    model = column.class_
    result = db.session.execute(
        db.update(model).where(model.id == row_id, *where).values(**values).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def try_claim(lease_column: InstrumentedAttribute, row_id: int, *conditions, lease: timedelta, **values: Any) -> Claim | None:
    """Claim row `row_id` for `lease` if its lease is free (NULL or past) and `conditions`
    hold; `values` are set with the claim. The claim, or None when another worker has it."""
    now = utcnow()
    until = now + lease
    if _update(lease_column, row_id, _free(lease_column, now), *conditions, **{lease_column.key: until}, **values) != 1:
        return None
    return Claim(lease_column, row_id, until, lease)


def claim_next(lease_column: InstrumentedAttribute, *conditions, lease: timedelta, order_by, **values: Any) -> Claim | None:
    """Claim the first free row (by `order_by`) where `conditions` hold, or None when there is none."""
    model = lease_column.class_
    while True:
        row_id = db.session.execute(
            db.select(model.id).where(_free(lease_column, utcnow()), *conditions).order_by(order_by).limit(1)
        ).scalar()
        db.session.commit()
        if row_id is None:
            return None
        claim = try_claim(lease_column, row_id, *conditions, lease=lease, **values)
        if claim is not None:
            return claim
        # Another worker claimed it first: look for the next one.


def renew(claim: Claim) -> Claim | None:
    """Extend the claim by its lease from now; None when it lapsed and another worker took the row."""
    until = utcnow() + claim.lease
    column = claim.lease_column
    if _update(column, claim.row_id, column == claim.until, **{column.key: until}) != 1:
        return None
    return Claim(column, claim.row_id, until, claim.lease)


def release(claim: Claim, **values: Any) -> bool:
    """Free the row now (setting `values` with it), unless the claim lapsed and was taken over."""
    column = claim.lease_column
    return _update(column, claim.row_id, column == claim.until, **{column.key: None}, **values) == 1
