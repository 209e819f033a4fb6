"""Visitors, their sessions, conversations, messages and attachments."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurion.extensions import db
from aurion.models.types import JSONList, UTCDateTime
from aurion.schemas.fields import EMAIL_MAX_LENGTH, PUBLIC_ID_MAX_LENGTH, URL_MAX_LENGTH
from aurion.schemas.messages import ATTACHMENT_NAME_MAX_LENGTH, CLIENT_ID_MAX_LENGTH
from aurion.schemas.sessions import DISPLAY_NAME_MAX_LENGTH
from aurion.schemas.team import TIME_ZONE_MAX_LENGTH, USER_AGENT_MAX_LENGTH
from aurion.timestamps import utcnow


class Visitor(db.Model):
    """Someone on the site: identified by the site's email token, or anonymous."""

    __tablename__ = "visitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    widget_id: Mapped[int] = mapped_column(ForeignKey("widgets.id", ondelete="CASCADE"), index=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    # None for anonymous visitors.
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX_LENGTH))
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    widget = relationship("Widget")

    __table_args__ = (db.UniqueConstraint("widget_id", "email", name="uq_visitors_widget_id_email"),)


class Conversation(db.Model):
    """One visitor's thread with the agent and the tenant's people, across modes."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    widget_id: Mapped[int] = mapped_column(ForeignKey("widgets.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="agent", index=True)
    # A person was asked for outside the widget's business hours.
    arrived_while_away: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where an anonymous visitor asked to be answered (the away hand-off asks for it).
    contact_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The agent owes the visitor an answer since this time (their last message); None when
    # it owes none. Set with the visitor's message, so a turn lost in a crash is still owed.
    agent_turn_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The lease of the worker answering now (aurion.engines.leases); None when none is.
    agent_turn_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The teammate the conversation is assigned to; None: unassigned.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("admins.id", ondelete="SET NULL"), index=True)

    widget = relationship("Widget")
    visitor = relationship("Visitor")
    rating = relationship("Rating", uselist=False, back_populates="conversation")
    assignee = relationship("Admin")

    def reply_address(self) -> str | None:
        """Where email to the visitor goes: the address they left, or the one their token proves."""
        return self.contact_email or self.visitor.email


class Rating(db.Model):
    """The visitor's verdict on a finished conversation: one per conversation, changeable for a day."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), unique=True)
    # good | okay | bad
    score: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    conversation = relationship("Conversation", back_populates="rating")


class WidgetSession(db.Model):
    """A visitor's authenticated session; its bearer token names it."""

    __tablename__ = "widget_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    widget_id: Mapped[int] = mapped_column(ForeignKey("widgets.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where and on what the visitor opened the widget, shown beside the conversation in the inbox.
    page_url: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH))
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_MAX_LENGTH))
    # The visitor's IANA time zone as their browser reports it ("Europe/Berlin").
    time_zone: Mapped[str | None] = mapped_column(String(TIME_ZONE_MAX_LENGTH))

    widget = relationship("Widget")
    visitor = relationship("Visitor")
    conversation = relationship("Conversation")


class Message(db.Model):
    """One turn of a conversation, typed or spoken."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(8))
    mode: Mapped[str] = mapped_column(String(8), default="chat")
    content: Mapped[str] = mapped_column(Text)
    # Articles an agent message drew on: [{"id", "title", "url"}].
    sources: Mapped[list] = mapped_column(JSONList())
    # The id the visitor's client sent it with: a resend with the same id is not stored twice.
    client_id: Mapped[str | None] = mapped_column(String(CLIENT_ID_MAX_LENGTH))
    # The dashboard admin who wrote a human message.
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admins.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conversation = relationship("Conversation")
    admin = relationship("Admin")
    attachments = relationship("Attachment", back_populates="message", order_by="Attachment.id")

    __table_args__ = (
        db.UniqueConstraint("conversation_id", "client_id", name="uq_messages_conversation_id_client_id"),
    )


class Attachment(db.Model):
    """An uploaded file; readable by its session's visitor and the tenant's admins."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("widget_sessions.id", ondelete="SET NULL"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(ATTACHMENT_NAME_MAX_LENGTH))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    # A random file name under the upload directory; never derived from the visitor's name.
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    message = relationship("Message", back_populates="attachments")
