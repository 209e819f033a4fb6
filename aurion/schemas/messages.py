"""Messages: what a visitor sends (API and chat socket), how a message looks everywhere, history pages."""

from datetime import datetime
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, Limit, Model, OptionalText, Query, Text

CONTENT_MAX_LENGTH = 4000
# The stored name of an upload (the visitor's file name, cleaned and cut to this).
ATTACHMENT_NAME_MAX_LENGTH = 255
ATTACHMENTS_MAX = 10
# A client's own id for a message it sends (a UUID fits): a resend is stored once.
CLIENT_ID_MAX_LENGTH = 64
HISTORY_DEFAULT_LIMIT = 50
HISTORY_MAX_LIMIT = 100
SENDERS = ("user", "agent", "human")
MESSAGE_MODES = ("chat", "voice")


class WidgetMessageRequest(Model):
    """A visitor's message: text, attachments uploaded before, or both."""

    attachment_ids: list[Text(PUBLIC_ID_MAX_LENGTH)] = Field(
        default=[], max_length=ATTACHMENTS_MAX, description="Ids of this session's uploads that no message carries yet."
    )
    content: Text(CONTENT_MAX_LENGTH, min_length=0) = Field(default="", validate_default=True)
    client_id: OptionalText(CLIENT_ID_MAX_LENGTH) = Field(
        None,
        description=(
            "The client's own id for this message (a UUID, say): sent again with the same id, "
            "after a lost answer or a reconnect, the message is stored once and answered with the stored one."
        ),
    )

    @field_validator("content")
    @classmethod
    def _says_something(cls, content: str, info: ValidationInfo) -> str:
        if not content and not info.data.get("attachment_ids"):
            raise PydanticCustomError("content_empty", "must not be empty (unless the message carries attachments)")
        return content


class TypingFrame(Model):
    """The visitor started (`active: true`) or stopped writing; the widget sends it at most every few seconds."""

    active: bool


class Source(Model):
    """An article an agent's answer drew on."""

    id: int
    title: str
    url: str | None


class WidgetAttachment(Model):
    id: str
    name: str
    type: str = Field(description="Decided from the content.")
    size: int
    url: str
    created_at: datetime


class Person(Model):
    """A teammate as visitors see them (never their email)."""

    name: str = Field(examples=["Sam Lee"])
    initials: str = Field(examples=["SL"])
    color: str = Field(description="The initials' background, #rrggbb.")
    avatar_url: str | None = Field(description="Their picture, a path on the Aurion host; none: show the initials.")


class WidgetMessage(Model):
    """A message as the API, history pages and the WebSocket `message` frame show it."""

    type: Literal["message"]
    id: str
    content: str
    sender: Literal[SENDERS]
    mode: Literal[MESSAGE_MODES]
    created_at: datetime
    sources: list[Source]
    attachments: list[WidgetAttachment]
    author: Person | None = Field(None, description="Who of the team wrote a `human` message.")


class HistoryQuery(Query):
    """A page of a conversation: the latest messages, or those `before` or `after` a message id."""

    limit: Limit(HISTORY_MAX_LIMIT) = HISTORY_DEFAULT_LIMIT
    before: OptionalText(PUBLIC_ID_MAX_LENGTH) = Field(None, description="Cursor: the older page before this message id.")
    after: OptionalText(PUBLIC_ID_MAX_LENGTH) = Field(None, description="Cursor: the newer page after this message id.")

    @field_validator("after")
    @classmethod
    def _one_direction(cls, after: str | None, info: ValidationInfo) -> str | None:
        if after is not None and info.data.get("before") is not None:
            raise PydanticCustomError("two_cursors", "send either after or before, not both")
        return after


class HistoryPage(Model):
    messages: list[WidgetMessage]
    has_more: bool
    next_cursor: str | None = Field(description="Pass it as the same parameter (before or after) for the next page.")
