"""The widget session API: a visitor's session, messages, history and uploads.

A session is created with the site's email token (or anonymously where the widget
allows it); every other call carries the session's bearer token. A request with an
`Origin` must come from one of the widget's allowed domains.
"""

from flask import Blueprint, current_app, request

from aurion.api.attachments import FILE_DOWNLOAD, attachment_response
from aurion.api.limits import client_and_widget, client_ip, configured, visitor_session
from aurion.api.operations import VISITOR_BEARER, Reply, operation
from aurion.api.origins import browser_facing, require_allowed_origin
from aurion.api.requests import bearer_token, uploaded_file
from aurion.engines.rate_budget import MESSAGE_SCOPE
from aurion.extensions import limiter
from aurion.models import WidgetSession
from aurion.schemas.messages import HistoryQuery, WidgetAttachment, WidgetMessage, WidgetMessageRequest
from aurion.schemas.ratings import Rating, RatingInput
from aurion.schemas.sessions import (
    ContactReply,
    ContactRequest,
    ConversationEnded,
    EarlierConversations,
    EarlierQuery,
    TranscriptSent,
    WidgetHistory,
    WidgetSessionRequest,
)
from aurion.schemas.sessions import WidgetSession as WidgetSessionReply
from aurion.services.conversations import close, leave_contact
from aurion.services.email import request_transcript
from aurion.services.messages import history_page, visitor_returned, visitor_said
from aurion.services.ratings import rate, rating_to_dict
from aurion.services.sessions import create_session, session_from_bearer, session_widget
from aurion.services.uploads import attachment_to_dict, find_session_attachment, store_upload, too_large_problem
from aurion.services.visitor_history import earlier_conversations, earlier_count

bp = browser_facing(Blueprint("widget_api", __name__, url_prefix="/api/v1/widget"))

_RATE_LIMIT_HEADERS = {
    name: {"schema": {"type": "integer"}}
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")
}
_BEARER_ERRORS = (401, 403)
_UPLOAD_FORM = {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}


def _created(description: str, model) -> dict:
    return {201: Reply(description, model, headers=_RATE_LIMIT_HEADERS)}


def _visitor_session() -> WidgetSession:
    """The bearer's session, from a page its widget allows (or from a server)."""
    session = session_from_bearer(bearer_token())
    require_allowed_origin(session.widget)
    return session


@bp.post("/session")
@limiter.limit(configured("AURION_LIMIT_SESSION"), key_func=client_and_widget)
@limiter.limit(configured("AURION_LIMIT_SESSION_PER_IP"), key_func=client_ip)
@operation(
    "Start a visitor session",
    body=WidgetSessionRequest,
    responses=_created("The session and its bearer token", WidgetSessionReply),
    problems=[401, 403, 404, 429],
    description=(
        "Authenticated by the email token your backend mints (see the README); anonymous "
        "(`widget_id` only) where the widget allows it. The same visitor gets their open "
        "conversation back. Limited to AURION_LIMIT_SESSION (5/minute) per client IP and widget, "
        "and AURION_LIMIT_SESSION_PER_IP (20/minute) per client IP across widgets. "
        "The page, the time zone and the request's User-Agent are kept with the session for the team."
    ),
)
def post_session(body: WidgetSessionRequest):
    """A session for the visitor the email token proves, with their conversation."""
    widget = session_widget(body)
    require_allowed_origin(widget)
    return create_session(widget, body, request.headers.get("User-Agent")).reply, 201


@bp.post("/messages")
@limiter.shared_limit(configured("AURION_LIMIT_MESSAGE"), scope=MESSAGE_SCOPE, key_func=visitor_session)
@operation(
    "Send the visitor's message",
    body=WidgetMessageRequest,
    responses=_created("The stored message", WidgetMessage),
    security=VISITOR_BEARER,
    problems=[*_BEARER_ERRORS, (409, "The conversation is closed"), 429],
    description=(
        "Limited to AURION_LIMIT_MESSAGE (60/minute) per session. Retried with the same `client_id`, "
        "the message is stored once and the stored one is answered again."
    ),
)
def post_message(body: WidgetMessageRequest):
    """Store the visitor's message; the agent answers over the WebSocket."""
    session = _visitor_session()
    return visitor_said(session, body.content, body.attachment_ids, client_id=body.client_id, budget_drawn=True).frame, 201


@bp.get("/history")
@operation(
    "Read the conversation, oldest first, a page at a time",
    query=HistoryQuery,
    responses={200: Reply("One page of messages", WidgetHistory)},
    security=VISITOR_BEARER,
    problems=_BEARER_ERRORS,
    description=(
        "No cursor: the latest `limit` messages. `before=<message id>`: the older page before it; "
        "`after=<message id>`: the newer page after it. `next_cursor` continues in the same direction."
    ),
)
def get_history(query: HistoryQuery):
    """The conversation so far, oldest first, a page at a time."""
    session = _visitor_session()
    visitor_returned(session.conversation)
    page = history_page(session.conversation, query.after, query.before, query.limit)
    return {**page, "earlier_conversations": earlier_count(session)}


