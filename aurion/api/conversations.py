"""The helpdesk API: a tenant's widget conversations, read and answered by people."""

from flask import Blueprint, g, request

from aurion.api import spec
from aurion.api.requests import api_key_required, json_object, limit_arg
from aurion.services.conversations import (
    LIST_LIMIT_MAX,
    assign,
    close,
    conversation_summary,
    find_conversation,
    human_reply,
    list_conversations,
)
from aurion.services.messages import history_page, message_to_dict

bp = Blueprint("conversations_api", __name__, url_prefix="/api/v1/conversations")


def _conversation(conversation_id: str):
    return find_conversation(g.api_key.tenant_id, conversation_id)


@bp.get("")
@api_key_required("conversations:read")
def get_conversations():
    """The tenant's conversations, newest first; `?status=waiting` for those waiting for a person."""
    return list_conversations(g.api_key.tenant_id, request.args.get("status"), limit_arg(50, LIST_LIMIT_MAX), request.args.get("before"))


@bp.get("/<conversation_id>")
@api_key_required("conversations:read")
def get_conversation(conversation_id: str):
    """One conversation with a page of its messages (the same paging as the widget's history)."""
    conversation = _conversation(conversation_id)
    page = history_page(conversation, request.args.get("after"), request.args.get("before"), request.args.get("limit"))
    return {**conversation_summary(conversation), **{k: v for k, v in page.items() if k not in ("conversation_id", "status")}}


@bp.post("/<conversation_id>/messages")
@api_key_required("conversations:write")
def post_human_message(conversation_id: str):
    """A person's reply, delivered live to the visitor; the person now owns the conversation."""
    message = human_reply(_conversation(conversation_id), json_object().get("content"))
    return message_to_dict(message), 201


@bp.post("/<conversation_id>/assign")
@api_key_required("conversations:write")
def post_assign(conversation_id: str):
    """Take the conversation over (`{"to": "human"}`) or hand it back (`{"to": "agent"}`)."""
    return conversation_summary(assign(_conversation(conversation_id), json_object().get("to")))


@bp.post("/<conversation_id>/close")
@api_key_required("conversations:write")
def post_close(conversation_id: str):
    """Close the conversation."""
    return conversation_summary(close(_conversation(conversation_id)))


_ID = {"name": "conversation_id", "in": "path", "required": True, "schema": {"type": "string"}}
_ERRORS = spec.problems(401, 403, 404)
_WRITE_ERRORS = {**_ERRORS, **spec.problems(400, 413, 415, 422), "409": spec.response("The conversation is closed")}


def _write(summary: str, schema: dict, response: str, body: dict | None = None, status: str = "200") -> dict:
    extra = {"requestBody": spec.json_request(body)} if body else {}
    return spec.operation(
        summary,
        spec.API_KEY,
        {status: spec.response(response, schema), **_WRITE_ERRORS},
        scope="conversations:write",
        parameters=[_ID],
        **extra,
    )


OPENAPI_PATHS = {
    "/api/v1/conversations": {
        "get": spec.operation(
            "List conversations",
            spec.API_KEY,
            {"200": spec.response("A page of conversations", spec.ref("ConversationList")), **_ERRORS, **spec.problems(422)},
            scope="conversations:read",
            parameters=[
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["agent", "waiting", "human", "closed"]}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                {"name": "before", "in": "query", "description": "Cursor: next_cursor of the previous page.", "schema": {"type": "string"}},
            ],
        )
    },
    "/api/v1/conversations/{conversation_id}": {
        "get": spec.operation(
            "Read a conversation and a page of its messages",
            spec.API_KEY,
            {"200": spec.response("The conversation", spec.ref("ConversationDetail")), **_ERRORS, **spec.problems(422)},
            scope="conversations:read",
            parameters=[
                _ID,
                {"name": "after", "in": "query", "schema": {"type": "string"}},
                {"name": "before", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
            ],
        )
    },
    "/api/v1/conversations/{conversation_id}/messages": {
        "post": _write(
            "Reply as a person",
            spec.ref("WidgetMessage"),
            "The stored reply",
            {"type": "object", "required": ["content"], "properties": {"content": {"type": "string", "maxLength": 4000}}},
            status="201",
        )
    },
    "/api/v1/conversations/{conversation_id}/assign": {
        "post": _write(
            "Take over or hand back to the agent",
            spec.ref("ConversationSummary"),
            "The conversation",
            {"type": "object", "required": ["to"], "properties": {"to": {"type": "string", "enum": ["human", "agent"]}}},
        )
    },
    "/api/v1/conversations/{conversation_id}/close": {
        "post": _write("Close the conversation", spec.ref("ConversationSummary"), "The conversation")
    },
}

_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "enum": ["agent", "waiting", "human", "closed"]},
        "widget_id": {"type": "string"},
        "visitor": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "email": {"type": ["string", "null"]}, "display_name": {"type": "string"}},
        },
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
OPENAPI_SCHEMAS = {
    "ConversationSummary": _SUMMARY,
    "ConversationList": {
        "type": "object",
        "properties": {
            "conversations": {"type": "array", "items": spec.ref("ConversationSummary")},
            "next_cursor": {"type": ["string", "null"]},
        },
    },
    "ConversationDetail": {
        "allOf": [
            spec.ref("ConversationSummary"),
            {
                "type": "object",
                "properties": {
                    "messages": {"type": "array", "items": spec.ref("WidgetMessage")},
                    "has_more": {"type": "boolean"},
                    "next_cursor": {"type": ["string", "null"]},
                },
            },
        ]
    },
}
