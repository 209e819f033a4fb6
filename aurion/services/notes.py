"""Internal notes: what teammates tell each other about a conversation.

A note lives in its own table (`ConversationNote`), never among messages, and is
published only on the conversation's team channel: the widget's history, socket,
transcript email and webhooks read messages, so a note cannot reach the visitor.
"""

from datetime import datetime

from aurion.engines import frames
from aurion.engines.broker import publish
from aurion.extensions import db
from aurion.models import Admin, Conversation, ConversationNote, Message
from aurion.services.messages import history_page, team_channel
from aurion.services.public_ids import new_public_id
from aurion.services.team import person_card
from aurion.timestamps import isoformat_utc


def add_note(conversation: Conversation, admin: Admin, content: str) -> ConversationNote:
    """Store a note (checked by `NoteRequest`) and show it to the teammates who have the conversation open."""
    note = ConversationNote(public_id=new_public_id("note_"), conversation=conversation, admin=admin, content=content)
    db.session.add(note)
    db.session.commit()
    publish(team_channel(conversation), frames.note(note_to_dict(note)))
    return note


def note_to_dict(note: ConversationNote) -> dict:
    """A note as the conversation page and its live stream show it; a removed teammate's note has no author."""
    return {
        "id": note.public_id,
        "content": note.content,
        "created_at": isoformat_utc(note.created_at),
        "author": person_card(note.admin) if note.admin is not None else None,
    }


def notes_between(conversation: Conversation, start: datetime | None, end: datetime | None) -> list[dict]:
    """The conversation's notes written in [start, end) (either open), oldest first."""
    query = db.select(ConversationNote).filter_by(conversation_id=conversation.id)
    if start is not None:
        query = query.where(ConversationNote.created_at >= start)
    if end is not None:
        query = query.where(ConversationNote.created_at < end)
    rows = db.session.execute(query.order_by(ConversationNote.created_at, ConversationNote.id)).scalars()
    return [note_to_dict(note) for note in rows]


def timeline(conversation: Conversation, history: dict, before: str | None) -> list[dict]:
    """A history page's messages with the notes written in the same span, in time order.

    The span runs from the page's first message (from the start when nothing is older)
    to the message the page stops before (to now on the latest page), so every note is
    on exactly one page.
    """
    messages = history["messages"]
    start = _moment(messages[0]["created_at"]) if history["has_more"] and messages else None
    end = _sent_at(conversation, before) if before is not None else None
    notes = [frames.note(note) for note in notes_between(conversation, start, end)]
    # Stable: a message and a note of the same second keep the message first.
    return sorted([*messages, *notes], key=lambda item: item["created_at"])


def missed_since(conversation: Conversation, after: str, limit: int) -> list[dict]:
    """What a conversation page's stream missed while it reconnected, from message `after` on:
    the (at most `limit`) messages after it and the notes written since it, in time order.

    Notes have no cursor of their own, so a note written in the same second as `after`, or
    one the page shows already, may come again: the page skips those by id.
    """
    messages = history_page(conversation, after=after, limit=limit)["messages"]  # 422 for a bad cursor
    notes = [frames.note(note) for note in notes_between(conversation, _sent_at(conversation, after), None)]
    return sorted([*messages, *notes], key=lambda item: item["created_at"])


def _sent_at(conversation: Conversation, message_id: str) -> datetime | None:
    """When the conversation's message `message_id` was stored; None if it has no such message."""
    return db.session.execute(
        db.select(Message.created_at).filter_by(conversation_id=conversation.id, public_id=message_id)
    ).scalar_one_or_none()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
