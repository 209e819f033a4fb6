"""The widget session API: a visitor's session, messages, history and uploads.

A session is created with the site's email token (or anonymously where the widget
allows it); every other call carries the session's bearer token. A request with an
`Origin` must come from one of the widget's allowed domains.
"""

from flask import Blueprint, current_app, request

from aurion.api import spec
from aurion.api.attachments import ATTACHMENT_ID_PATH, FILE_DOWNLOAD, attachment_response
from aurion.api.limits import client_and_widget, configured, visitor_session
from aurion.api.origins import browser_facing, require_allowed_origin
from aurion.api.requests import bearer_token, json_object, uploaded_file
from aurion.engines.rate_budget import MESSAGE_SCOPE
from aurion.extensions import limiter
from aurion.models import WidgetSession
from aurion.services.messages import (
    CONTENT_MAX_LENGTH,
    HISTORY_MAX_LIMIT,
    MAX_ATTACHMENTS,
    history_page,
    message_to_dict,
    visitor_said,
)
from aurion.services.sessions import (
    SESSION_FIELDS,
    create_session,
    parse_session_request,
    session_from_bearer,
    session_to_dict,
    session_widget,
)
from aurion.services.uploads import attachment_to_dict, find_session_attachment, store_upload, too_large_problem

bp = browser_facing(Blueprint("widget_api", __name__, url_prefix="/api/v1/widget"))


def _visitor_session() -> WidgetSession:
    """The bearer's session, from a page its widget allows (or from a server)."""
    session = session_from_bearer(bearer_token())
    require_allowed_origin(session.widget)
    return session


@bp.post("/session")
@limiter.limit(configured("AURION_LIMIT_SESSION"), key_func=client_and_widget)
def post_session():
    """A session for the visitor the email token proves, with their conversation."""
    session_request = parse_session_request(json_object(SESSION_FIELDS))
    widget = session_widget(session_request)
    require_allowed_origin(widget)
    return session_to_dict(create_session(widget, session_request)), 201


@bp.post("/messages")
@limiter.shared_limit(configured("AURION_LIMIT_MESSAGE"), scope=MESSAGE_SCOPE, key_func=visitor_session)
def post_message():
    """Store the visitor's message; the agent answers over the WebSocket."""
    session = _visitor_session()
    payload = json_object(("content", "attachment_ids"))
    message = visitor_said(session, payload.get("content", ""), payload.get("attachment_ids", []), budget_drawn=True)
    return message_to_dict(message), 201


@bp.get("/history")
def get_history():
    """The conversation so far, oldest first, a page at a time."""
    session = _visitor_session()
    args = request.args
    return history_page(session.conversation, args.get("after"), args.get("before"), args.get("limit"))


@bp.post("/uploads")
@limiter.limit(configured("AURION_LIMIT_UPLOAD"), key_func=visitor_session)
def post_upload():
    """Store a file for the visitor's next message; its type is judged from its content."""
    session = _visitor_session()
    upload = uploaded_file("file", current_app.config["AURION_UPLOAD_MAX_BYTES"], too_large_problem())
    return attachment_to_dict(store_upload(session, upload.stream, upload.filename)), 201


@bp.get("/uploads/<attachment_id>")
def get_upload(attachment_id: str):
    """A file of the visitor's conversation, as a download."""
    return attachment_response(find_session_attachment(_visitor_session(), attachment_id))


_RATE_LIMIT_HEADERS = {
    name: {"schema": {"type": "integer"}}
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")
}
_BEARER_ERRORS = spec.problems(401, 403)


def _created(description: str, schema_name: str) -> dict:
    return {"201": spec.response(description, spec.ref(schema_name), _RATE_LIMIT_HEADERS)}


