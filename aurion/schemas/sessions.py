"""Visitor sessions: the body of `POST /widget/session` and its answer."""

from datetime import datetime

from pydantic import Field

from aurion.schemas.conversations import ConversationStatus
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, ContactEmail, Model, OptionalText
from aurion.schemas.messages import HistoryPage

EMAIL_TOKEN_MAX_LENGTH = 2048
VISITOR_TOKEN_MAX_LENGTH = 2048
DISPLAY_NAME_MAX_LENGTH = 120


class WidgetSessionRequest(Model):
    """Who the visitor is: an email token minted by the site's backend, or `widget_id` alone
    for an anonymous visitor where the widget allows it."""

    email_token: OptionalText(EMAIL_TOKEN_MAX_LENGTH) = Field(None, description="payload.signature, minted by the site's backend.")
    display_name: OptionalText(DISPLAY_NAME_MAX_LENGTH) = None
    widget_id: OptionalText(PUBLIC_ID_MAX_LENGTH) = Field(
        None, description="Required for anonymous visitors; must match the token's otherwise."
    )
    visitor_token: OptionalText(VISITOR_TOKEN_MAX_LENGTH) = Field(
        None, description="An anonymous visitor's token from an earlier session."
    )


class WidgetSession(Model):
    session_id: str = Field(examples=["ws_abc123"])
    token: str = Field(description="The bearer JWT for the other widget calls and the WebSocket.")
    expires_at: datetime
    conversation_id: str
    conversation_status: ConversationStatus
    visitor_id: str
    widget_id: str
    visitor_token: str | None = Field(None, description="Anonymous visitors only: send it back to resume.")


class WidgetHistory(HistoryPage):
    """One page of the visitor's conversation, oldest first."""

    conversation_id: str
    status: ConversationStatus


class ContactRequest(Model):
    """Where an anonymous visitor wants a person's answer (asked for when nobody is in)."""

    email: ContactEmail


class ContactReply(Model):
    contact_email: str


class ConversationEnded(Model):
    conversation_id: str
    status: ConversationStatus


class TranscriptSent(Model):
    sent_to: str
