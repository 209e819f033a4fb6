"""What the team keeps beside conversations: internal notes, saved replies, what each person has read.

None of it is ever shown to a visitor: notes live in their own table, not among messages,
so no visitor-facing read (history, socket, transcript, webhook) can carry one.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurion.extensions import db
from aurion.models.types import UTCDateTime
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH
from aurion.schemas.team import SHORTCUT_MAX_LENGTH
from aurion.timestamps import utcnow


class ConversationNote(db.Model):
    """A teammate's internal note on a conversation."""

    __tablename__ = "conversation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admins.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conversation = relationship("Conversation")
    admin = relationship("Admin")


class SavedReply(db.Model):
    """A reply the team reuses, inserted by typing `/shortcut` in the reply box."""

    __tablename__ = "saved_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    shortcut: Mapped[str] = mapped_column(String(SHORTCUT_MAX_LENGTH))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (db.UniqueConstraint("tenant_id", "shortcut", name="uq_saved_replies_tenant_id_shortcut"),)


class ConversationRead(db.Model):
    """How far one teammate has read a conversation: the unread count is the visitor's messages after it."""

    __tablename__ = "conversation_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admins.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    # The row id of the last message the teammate has seen.
    last_read_message_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        db.UniqueConstraint("admin_id", "conversation_id", name="uq_conversation_reads_admin_id_conversation_id"),
    )
