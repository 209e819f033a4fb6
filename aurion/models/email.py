"""The durable queue of outgoing email."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aurion.extensions import db
from aurion.models.types import UTCDateTime
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH
from aurion.timestamps import utcnow


class OutgoingEmail(db.Model):
    """One email on its way: pending until sent, or failed after a day of retries.

    Claimed like a webhook delivery (aurion.engines.job_queue): `next_attempt_at` moves
    past the SMTP timeout in one atomic UPDATE, so one worker sends it.
    """

    __tablename__ = "outgoing_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    # waiting | transcript | invitation
    kind: Mapped[str] = mapped_column(String(20))
    # Emails that must go at most once ("waiting:<conversation>") carry a key; the unique
    # index refuses the second.
    once_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text())
    html_body: Mapped[str] = mapped_column(Text())
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (db.Index("ix_outgoing_emails_status_next_attempt_at", "status", "next_attempt_at"),)
