"""Messages of a conversation: the visitor's, stored with their attachments, and history pages.

`message_to_dict` is the one shape of a message everywhere: the POST response, each
item of history, and the WebSocket `message` frame.

History is paged by message id cursors, always listed oldest → newest:
- no cursor: the latest `limit` messages (what a widget shows on opening);
- `before=<id>`: the `limit` messages just older than that one (scrolling up);
- `after=<id>`: the `limit` messages just newer than that one (catching up after a
  reconnect).
`has_more` says whether more lie further in the same direction, and `next_cursor` is
the id to pass as the same parameter to fetch them (None when there are no more).
"""

from dataclasses import dataclass

from blinker import Namespace
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from aurion.engines import frames
from aurion.engines.broker import publish
from aurion.engines.rate_budget import consume_message_budget
from aurion.extensions import db
from aurion.models import Admin, Attachment, Conversation, Message, WidgetSession
from aurion.problems import Problem, ValidationProblem
from aurion.schemas.fields import is_public_id
from aurion.schemas.messages import HISTORY_DEFAULT_LIMIT
from aurion.services import webhooks
from aurion.services.inbox import publish_row
from aurion.services.public_ids import new_public_id
from aurion.services.sessions import mark_seen
from aurion.services.team import person_card
from aurion.services.uploads import attachment_to_dict
from aurion.timestamps import isoformat_utc, utcnow

_signals = Namespace()
# Sent with the app as sender and `announced=` (an `Announced`), `answered_by_caller=` once a
# visitor's message is stored and delivered: the agent listens (see `aurion.agent.dispatch`).
visitor_message_stored = _signals.signal("visitor-message-stored")
# Sent with the app as sender and `conversation_id=` when a visitor comes back to a
# conversation still owed the agent's answer that no worker is answering (its worker died):
# the agent answers it now rather than at its next sweep (see `aurion.agent.dispatch`).
visitor_returned_unanswered = _signals.signal("visitor-returned-unanswered")


@dataclass(frozen=True)
class Announced:
    """A message as announced within the transaction that stores it: all that delivering it
    after the commit needs, so that delivery reads nothing back (a commit expires every row)."""

    tenant_id: int
    conversation_id: int
    conversation_public_id: str
    # The conversation's status as the message was stored.
    conversation_status: str
    frame: dict


@dataclass(frozen=True)
class StoredMessage:
    """A visitor's message as stored: its row, and `frame`, the message as the API and the
    sockets show it, read before the commit (after it, showing the row would load it again)."""

    message: Message
    frame: dict


def _pending_attachments(session: WidgetSession, attachment_ids: list[str] | tuple[str, ...]) -> list[Attachment]:
    """The session's uploads named by `attachment_ids` that no message carries yet."""
    wanted = list(dict.fromkeys(attachment_ids))
    if not wanted:
        return []
    found = {
        attachment.public_id: attachment
        for attachment in db.session.execute(
            db.select(Attachment).where(
                Attachment.public_id.in_(wanted), Attachment.session_id == session.id, Attachment.message_id.is_(None)
            )
        ).scalars()
    }
    missing = [public_id for public_id in wanted if public_id not in found]
    if missing:
        raise ValidationProblem(
            "attachment_ids", f"{missing[0]!r} is not an upload of this session waiting for a message; upload it first."
        )
    return [found[public_id] for public_id in wanted]


def add_visitor_message(
    session: WidgetSession,
    content: str,
    attachment_ids: list[str] | tuple[str, ...] = (),
    mode: str = "chat",
    client_id: str | None = None,
    answered_by_caller: bool = False,
) -> Message:
    """Store a message from the session's visitor in their conversation and return it (see `_store_visitor_message`)."""
    return _store_visitor_message(session, content, attachment_ids, mode, client_id, answered_by_caller)[0]


def _store_visitor_message(
    session: WidgetSession,
    content: str,
    attachment_ids: list[str] | tuple[str, ...],
    mode: str,
    client_id: str | None,
    answered_by_caller: bool,
) -> tuple[Message, Announced]:
    """Store a message from the session's visitor in their conversation; it and what to deliver.

    The content and ids are checked already (`WidgetMessageRequest` at the API and the
    socket); 422 for attachments that are not this session's unsent uploads, 409 when
    the conversation has been closed. A `client_id` the conversation already holds
    raises IntegrityError at the commit (see `visitor_said`). Where the agent owns the
    conversation and the caller does not answer it itself, the agent's answer is owed
    from now, in the same commit (`aurion.agent.dispatch` answers it, after a crash too).
    """
    attachments = _pending_attachments(session, attachment_ids)
    conversation = session.conversation
    if conversation.status == "closed":
        raise Problem(409, "conversation_closed", "This conversation was closed; create a new session to start another.")
    message = Message(
        public_id=new_public_id("msg_"),
        conversation=conversation,
        sender="user",
        mode=mode,
        content=content,
        sources=[],
        attachments=attachments,
        client_id=client_id,
    )
    db.session.add(message)
    now = utcnow()
    conversation.updated_at = now
    if conversation.status == "agent" and not answered_by_caller:
        conversation.agent_turn_due_at = now
    mark_seen(session.visitor, now)
    announced = announce_message(message)
    db.session.commit()
    return message, announced


