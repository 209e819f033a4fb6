"""Who answers on a widget, as its header shows visitors: up to three teammates' faces and
"Typically replies in …".

Decisions (also in docs/widget.md):
- The faces are the tenant's admins who replied on the widget most recently, then the
  others, oldest account first: the people a visitor is likely to meet.
- The reply time is the owner's own words (`Widget.reply_time_text`) when set; otherwise
  the median first response of the last 30 days (`analytics.median_first_response`), in
  rough words: a visitor wants a feeling, not a figure. Without a measured reply, nothing.
- The public config is fetched on every page view, so the measured median is kept per
  widget for a few minutes in the process instead of aggregating on each request.
"""

import time

from aurion.extensions import db
from aurion.models import Admin, Conversation, Message, Widget
from aurion.services.analytics import median_first_response
from aurion.services.team import person_card

TEAM_SHOWN = 3
MEDIAN_CACHE_SECONDS = 300
# Up to this many seconds → the catalogue key of the words; anything longer is "a day".
_REPLY_TIME_WORDS = ((10 * 60, "reply_minutes"), (60 * 60, "reply_hour"), (6 * 60 * 60, "reply_hours"))
_medians: dict[str, tuple[float, float | None]] = {}


def reply_time_key(seconds: float) -> str:
    """The catalogue key for a typical reply after `seconds`: a few minutes, under an hour, a few hours, a day."""
    for limit, key in _REPLY_TIME_WORDS:
        if seconds <= limit:
            return key
    return "reply_day"


def _cached_median(widget: Widget) -> float | None:
    now = time.monotonic()
    cached = _medians.get(widget.public_id)
    if cached is None or cached[0] < now:
        cached = _medians[widget.public_id] = (now + MEDIAN_CACHE_SECONDS, median_first_response(widget))
    return cached[1]


def team_faces(widget: Widget) -> list[dict]:
    """Person cards of up to three teammates: those who replied on the widget most recently first."""
    latest = (
        db.select(Message.admin_id, db.func.max(Message.created_at).label("at"))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.widget_id == widget.id, Message.admin_id.is_not(None))
        .group_by(Message.admin_id)
        .subquery()
    )
    admins = db.session.execute(
        db.select(Admin)
        .outerjoin(latest, latest.c.admin_id == Admin.id)
        .where(Admin.tenant_id == widget.tenant_id)
        .order_by(latest.c.at.desc().nulls_last(), Admin.id)
        .limit(TEAM_SHOWN)
    ).scalars()
    return [person_card(admin) for admin in admins]


def widget_header(widget: Widget, strings: dict[str, str]) -> dict:
    """`team` and `reply_time` of the public config; `strings` is the visitor's catalogue."""
    reply_time = widget.reply_time_text or None
    if reply_time is None:
        seconds = _cached_median(widget)
        reply_time = strings[reply_time_key(seconds)] if seconds is not None else None
    return {"team": team_faces(widget), "reply_time": reply_time}
