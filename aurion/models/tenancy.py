"""Tenants and the people and keys that act for them."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurion.extensions import db
from aurion.models.types import StringList, UTCDateTime
from aurion.schemas.fields import EMAIL_MAX_LENGTH
from aurion.schemas.keys import API_KEY_NAME_MAX_LENGTH
from aurion.timestamps import utcnow


class Tenant(db.Model):
    """A customer of Aurion: owns widgets, keys, admins and conversations."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    widgets = relationship("Widget", back_populates="tenant", order_by="Widget.id")


class ApiKey(db.Model):
    """A key for the server-to-server API. Only a SHA-256 of the key is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(API_KEY_NAME_MAX_LENGTH), default="")
    # The first characters of the key, so an admin can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(24))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(StringList())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tenant = relationship("Tenant")


class Admin(db.Model):
    """A person who signs in to the dashboard for one tenant."""

    __tablename__ = "admins"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The admin's last dashboard request: "online" means recently (aurion.services.presence).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tenant = relationship("Tenant")