def visitor_said(
    session: WidgetSession,
    content: str,
    attachment_ids: list[str] | tuple[str, ...] = (),
    mode: str = "chat",
    *,
    client_id: str | None = None,
    budget_drawn: bool = False,
    answered_by_caller: bool = False,
) -> StoredMessage:
    """The visitor said something, by any transport (HTTP, the chat socket, a voice call).

    Draws on the session's message budget (unless the HTTP route's limiter already did:
    `budget_drawn`), stores the message, delivers it to the conversation's sockets and
    announces it, so that the agent answers in the background where it owns the
    conversation, unless the caller answers it itself (`answered_by_caller`: a voice
    call speaks the answer).

    A message whose `client_id` the conversation already holds (a resend) is not stored,
    delivered or answered again: the stored one is returned.
    """
    stored = _sent_before(session.conversation, client_id)
    if stored is not None:
        return stored
    if not budget_drawn:
        consume_message_budget(session.public_id)
    try:
        message, announced = _store_visitor_message(session, content, attachment_ids, mode, client_id, answered_by_caller)
    except IntegrityError:
        # The same resend, stored by a concurrent request a moment ago.
        db.session.rollback()
        stored = _sent_before(session.conversation, client_id)
        if stored is None:
            raise
        return stored
    # Delivery is best effort (the broker never raises): the message is stored, the
    # agent answers, and a client that missed the frame catches up from history.
    publish_message(announced)
    visitor_message_stored.send(current_app._get_current_object(), announced=announced, answered_by_caller=answered_by_caller)
    return StoredMessage(message, announced.frame)


def visitor_returned(conversation: Conversation) -> None:
    """The visitor opened the conversation again (its socket, or its history): an answer
    it is still owed, and that no worker is giving, is given now."""
    claimed_until = conversation.agent_turn_claimed_until
    owed = conversation.status == "agent" and conversation.agent_turn_due_at is not None
    if owed and (claimed_until is None or claimed_until <= utcnow()):
        visitor_returned_unanswered.send(current_app._get_current_object(), conversation_id=conversation.id)


def _sent_before(conversation: Conversation, client_id: str | None) -> StoredMessage | None:
    if client_id is None:
        return None
    message = db.session.execute(
        db.select(Message).filter_by(conversation_id=conversation.id, client_id=client_id)
    ).scalar_one_or_none()
    return None if message is None else StoredMessage(message, message_to_dict(message))


def team_channel(conversation: Conversation) -> str:
    """The conversation's dashboard-only channel: what the team sees and the visitor must not
    (internal notes, the visitor's own typing). The widget listens on `conversation.public_id`."""
    return f"team:{conversation.public_id}"


def visitor_typing(conversation: Conversation, active: bool) -> None:
    """Tell the team the visitor started (or stopped) writing; nothing is stored."""
    publish(team_channel(conversation), frames.typing("user", active))


def person_typing(conversation: Conversation, admin: Admin, active: bool) -> None:
    """Tell the visitor (and the rest of the team) that a teammate started or stopped writing."""
    publish(conversation.public_id, frames.typing("human", active, author=person_card(admin)))


def publish_message(announced: Announced) -> None:
    """Deliver a stored message to every socket of its conversation, and tell the tenant's inboxes its row changed."""
    publish(announced.conversation_public_id, announced.frame)
    publish_row(announced.tenant_id, announced.conversation_id)


def announce_message(message: Message) -> Announced:
    """Queue the `message.created` webhook event, to commit with the message; what to deliver after the commit."""
    db.session.flush()  # the message's created_at
    conversation = message.conversation
    fields = _message_fields(message)
    webhooks.announce(conversation.tenant_id, "message.created", {"conversation_id": conversation.public_id, "message": fields})
    return Announced(conversation.tenant_id, conversation.id, conversation.public_id, conversation.status, frames.message(fields))


def message_to_dict(message: Message) -> dict:
    """A message as the API and the WebSocket `message` frame show it."""
    return frames.message(_message_fields(message))


def _message_fields(message: Message) -> dict:
    return {
        "id": message.public_id,
        "content": message.content,
        "sender": message.sender,
        "mode": message.mode,
        "created_at": isoformat_utc(message.created_at),
        "sources": message.sources,
        "attachments": [attachment_to_dict(attachment) for attachment in message.attachments],
        **({"author": person_card(message.admin)} if message.admin is not None else {}),
    }


def cursor_row_id(conversation: Conversation, field: str, public_id: str) -> int:
    """The row id of the conversation's message `public_id`, given as cursor `field`; 422 naming it otherwise."""
    row_id = None
    if is_public_id(public_id):
        row_id = db.session.execute(
            db.select(Message.id).filter_by(conversation_id=conversation.id, public_id=public_id)
        ).scalar_one_or_none()
    if row_id is None:
        raise ValidationProblem(field, f"{field} must be the id of a message of this conversation.")
    return row_id


def history_page(
    conversation: Conversation, after: str | None = None, before: str | None = None, limit: int = HISTORY_DEFAULT_LIMIT
) -> dict:
    """One page of the conversation, oldest → newest, with the cursor to the next page (see module doc).

    The cursors and `limit` are checked already (`HistoryQuery`); at most one cursor is given.
    """
    size = limit
    query = (
        db.select(Message).filter_by(conversation_id=conversation.id).options(selectinload(Message.attachments), selectinload(Message.admin))
    )
    forward = after is not None
    if forward:
        query = query.where(Message.id > cursor_row_id(conversation, "after", after)).order_by(Message.id)
    else:
        if before is not None:
            query = query.where(Message.id < cursor_row_id(conversation, "before", before))
        query = query.order_by(Message.id.desc())
    rows = list(db.session.execute(query.limit(size + 1)).scalars())
    has_more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    next_cursor = None
    if has_more:
        next_cursor = rows[-1].public_id if forward else rows[0].public_id
    return {
        "conversation_id": conversation.public_id,
        "status": conversation.status,
        "messages": [message_to_dict(message) for message in rows],
        "has_more": has_more,
        "next_cursor": next_cursor,
    }
