"""Visitor sessions: the body of `POST /widget/session` and its answer."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from aurion.schemas.conversations import ConversationStatus
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, URL_MAX_LENGTH, ContactEmail, Limit, Model, OptionalText, Query
from aurion.schemas.messages import HistoryPage, WidgetMessage
from aurion.schemas.team import TIME_ZONE_MAX_LENGTH
from aurion.schemas.widgets import is_time_zone

EMAIL_TOKEN_MAX_LENGTH = 2048
VISITOR_TOKEN_MAX_LENGTH = 2048
DISPLAY_NAME_MAX_LENGTH = 120
EARLIER_DEFAULT_LIMIT = 5
EARLIER_MAX_LIMIT = 20


# What the browser says of the page and its clock is a hint for the team, never a reason to refuse
# a visitor: a page that is no http(s) URL or a zone this server does not know is dropped.
def _web_page(value: str | None) -> str | None:
    return value if value and value.lower().startswith(("http://", "https://")) else None


def _known_zone(value: str | None) -> str | None:
    return value if value and is_time_zone(value) else None


PageUrl = Annotated[OptionalText(URL_MAX_LENGTH), AfterValidator(_web_page)]
TimeZone = Annotated[OptionalText(TIME_ZONE_MAX_LENGTH), AfterValidator(_known_zone)]


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
    page_url: PageUrl = Field(None, description="The page the visitor opened the widget on (http(s) only; shown to the team).")
    time_zone: TimeZone = Field(None, description="The visitor's IANA time zone, from their browser (an unknown one is dropped).")


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
    earlier_conversations: int = Field(description="How many other conversations the visitor had on this widget.")


class EarlierQuery(Query):
    limit: Limit(EARLIER_MAX_LIMIT) = EARLIER_DEFAULT_LIMIT
    before: OptionalText(PUBLIC_ID_MAX_LENGTH) = Field(None, description="A conversation id: the page of older ones.")


class EarlierConversation(Model):
    """One of the visitor's earlier conversations, read-only, with its latest messages oldest first."""

    id: str
    status: ConversationStatus
    created_at: datetime
    messages: list[WidgetMessage]
    has_more: bool = Field(description="Older messages exist beyond these.")


class EarlierConversations(Model):
    """The visitor's other conversations on this widget, newest first."""

    conversations: list[EarlierConversation]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `before` for the next (older) page.")


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
