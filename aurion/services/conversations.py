"""What happens in a conversation beyond the visitor's own messages.

Every change is published to the conversation's sockets through the broker: the
visitor's messages, the agent's turns, a person's replies, and hand-offs.
Statuses: `agent` (the agent answers), `waiting` (a person was asked for),
`human` (a person owns it; the agent stays quiet), `closed`.
"""

from datetime import datetime
from typing import Any, Literal

from blinker import Namespace
from flask import current_app

from aurion.engines import frames
from aurion.engines.broker import publish
from aurion.extensions import db
from aurion.models import Admin, Conversation, Message
from aurion.problems import NotFoundProblem, Problem, ValidationProblem
from aurion.schemas.fields import is_public_id
from aurion.services import webhooks
from aurion.services.business_hours import availability, describe_opening
from aurion.services.inbox import publish_row
from aurion.services.messages import announce_message, publish_message
from aurion.services.public_ids import new_public_id
from aurion.services.sessions import conversation_summary
from aurion.timestamps import utcnow

HANDOFF_NOTICE = "I've asked a person from our team to join. They'll reply right here, usually within a few minutes."
HANDBACK_NOTICE = "You're chatting with our AI assistant again."
# Outside business hours the hand-off notice says so; analytics finds it by this start.
AWAY_NOTICE_START = "Our team is away right now."
# Listeners (the email notices) hear these after the change is committed.
_signals = Namespace()
conversation_waiting = _signals.signal("conversation-waiting")
conversation_closed = _signals.signal("conversation-closed")
# The agent's notices about who answers; not answers themselves.
NOTICES = (HANDOFF_NOTICE, HANDBACK_NOTICE)


def is_notice(content: str) -> bool:
    """Whether an agent message is a notice about who answers rather than an answer."""
    return content in NOTICES or content.startswith(AWAY_NOTICE_START)


def _publish_status(conversation: Conversation) -> None:
    away = conversation.status == "waiting" and conversation.arrived_while_away
    publish(conversation.public_id, frames.handoff(conversation.status, away))
    publish_row(conversation.tenant_id, conversation.id)


def away_notice(hours: dict, next_in: datetime | None) -> str:
    """What the agent tells a visitor who asks for a person while nobody is in."""
    if next_in is None:
        return f"{AWAY_NOTICE_START} I've passed this on; a person will reply here as soon as they can."
    return f"{AWAY_NOTICE_START} I've passed this on; a person will reply here from {describe_opening(hours, next_in)}."


def _announce(conversation: Conversation, event_type: str, **details: Any) -> None:
    """Queue a webhook event about the conversation, to commit with its change."""
    db.session.flush()  # so the summary shows the new updated_at
    webhooks.announce(conversation.tenant_id, event_type, {"conversation": conversation_summary(conversation), **details})


def store_message(conversation: Conversation, sender: str, content: str, mode: str = "chat", **fields: Any) -> Message:
    """Store a message in `conversation` and publish it to its sockets."""
    message = Message(
        public_id=fields.pop("public_id", None) or new_public_id("msg_"),
        conversation=conversation,
        sender=sender,
        mode=mode,
        content=content,
        sources=fields.pop("sources", []),
        **fields,
    )
    db.session.add(message)
    # The inbox lists conversations by their last activity, every sender's messages included.
    conversation.updated_at = utcnow()
    announced = announce_message(message)
    db.session.commit()
    publish_message(announced)
    return message


