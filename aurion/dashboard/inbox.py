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
)
from aurion.services.email import failed_emails
from aurion.services.inbox import (
    STATUSES,
    VIEWS,
    assign_to,
    assignable_admins,
    count_groups,
    find_assignee,
    inbox_channel,
    list_inbox,
    mark_read,
    search_messages,
    tab_counts,
)
from aurion.services.messages import history_page
from aurion.services.team import display_name
from aurion.services.uploads import open_attachment_for_tenant

# The inbox's tabs: (status filter, label). "waiting" first: those are people waiting for a person.
FILTERS = (
    ("waiting", "Waiting for a person"),
    ("human", "With a person"),
    ("agent", "With the agent"),
    ("closed", "Closed"),
)
# Whose conversations the inbox lists: (view, label); combined with the status tabs.
VIEW_LABELS = (("mine", "Mine"), ("unassigned", "Unassigned"), ("all", "All"))
# Who wrote a row's last message, in the inbox's words.
SENDER_LABELS = {"user": "Visitor", "agent": "Agent", "human": "Team"}
PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 200
REPLAY_LIMIT = 100
# Buffering proxies (nginx) would hold events back; this asks them not to.
_STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def _conversation(conversation_id: str):
    return find_conversation(tenant_id(), conversation_id)


@bp.get("/inbox")
def inbox():
    """Conversations of one status (waiting for a person by default) and view, most recently
    active first, updating live; or, with `q`, the messages matching a search."""
    status = request.args.get("status", "waiting")
    if status not in STATUSES:
        status = "waiting"
    view = request.args.get("view", "all")
    if view not in VIEWS:
        view = "all"
    query = request.args.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    before = request.args.get("before") or None
    groups = count_groups(tenant_id())
    return render_template(
        "dashboard/inbox.html",
        filters=FILTERS,
        views=VIEW_LABELS,
        sender_labels=SENDER_LABELS,
        status=status,
        view=view,
        query=query,
        search=search_messages(tenant_id(), query, SEARCH_PAGE_SIZE, before) if query else None,
        page=None if query else list_inbox(g.admin, status, view, PAGE_SIZE, before),
        groups=groups,
        counts=tab_counts(groups, g.admin.id, view),
        failed_emails=failed_emails(tenant_id()),
    )


@bp.get("/inbox/events")
def inbox_events():
    """Every change of the tenant's inbox rows as server-sent events, after the tab counts as they are now."""
    subscription = broker().subscribe(inbox_channel(tenant_id()))
    try:
        first = [{"type": "counts", "counts": count_groups(tenant_id())}]
    except Exception:
        subscription.close()
        raise
    return Response(server_sent_events(subscription, first), mimetype="text/event-stream", headers=_STREAM_HEADERS)


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
        assignees=assignable_admins(tenant_id()),
        reply=reply,
        error=error,
    )
    return page, status


@bp.get("/inbox/<conversation_id>")
def conversation(conversation_id: str):
    """One conversation, updating live, with the reply box and the hand-off buttons."""
    conversation = _conversation(conversation_id)
    mark_read(g.admin, conversation)
    return _conversation_page(conversation)


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
    return Response(server_sent_events(subscription, missed), mimetype="text/event-stream", headers=_STREAM_HEADERS)


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


@bp.post("/inbox/<conversation_id>/assignee")
def assignee(conversation_id: str):
    """Assign the conversation to a teammate (`assignee` = "me", a teammate's id, or "" for nobody)."""
    conversation = _conversation(conversation_id)
    assign_to(conversation, find_assignee(g.admin, request.form.get("assignee", "")))
    flash(f"Assigned to {display_name(conversation.assignee)}." if conversation.assignee else "Nobody is assigned now.")
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
