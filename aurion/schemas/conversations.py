"""Conversations as the helpdesk API sees them: lists, one conversation, a person's reply, hand-offs."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, Limit, Model, OptionalText, Query, Text
from aurion.schemas.messages import CONTENT_MAX_LENGTH, HistoryPage
from aurion.schemas.ratings import Rating

# agent: the agent answers; waiting: a person was asked for; human: a person owns it.
CONVERSATION_STATUSES = ("agent", "waiting", "human", "closed")
ConversationStatus = Literal[CONVERSATION_STATUSES]
LIST_DEFAULT_LIMIT = 50
LIST_MAX_LIMIT = 100


class ConversationListQuery(Query):
    status: ConversationStatus | None = None
    limit: Limit(LIST_MAX_LIMIT) = LIST_DEFAULT_LIMIT
    before: OptionalText(PUBLIC_ID_MAX_LENGTH) = Field(None, description="Cursor: next_cursor of the previous page.")


class HumanReply(Model):
    """A person's reply to the visitor."""

    content: Text(CONTENT_MAX_LENGTH)


class Assignment(Model):
    """Who answers from now on: a person (`human`) or the agent (`agent`)."""

    to: Literal["human", "agent"]


class VisitorSummary(Model):
    id: str
    email: str | None
    display_name: str


class ConversationSummary(Model):
    id: str
    status: ConversationStatus
    widget_id: str
    visitor: VisitorSummary
    contact_email: str | None = Field(description="The address an anonymous visitor left to be answered at.")
    arrived_while_away: bool = Field(description="A person was asked for outside business hours.")
    rating: Rating | None = Field(description="The visitor's rating once the conversation ended.")
    created_at: datetime
    updated_at: datetime


class ConversationList(Model):
    conversations: list[ConversationSummary]
    next_cursor: str | None


class ConversationDetail(ConversationSummary, HistoryPage):
    """A conversation with a page of its messages (paged like the widget's history)."""
