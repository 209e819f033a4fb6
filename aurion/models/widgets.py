"""Widgets: what a site embeds, and how it looks and behaves."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurion.extensions import db
from aurion.models.types import StringList, UTCDateTime
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH
from aurion.schemas.team import REPLY_TIME_TEXT_MAX_LENGTH
from aurion.schemas.widgets import COLOR_LENGTH, GREETING_MAX_LENGTH, WIDGET_NAME_MAX_LENGTH
from aurion.timestamps import utcnow


class Widget(db.Model):
    """One embeddable widget of a tenant. The tenant's first widget is its default."""

    __tablename__ = "widgets"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    # The id in the embed snippet; replaced by regenerate-key.
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    # Signs visitors' email tokens. Kept readable: the admin copies it into their backend.
    identity_secret: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(WIDGET_NAME_MAX_LENGTH))
    greeting: Mapped[str] = mapped_column(String(GREETING_MAX_LENGTH))
    primary_color: Mapped[str] = mapped_column(String(COLOR_LENGTH))
    position: Mapped[str] = mapped_column(String(20))
    allowed_domains: Mapped[list[str]] = mapped_column(StringList())
    modes: Mapped[list[str]] = mapped_column(StringList())
    allow_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Voice calls recorded (both sides, one mono track), kept this many days.
    record_calls: Mapped[bool] = mapped_column(Boolean, default=False)
    recording_retention_days: Mapped[int] = mapped_column(Integer, default=30)
    # When a person is in: {"timezone", "weekly": {"monday": [["09:00", "17:00"]], ...},
    # "closed_dates": ["2026-12-25"]} (aurion.services.business_hours); None: always in.
    business_hours: Mapped[dict | None] = mapped_column(JSON())
    # The widget's language: a catalogue locale, or "auto" (the visitor's browser decides).
    locale: Mapped[str] = mapped_column(String(8), default="auto")
    # The greeting in other languages, {"de": "Hallo!"}; `greeting` is the fallback.
    greetings: Mapped[dict | None] = mapped_column(JSON(), default=dict)
    # Email the visitor the transcript when the conversation is closed (where an address is known).
    transcript_auto: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Typically replies in …" as the owner words it; empty: measured (aurion.services.team).
    reply_time_text: Mapped[str] = mapped_column(String(REPLY_TIME_TEXT_MAX_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    tenant = relationship("Tenant", back_populates="widgets")
