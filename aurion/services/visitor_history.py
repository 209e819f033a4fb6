"""A visitor's earlier conversations on a widget: read-only in the widget once closed.

Only the session's own visitor's conversations are listed (one visitor row per widget
and email; an anonymous visitor is the same row while their visitor token comes back),
never the one the session is in, newest first.
"""

from aurion.extensions import db
from aurion.models import Conversation, WidgetSession
from aurion.schemas.fields import is_public_id
from aurion.schemas.messages import HISTORY_DEFAULT_LIMIT
from aurion.services.messages import history_page
from aurion.timestamps import isoformat_utc


def _earlier(session: WidgetSession):
    return db.select(Conversation).where(
        Conversation.widget_id == session.widget_id,
        Conversation.visitor_id == session.visitor_id,
        Conversation.id != session.conversation_id,
    )


def earlier_count(session: WidgetSession) -> int:
    """How many other conversations the session's visitor had on its widget."""
    return db.session.execute(db.select(db.func.count()).select_from(_earlier(session).subquery())).scalar_one()


def earlier_conversations(session: WidgetSession, before: str | None, limit: int) -> dict:
    """A page of the visitor's other conversations, newest first, each with its latest messages.

    `before` is a conversation id from `next_cursor`; one that names no earlier conversation of
    this visitor starts from the newest (it pages nothing another visitor owns).
    """
    query = _earlier(session)
    if before is not None and is_public_id(before):
        cursor = db.session.execute(query.with_only_columns(Conversation.id).filter_by(public_id=before)).scalar()
        if cursor is not None:
            query = query.where(Conversation.id < cursor)
    rows = list(db.session.execute(query.order_by(Conversation.id.desc()).limit(limit + 1)).scalars())
    has_more = len(rows) > limit
    rows = rows[:limit]
    conversations = []
    for conversation in rows:
        page = history_page(conversation, limit=HISTORY_DEFAULT_LIMIT)
        conversations.append(
            {
                "id": conversation.public_id,
                "status": conversation.status,
                "created_at": isoformat_utc(conversation.created_at),
                "messages": page["messages"],
                "has_more": page["has_more"],
            }
        )
    return {
        "conversations": conversations,
        "has_more": has_more,
        "next_cursor": rows[-1].public_id if has_more else None,
    }
