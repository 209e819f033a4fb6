"""Who the team is talking to: what the conversation page shows beside the thread."""

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aurion.extensions import db
from aurion.models import Conversation, WidgetSession
from aurion.services import user_agents
from aurion.timestamps import isoformat_utc, utcnow

PAST_CONVERSATIONS_SHOWN = 10


def visitor_details(conversation: Conversation) -> dict:
    """The visitor's name and email, where and with what they wrote (from the conversation's
    latest session), their local time, and their other conversations, newest first."""
    visitor = conversation.visitor
    session = db.session.execute(
        db.select(WidgetSession).filter_by(conversation_id=conversation.id).order_by(WidgetSession.id.desc()).limit(1)
    ).scalar_one_or_none()
    past = db.session.execute(
        db.select(Conversation)
        .filter_by(tenant_id=conversation.tenant_id, visitor_id=conversation.visitor_id)
        .where(Conversation.id != conversation.id)
        .order_by(Conversation.id.desc())
        .limit(PAST_CONVERSATIONS_SHOWN)
    ).scalars()
    return {
        "name": visitor.display_name or None,
        "email": visitor.email or conversation.contact_email,
        "page_url": _web_address(session.page_url) if session else None,
        "browser": user_agents.describe(session.user_agent) if session else None,
        "local_time": local_time(session.time_zone) if session else None,
        "time_zone": session.time_zone if session else None,
        "past_conversations": [
            {"id": other.public_id, "status": other.status, "created_at": isoformat_utc(other.created_at)} for other in past
        ],
    }


def _web_address(url: str | None) -> str | None:
    # The widget reports it, so anyone can: only an http(s) address becomes a link.
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def local_time(time_zone: str | None) -> str | None:
    """The time now in `time_zone` ("14:05"), or None when it is not a known zone."""
    if not time_zone:
        return None
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # not a zone name, or a path
        return None
    return utcnow().astimezone(zone).strftime("%H:%M")