def request_handoff(conversation: Conversation, mode: str = "chat") -> None:
    """The visitor wants a person: the conversation waits for one, and the visitor is told."""
    # The status as committed now, locked where the database can: an agent turn that began
    # before a person closed the conversation must not reopen it.
    db.session.refresh(conversation, ["status"], with_for_update=True)
    if conversation.status in ("waiting", "human"):
        return
    if conversation.status == "closed":
        raise Problem(409, "conversation_closed", "This conversation was closed.")
    hours = conversation.widget.business_hours
    now = availability(hours, utcnow())
    conversation.status = "waiting"
    conversation.agent_turn_due_at = None  # a person answers now, not the agent
    conversation.arrived_while_away = not now.team_in
    _announce(conversation, "conversation.waiting")
    db.session.commit()
    _publish_status(conversation)
    store_message(conversation, "agent", HANDOFF_NOTICE if now.team_in else away_notice(hours, now.next_in), mode)
    conversation_waiting.send(current_app._get_current_object(), conversation=conversation)


def leave_contact(conversation: Conversation, email: str) -> Conversation:
    """The address an anonymous visitor wants to be answered at (checked by `ContactRequest`)."""
    conversation.contact_email = email
    db.session.commit()
    return conversation


def find_conversation(tenant_id: int, public_id: str) -> Conversation:
    """The tenant's conversation `public_id`; another tenant's is reported missing."""
    conversation = None
    if is_public_id(public_id):
        conversation = db.session.execute(
            db.select(Conversation).filter_by(tenant_id=tenant_id, public_id=public_id)
        ).scalar_one_or_none()
    if conversation is None:
        raise NotFoundProblem(f"No conversation {public_id!r} in this tenant.", "conversation_not_found")
    return conversation


def list_conversations(tenant_id: int, status: str | None, limit: int, before: str | None = None) -> dict:
    """The tenant's conversations, most recently active first, optionally of one status."""
    query = db.select(Conversation).filter_by(tenant_id=tenant_id)
    if status:
        query = query.filter_by(status=status)
    if before:
        # A cursor that names nothing is a bad parameter (422), as in history pages.
        try:
            cursor = find_conversation(tenant_id, before)
        except NotFoundProblem:
            raise ValidationProblem("before", "before must be the id of a conversation of this tenant.") from None
        query = query.where(Conversation.id < cursor.id)
    rows = list(db.session.execute(query.order_by(Conversation.id.desc()).limit(limit + 1)).scalars())
    return {
        "conversations": [conversation_summary(c) for c in rows[:limit]],
        "next_cursor": rows[limit - 1].public_id if len(rows) > limit else None,
    }


def human_reply(conversation: Conversation, content: str, admin: Admin | None = None) -> Message:
    """A person's reply (checked by `HumanReply`): delivered live as `sender: "human"`; the person now owns the conversation."""
    if conversation.status == "closed":
        raise Problem(409, "conversation_closed", "This conversation was closed.")
    if conversation.status != "human":
        conversation.status = "human"
        _announce(conversation, "conversation.assigned", assigned_to="human")
        db.session.commit()
        _publish_status(conversation)
    return store_message(conversation, "human", content, admin_id=admin.id if admin else None)


def assign(conversation: Conversation, to: Literal["human", "agent"]) -> Conversation:
    """Give the conversation to a person (`human`) or back to the agent (`agent`)."""
    if conversation.status == "closed":
        raise Problem(409, "conversation_closed", "This conversation was closed.")
    if conversation.status != to:
        conversation.status = to
        # Handed back, the agent answers what the visitor says next, not what a person handled.
        conversation.agent_turn_due_at = None
        _announce(conversation, "conversation.assigned", assigned_to=to)
        db.session.commit()
        _publish_status(conversation)
        if to == "agent":
            store_message(conversation, "agent", HANDBACK_NOTICE)
    return conversation


def close(conversation: Conversation) -> Conversation:
    """Close the conversation (a person, or the visitor ending it); the visitor's next
    session starts a new one. The widget then asks the visitor for a rating."""
    if conversation.status != "closed":
        conversation.status = "closed"
        conversation.agent_turn_due_at = None
        _announce(conversation, "conversation.closed")
        db.session.commit()
        _publish_status(conversation)
        conversation_closed.send(current_app._get_current_object(), conversation=conversation)
    return conversation