OPENAPI_PATHS = {
    "/api/v1/widget/session": {
        "post": spec.operation(
            "Start a visitor session",
            spec.PUBLIC,
            {
                **_created("The session and its bearer token", "WidgetSession"),
                **spec.problems(400, 401, 403, 404, 413, 415, 422, 429),
            },
            description=(
                "Authenticated by the email token your backend mints (see the README); anonymous "
                "(`widget_id` only) where the widget allows it. The same visitor gets their open "
                "conversation back. Limited to AURION_LIMIT_SESSION (5/minute) per client IP and widget."
            ),
            requestBody=spec.json_request(spec.ref("WidgetSessionRequest")),
        ),
    },
    "/api/v1/widget/messages": {
        "post": spec.operation(
            "Send the visitor's message",
            spec.VISITOR_BEARER,
            {
                **_created("The stored message", "WidgetMessage"),
                **_BEARER_ERRORS,
                **spec.problems(400, 409, 413, 415, 422, 429),
            },
            description="Limited to AURION_LIMIT_MESSAGE (60/minute) per session.",
            requestBody=spec.json_request(spec.ref("WidgetMessageRequest")),
        ),
    },
    "/api/v1/widget/history": {
        "get": spec.operation(
            "Read the conversation, oldest first, a page at a time",
            spec.VISITOR_BEARER,
            {"200": spec.response("One page of messages", spec.ref("WidgetHistory")), **_BEARER_ERRORS, **spec.problems(422)},
            description=(
                "No cursor: the latest `limit` messages. `before=<message id>`: the older page before it; "
                "`after=<message id>`: the newer page after it. `next_cursor` continues in the same direction."
            ),
            parameters=[
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": HISTORY_MAX_LIMIT, "default": 50}},
                {"name": "before", "in": "query", "schema": {"type": "string"}},
                {"name": "after", "in": "query", "schema": {"type": "string"}},
            ],
        ),
    },
    "/api/v1/widget/uploads": {
        "post": spec.operation(
            "Upload a file for the visitor's next message",
            spec.VISITOR_BEARER,
            {
                **_created("The stored file", "WidgetAttachment"),
                **_BEARER_ERRORS,
                **spec.problems(413, 422, 429),
                "415": spec.response("Not multipart, or a file type that is not accepted", spec.ref("Problem")),
            },
            description="The type is judged from the bytes against AURION_UPLOAD_TYPES. Limited to AURION_LIMIT_UPLOAD (30/minute) per session.",
            requestBody={
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}
                    }
                },
            },
        ),
    },
    "/api/v1/widget/uploads/{attachment_id}": {
        "get": spec.operation(
            "Download a file of the visitor's conversation",
            spec.VISITOR_BEARER,
            {"200": FILE_DOWNLOAD, **_BEARER_ERRORS, **spec.problems(404)},
            parameters=[ATTACHMENT_ID_PATH],
        ),
    },
}

_TIMESTAMP = {"type": "string", "format": "date-time"}
OPENAPI_SCHEMAS = {
    "WidgetSessionRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "email_token": {"type": "string", "description": "payload.signature, minted by the site's backend."},
            "display_name": {"type": "string", "maxLength": 120},
            "widget_id": {"type": "string", "description": "Required for anonymous visitors; must match the token's otherwise."},
            "visitor_token": {"type": "string", "description": "An anonymous visitor's token from an earlier session."},
        },
    },
    "WidgetSession": {
        "type": "object",
        "required": ["session_id", "token", "expires_at", "conversation_id", "visitor_id", "widget_id"],
        "properties": {
            "session_id": {"type": "string", "examples": ["ws_abc123"]},
            "token": {"type": "string", "description": "The bearer JWT for the other widget calls and the WebSocket."},
            "expires_at": _TIMESTAMP,
            "conversation_id": {"type": "string"},
            "conversation_status": {"type": "string", "enum": ["agent", "waiting", "human", "closed"]},
            "visitor_id": {"type": "string"},
            "widget_id": {"type": "string"},
            "visitor_token": {"type": "string", "description": "Anonymous visitors only: send it back to resume."},
        },
    },
    "WidgetMessageRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "content": {"type": "string", "maxLength": CONTENT_MAX_LENGTH},
            "attachment_ids": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ATTACHMENTS},
        },
    },
    "WidgetAttachment": {
        "type": "object",
        "required": ["id", "name", "type", "size", "url"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "type": {"type": "string", "description": "Decided from the content."},
            "size": {"type": "integer"},
            "url": {"type": "string"},
            "created_at": _TIMESTAMP,
        },
    },
    "WidgetMessage": {
        "type": "object",
        "required": ["type", "id", "content", "sender", "mode", "created_at", "sources", "attachments"],
        "properties": {
            "type": {"type": "string", "const": "message"},
            "id": {"type": "string"},
            "content": {"type": "string"},
            "sender": {"type": "string", "enum": ["user", "agent", "human"]},
            "mode": {"type": "string", "enum": ["chat", "voice"]},
            "created_at": _TIMESTAMP,
            "sources": {
                "type": "array",
                "items": {"type": "object", "properties": {"id": {}, "title": {"type": "string"}, "url": {"type": ["string", "null"]}}},
            },
            "attachments": {"type": "array", "items": spec.ref("WidgetAttachment")},
        },
    },
    "WidgetHistory": {
        "type": "object",
        "required": ["conversation_id", "status", "messages", "has_more", "next_cursor"],
        "properties": {
            "conversation_id": {"type": "string"},
            "status": {"type": "string", "enum": ["agent", "waiting", "human", "closed"]},
            "messages": {"type": "array", "items": spec.ref("WidgetMessage")},
            "has_more": {"type": "boolean"},
            "next_cursor": {"type": ["string", "null"]},
        },
    },
}
