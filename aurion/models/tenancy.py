"""Tenants and the people and keys that act for them."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurion.extensions import db
from aurion.models.types import StringList, UTCDateTime
from aurion.schemas.fields import EMAIL_MAX_LENGTH, PUBLIC_ID_MAX_LENGTH
from aurion.schemas.keys import API_KEY_NAME_MAX_LENGTH
from aurion.schemas.team import ADMIN_NAME_MAX_LENGTH, ROLE_MAX_LENGTH
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
    """A person of a tenant's team who signs in to the dashboard: an owner, or an agent (inbox only)."""

    __tablename__ = "admins"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # What visitors and teammates see; empty: the email's local part (aurion.services.team).
    display_name: Mapped[str] = mapped_column(String(ADMIN_NAME_MAX_LENGTH), default="")
    role: Mapped[str] = mapped_column(String(ROLE_MAX_LENGTH), default="owner")
    # An uploaded picture under the upload directory (random name); None: initials on a colour.
    avatar_storage_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    avatar_content_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The admin's last dashboard request: "online" means recently (aurion.services.presence).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tenant = relationship("Tenant")


class Invitation(db.Model):
    """An owner's one-time link for a new teammate. Only a SHA-256 of the link's token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    role: Mapped[str] = mapped_column(String(ROLE_MAX_LENGTH))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("admins.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the link is used (or withdrawn): a link works once.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tenant = relationship("Tenant")
    invited_by = relationship("Admin")
