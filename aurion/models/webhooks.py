"""A tenant's webhooks, and the durable queue of their deliveries."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurion.extensions import db
from aurion.models.types import StringList, UTCDateTime
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH
from aurion.schemas.webhooks import WEBHOOK_URL_MAX_LENGTH
from aurion.timestamps import utcnow


class Webhook(db.Model):
    """An endpoint of the tenant's that is told about the events it subscribed to."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(WEBHOOK_URL_MAX_LENGTH))
    events: Mapped[list[str]] = mapped_column(StringList())
    # Not the signing secret: the secret is derived from this and the app's SECRET_KEY
    # (aurion.services.webhooks.signing_secret), so the database alone cannot forge a delivery.
    secret_salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tenant = relationship("Tenant")


class WebhookDelivery(db.Model):
    """One event on its way to one webhook: pending until delivered, or failed after a day of retries.

    `next_attempt_at` doubles as the claim: a worker that takes a delivery moves it into
    the future (past the request's timeout) in one atomic UPDATE, so no other worker or
    host takes it meanwhile, and a worker that dies mid-delivery leaves it to be retried.
    """

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), index=True)
    event_type: Mapped[str] = mapped_column(String(40))
    # The exact bytes sent (as text): every attempt and every resend signs the same body.
    body: Mapped[str] = mapped_column(Text())
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_response_code: Mapped[int | None] = mapped_column(Integer())
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    webhook = relationship("Webhook")

    __table_args__ = (
        db.Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        db.Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )
