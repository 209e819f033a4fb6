"""The inbox: conversations by status, a live conversation view, replying as a person,
taking over and handing back, closing, and the visitors' attachments."""

from flask import Response, flash, g, redirect, render_template, request, url_for

from aurion.api.attachments import attachment_response
from aurion.dashboard.base import bp, tenant_id
from aurion.dashboard.event_stream import server_sent_events
from aurion.engines.broker import broker
from aurion.problems import Problem, ValidationProblem
from aurion.schemas.calls import CallListQuery
from aurion.schemas.conversations import Assignment, HumanReply
from aurion.schemas.fields import parse
from aurion.services.calls import list_calls
from aurion.services.conversations import (
    assign,
    close,
    conversation_summary,
    find_conversation,
    human_reply,
    list_conversations,
)
from aurion.services.email import failed_emails
from aurion.services.messages import history_page
from aurion.services.uploads import open_attachment_for_tenant

# The inbox's tabs: (status filter, label). "waiting" first: those are people waiting for a person.
FILTERS = (
    ("waiting", "Waiting for a person"),
    ("human", "With a person"),
    ("agent", "With the agent"),
    ("closed", "Closed"),
)
PAGE_SIZE = 50
REPLAY_LIMIT = 100


def _conversation(conversation_id: str):
    return find_conversation(tenant_id(), conversation_id)


@bp.get("/inbox")
def inbox():
    """Conversations of one status (waiting for a person by default), most recent first."""
    status = request.args.get("status", "waiting")
    if status not in dict(FILTERS):
        status = "waiting"
    page = list_conversations(tenant_id(), status, PAGE_SIZE, request.args.get("before") or None)
    return render_template(
        "dashboard/inbox.html", filters=FILTERS, status=status, page=page, failed_emails=failed_emails(tenant_id())
    )


def _conversation_page(conversation, reply: str = "", error: str | None = None, status: int = 200):
    history = history_page(conversation, before=request.args.get("before") or None, limit=REPLAY_LIMIT)
    calls = list_calls(tenant_id(), CallListQuery(conversation_id=conversation.public_id))["calls"]
    page = render_template(
        "dashboard/conversation.html",
        conversation=conversation,
        calls=calls,
        summary=conversation_summary(conversation),
        history=history,
        filters=dict(FILTERS),
        reply=reply,
        error=error,
    )
    return page, status


@bp.get("/inbox/<conversation_id>")
def conversation(conversation_id: str):
    """One conversation, updating live, with the reply box and the hand-off buttons."""
    return _conversation_page(_conversation(conversation_id))


@bp.get("/inbox/<conversation_id>/events")
def conversation_events(conversation_id: str):
    """The conversation's live frames as server-sent events; `?after=` replays what the page missed."""
    conversation = _conversation(conversation_id)
    subscription = broker().subscribe(conversation.public_id)
    try:
        after = request.args.get("after") or None
        missed = history_page(conversation, after=after, limit=REPLAY_LIMIT)["messages"] if after else []
    except Problem:
        subscription.close()
        raise
    # Buffering proxies (nginx) would hold events back; this asks them not to.
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return Response(server_sent_events(subscription, missed), mimetype="text/event-stream", headers=headers)


@bp.post("/inbox/<conversation_id>/reply")
def reply(conversation_id: str):
    """Reply as a person: the visitor sees it live, and the person now owns the conversation."""
    conversation = _conversation(conversation_id)
    content = request.form.get("content", "")
    try:
        checked = parse(HumanReply, {"content": content})
    except ValidationProblem as problem:
        return _conversation_page(conversation, content, problem.detail, 422)
    human_reply(conversation, checked.content, g.admin)
    return _back_to(conversation)


@bp.post("/inbox/<conversation_id>/assign")
def take_over_or_hand_back(conversation_id: str):
    """Take the conversation over (`to=human`) or hand it back to the agent (`to=agent`)."""
    conversation = _conversation(conversation_id)
    assign(conversation, parse(Assignment, {"to": request.form.get("to")}).to)
    flash("You have taken over this conversation." if conversation.status == "human" else "Handed back to the agent.")
    return _back_to(conversation)


@bp.post("/inbox/<conversation_id>/close")
def close_conversation(conversation_id: str):
    """Close the conversation; the visitor's next visit starts a new one."""
    close(_conversation(conversation_id))
    flash("Conversation closed.")
    return redirect(url_for("dashboard.inbox"))


@bp.get("/attachments/<attachment_id>")
def attachment(attachment_id: str):
    """A visitor's attachment, as a download; only from this tenant's conversations."""
    return attachment_response(open_attachment_for_tenant(tenant_id(), attachment_id))


def _back_to(conversation) -> Response:
    return redirect(url_for("dashboard.conversation", conversation_id=conversation.public_id, _anchor="reply"))
