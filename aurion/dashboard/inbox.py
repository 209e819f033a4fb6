"""The inbox: conversations by status, a live conversation view, replying as a person
(without a page reload when the page asks for JSON), typing, internal notes, taking over
and handing back, closing, and the visitors' attachments."""

from flask import Response, flash, g, redirect, render_template, request, stream_with_context, url_for

from aurion.api.attachments import attachment_response
from aurion.dashboard.base import bp, tenant_id
from aurion.dashboard.event_stream import server_sent_events
from aurion.engines.broker import broker
from aurion.extensions import db
from aurion.problems import Problem, ValidationProblem
from aurion.schemas.calls import CallListQuery
from aurion.schemas.conversations import Assignment, HumanReply
from aurion.schemas.fields import parse
from aurion.schemas.notes import NoteRequest
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
    changed_row,
    count_groups,
    find_assignee,
    inbox_channel,
    list_inbox,
    mark_read,
    search_messages,
    tab_counts,
)
from aurion.services.messages import history_page, person_typing, team_channel
from aurion.services.notes import add_note, missed_since, timeline
from aurion.services.saved_replies import list_saved_replies, saved_reply_to_dict
from aurion.services.team import display_name
from aurion.services.uploads import open_attachment_for_tenant
from aurion.services.visitor_details import visitor_details

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
    tenant = tenant_id()
    subscription = broker().subscribe(inbox_channel(tenant))
    try:
        first = [{"type": "counts", "counts": count_groups(tenant)}]
    except Exception:
        subscription.close()
        raise
    db.session.rollback()  # ends the read: the stream holds no connection between changes
    # The stream runs after the request's own database session ended: it reads by ids.
    admin_id = g.admin.id
    events = server_sent_events(subscription, first, expand=lambda notice: _read_row(admin_id, notice))
    return Response(stream_with_context(events), mimetype="text/event-stream", headers=_STREAM_HEADERS)


def _read_row(admin_id: int, notice: dict) -> dict | None:
    try:
        return changed_row(admin_id, notice)
    finally:
        db.session.rollback()


def _wants_json() -> bool:
    """The page's script asked (fetch with `Accept: application/json`): answer without a page."""
    return request.accept_mimetypes.best == "application/json"


def _conversation_page(
    conversation, reply: str = "", error: str | None = None, status: int = 200, note: str = "", note_error: str | None = None
):
    before = request.args.get("before") or None
    history = history_page(conversation, before=before, limit=REPLAY_LIMIT)
    calls = list_calls(tenant_id(), CallListQuery(conversation_id=conversation.public_id))["calls"]
    page = render_template(
        "dashboard/conversation.html",
        conversation=conversation,
        calls=calls,
        summary=conversation_summary(conversation),
        history=history,
        timeline=timeline(conversation, history, before),
        details=visitor_details(conversation),
        saved_replies=[saved_reply_to_dict(saved) for saved in list_saved_replies(tenant_id())],
        filters=dict(FILTERS),
        assignees=assignable_admins(tenant_id()),
        reply=reply,
        error=error,
        note=note,
        note_error=note_error,
        me=display_name(g.admin),
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
    """The conversation's live frames as server-sent events; `?after=` replays what the page
    missed since that message (messages and notes).

    Both channels: what the visitor sees, and the team-only one (notes, the visitor's typing).
    """
    conversation = _conversation(conversation_id)
    subscription = broker().subscribe(conversation.public_id, team_channel(conversation))
    try:
        after = request.args.get("after") or None
        missed = missed_since(conversation, after, REPLAY_LIMIT) if after else []
    except Problem:
        subscription.close()
        raise
    return Response(server_sent_events(subscription, missed), mimetype="text/event-stream", headers=_STREAM_HEADERS)


@bp.post("/inbox/<conversation_id>/reply")
def reply(conversation_id: str):
    """Reply as a person: the visitor sees it live, and the person now owns the conversation.

    Asked for JSON (the page's script), it answers 204 (or a problem) and the page shows
    the reply from its live stream; a plain form post comes back to the page.
    """
    conversation = _conversation(conversation_id)
    content = request.form.get("content", "")
    try:
        checked = parse(HumanReply, {"content": content})
    except ValidationProblem as problem:
        if _wants_json():
            raise
        return _conversation_page(conversation, content, problem.detail, 422)
    human_reply(conversation, checked.content, g.admin)
    return Response(status=204) if _wants_json() else _back_to(conversation)


@bp.post("/inbox/<conversation_id>/read")
def read_conversation(conversation_id: str):
    """The signed-in teammate has seen the conversation's messages so far: its page is open and
    in view while they arrive (the page says so), so their inbox does not count them unread."""
    mark_read(g.admin, _conversation(conversation_id))
    return Response(status=204)


@bp.post("/inbox/<conversation_id>/typing")
def typing(conversation_id: str):
    """The signed-in teammate started (`active=1`) or stopped (`active=0`) writing a reply."""
    conversation = _conversation(conversation_id)
    active = request.form.get("active")
    if active not in ("1", "0"):
        raise ValidationProblem("active", "active must be 1 (started writing) or 0 (stopped).")
    person_typing(conversation, g.admin, active == "1")
    return Response(status=204)


@bp.post("/inbox/<conversation_id>/notes")
def note(conversation_id: str):
    """Add an internal note: teammates see it (live), the visitor never does."""
    conversation = _conversation(conversation_id)
    content = request.form.get("content", "")
    try:
        checked = parse(NoteRequest, {"content": content})
    except ValidationProblem as problem:
        if _wants_json():
            raise
        return _conversation_page(conversation, note=content, note_error=problem.detail, status=422)
    add_note(conversation, g.admin, checked.content)
    if _wants_json():
        return Response(status=204)
    return redirect(url_for("dashboard.conversation", conversation_id=conversation.public_id, _anchor="notes"))


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
