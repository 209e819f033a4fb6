"""The helpdesk API: a tenant's widget conversations, read and answered by people."""

from flask import Blueprint, g

from aurion.api.operations import Reply, operation
from aurion.api.requests import api_key_required
from aurion.schemas.conversations import (
    Assignment,
    ConversationDetail,
    ConversationList,
    ConversationListQuery,
    ConversationSummary,
    HumanReply,
)
from aurion.schemas.messages import HistoryQuery, WidgetMessage
from aurion.services.conversations import (
    assign,
    close,
    conversation_summary,
    find_conversation,
    human_reply,
    list_conversations,
)
from aurion.services.messages import history_page, message_to_dict

bp = Blueprint("conversations_api", __name__, url_prefix="/api/v1/conversations")

_CLOSED = (409, "The conversation is closed")


def _conversation(conversation_id: str):
    return find_conversation(g.api_key.tenant_id, conversation_id)


@bp.get("")
@api_key_required("conversations:read")
@operation("List conversations", query=ConversationListQuery, responses={200: Reply("A page of conversations", ConversationList)})
def get_conversations(query: ConversationListQuery):
    """The tenant's conversations, newest first; `?status=waiting` for those waiting for a person."""
    return list_conversations(g.api_key.tenant_id, query.status, query.limit, query.before)


@bp.get("/<conversation_id>")
@api_key_required("conversations:read")
@operation(
    "Read a conversation and a page of its messages",
    query=HistoryQuery,
    responses={200: Reply("The conversation", ConversationDetail)},
)
def get_conversation(conversation_id: str, query: HistoryQuery):
    """One conversation with a page of its messages (the same paging as the widget's history)."""
    conversation = _conversation(conversation_id)
    page = history_page(conversation, query.after, query.before, query.limit)
    return {**conversation_summary(conversation), **{k: v for k, v in page.items() if k not in ("conversation_id", "status")}}


@bp.post("/<conversation_id>/messages")
@api_key_required("conversations:write")
@operation("Reply as a person", body=HumanReply, responses={201: Reply("The stored reply", WidgetMessage)}, problems=[_CLOSED])
def post_human_message(conversation_id: str, body: HumanReply):
    """A person's reply, delivered live to the visitor; the person now owns the conversation."""
    message = human_reply(_conversation(conversation_id), body.content)
    return message_to_dict(message), 201


@bp.post("/<conversation_id>/assign")
@api_key_required("conversations:write")
@operation(
    "Take over or hand back to the agent",
    body=Assignment,
    responses={200: Reply("The conversation", ConversationSummary)},
    problems=[_CLOSED],
)
def post_assign(conversation_id: str, body: Assignment):
    """Take the conversation over (`{"to": "human"}`) or hand it back (`{"to": "agent"}`)."""
    return conversation_summary(assign(_conversation(conversation_id), body.to))


@bp.post("/<conversation_id>/close")
@api_key_required("conversations:write")
@operation("Close the conversation", responses={200: Reply("The conversation", ConversationSummary)})
def post_close(conversation_id: str):
    """Close the conversation."""
    return conversation_summary(close(_conversation(conversation_id)))