@bp.get("/conversations")
@operation(
    "Read the visitor's earlier conversations, newest first",
    query=EarlierQuery,
    responses={200: Reply("A page of the visitor's other conversations", EarlierConversations)},
    security=VISITOR_BEARER,
    problems=_BEARER_ERRORS,
    description=(
        "The session's own visitor's other conversations on this widget (never the current one), "
        "each with its latest 50 messages, for the widget to show read-only after a close."
    ),
)
def get_earlier_conversations(query: EarlierQuery):
    """The visitor's other conversations, newest first, a page at a time."""
    return earlier_conversations(_visitor_session(), query.before, query.limit)


@bp.post("/uploads")
@limiter.limit(configured("AURION_LIMIT_UPLOAD"), key_func=visitor_session)
@operation(
    "Upload a file for the visitor's next message",
    form=_UPLOAD_FORM,
    responses=_created("The stored file", WidgetAttachment),
    security=VISITOR_BEARER,
    problems=[*_BEARER_ERRORS, 413, (415, "Not multipart, or a file type that is not accepted"), 422, 429],
    description=(
        "The type is judged from the bytes against AURION_UPLOAD_TYPES. "
        "Limited to AURION_LIMIT_UPLOAD (30/minute) per session, and to AURION_UPLOAD_SESSION_MAX_BYTES "
        "(50 MB) in all per session (413 `upload_quota_exceeded`)."
    ),
)
def post_upload():
    """Store a file for the visitor's next message; its type is judged from its content."""
    session = _visitor_session()
    upload = uploaded_file("file", current_app.config["AURION_UPLOAD_MAX_BYTES"], too_large_problem())
    return attachment_to_dict(store_upload(session, upload.stream, upload.filename)), 201


@bp.get("/uploads/<attachment_id>")
@operation(
    "Download a file of the visitor's conversation",
    responses={200: FILE_DOWNLOAD},
    security=VISITOR_BEARER,
    problems=_BEARER_ERRORS,
)
def get_upload(attachment_id: str):
    """A file of the visitor's conversation, as a download."""
    return attachment_response(find_session_attachment(_visitor_session(), attachment_id))


@bp.post("/contact")
@operation(
    "Leave an email address for a person's answer",
    body=ContactRequest,
    responses={200: Reply("The address is kept with the conversation", ContactReply)},
    security=VISITOR_BEARER,
    problems=[*_BEARER_ERRORS, 422],
    description="The widget asks an anonymous visitor for it when a person is asked for outside business hours.",
)
def post_contact(body: ContactRequest):
    """Keep the address an anonymous visitor wants to be answered at."""
    conversation = leave_contact(_visitor_session().conversation, body.email)
    return {"contact_email": conversation.contact_email}


@bp.post("/end")
@operation(
    "End the conversation",
    responses={200: Reply("The conversation is closed", ConversationEnded)},
    security=VISITOR_BEARER,
    problems=_BEARER_ERRORS,
    description="The visitor is done; the widget then asks for a rating. The next message starts a new conversation.",
)
def post_end():
    """End the visitor's conversation."""
    conversation = close(_visitor_session().conversation)
    return {"conversation_id": conversation.public_id, "status": conversation.status}


@bp.put("/rating")
@operation(
    "Rate the conversation that ended",
    body=RatingInput,
    responses={200: Reply("The rating as stored", Rating)},
    security=VISITOR_BEARER,
    problems=[*_BEARER_ERRORS, (409, "The conversation is still open, or the rating is more than a day old"), 422],
    description="One rating per conversation: sending it again within a day of the first changes it.",
)
def put_rating(body: RatingInput):
    """Rate the ended conversation (good, okay or bad) with an optional comment."""
    rating, _ = rate(_visitor_session().conversation, body)
    return rating_to_dict(rating)


@bp.post("/transcript")
@operation(
    "Email the visitor the transcript of the ended conversation",
    responses={202: Reply("The transcript is queued", TranscriptSent)},
    security=VISITOR_BEARER,
    problems=[*_BEARER_ERRORS, (409, "Still open, or this server does not send email"), (422, "No address is known")],
    description=(
        "To the address the email token proves, or the one an anonymous visitor left. "
        "Sent in the background; asking again sends nothing more."
    ),
)
def post_transcript():
    """Queue the transcript email of the visitor's ended conversation."""
    return {"sent_to": request_transcript(_visitor_session().conversation)}, 202
