"""Voice calls: one record per call, embedded or LiveKit, with its optional recording."""

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurion.extensions import db
from aurion.models.types import JSONList, UTCDateTime
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH
from aurion.timestamps import utcnow


class Call(db.Model):
    """A voice call in a conversation: when, how long, who hung up, its turns, its recording."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    widget_id: Mapped[int] = mapped_column(ForeignKey("widgets.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    transport: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None while the call is going on (or if its process died before it could say).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_seconds: Mapped[float | None] = mapped_column(Float())
    ended_by: Mapped[str | None] = mapped_column(String(16))
    # [{"user": msg id, "agent": msg id | None, "first_answer_seconds": float | None}], in order.
    turns: Mapped[list] = mapped_column(JSONList(), default=list)
    handed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    # A random file name under the upload directory; None when not recorded, or deleted.
    recording_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    recording_bytes: Mapped[int | None] = mapped_column(Integer())

    widget = relationship("Widget")
    conversation = relationship("Conversation")

    __table_args__ = (db.Index("ix_calls_tenant_id_id", "tenant_id", "id"),)
