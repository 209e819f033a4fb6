"""The numbers a support lead watches, for one widget or a whole tenant, over a window of UTC days.

Each metric's exact rule is in docs/analytics.md. The counting happens in SQL aggregates
(one row per day, per hour, or per handed-off conversation come back), so a month of
50,000 messages takes milliseconds on SQLite and PostgreSQL alike.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from statistics import median

import sqlalchemy as sa

from aurion.extensions import db
from aurion.models import Conversation, Message, Rating, Widget
from aurion.services.conversations import AWAY_NOTICE_START, HANDBACK_NOTICE, HANDOFF_NOTICE
from aurion.services.knowledge_gaps import SHOWN_GROUPS, QuestionGroup, knowledge_gaps
from aurion.services.widgets import list_tenant_widgets
from aurion.timestamps import utcnow

WINDOW_DAYS = 30
# Statuses of a conversation a person was asked for or owns right now.
WITH_A_PERSON = ("waiting", "human")


@dataclass(frozen=True)
class Day:
    """One UTC day: conversations started, and how many of them the agent resolved alone."""

    day: date
    conversations: int
    resolved_by_agent: int


@dataclass(frozen=True)
class Gap:
    """A group of unanswered questions and the widget whose visitors asked them."""

    widget: Widget
    group: QuestionGroup


@dataclass(frozen=True)
class Ratings:
    """How visitors rated the window's conversations (those started in it)."""

    good: int = 0
    okay: int = 0
    bad: int = 0

    @property
    def total(self) -> int:
        return self.good + self.okay + self.bad

    @property
    def good_share(self) -> float | None:
        """The share rated good; None without ratings."""
        return self.good / self.total if self.total else None


@dataclass(frozen=True)
class Analytics:
    """Every metric of one window (`first_day` to `last_day`, UTC, both included)."""

    first_day: date
    last_day: date
    days: list[Day]
    # Seconds from hand-off to a person's first reply, one per conversation a person answered.
    first_response_seconds: list[float]
    # Visitor messages per hour of the day (UTC), index 0 to 23.
    visitor_messages_by_hour: list[int]
    unanswered: list[Gap]
    ratings: Ratings

    @property
    def conversations(self) -> int:
        return sum(day.conversations for day in self.days)

    @property
    def resolved_by_agent(self) -> int:
        return sum(day.resolved_by_agent for day in self.days)

    @property
    def resolved_share(self) -> float | None:
        """The share of the window's conversations the agent resolved without a person; None without conversations."""
        return self.resolved_by_agent / self.conversations if self.conversations else None

    @property
    def median_first_response_seconds(self) -> float | None:
        return median(self.first_response_seconds) if self.first_response_seconds else None

    @property
    def busiest_hour(self) -> int | None:
        """The hour (UTC) with the most visitor messages, the earliest of equals; None without any."""
        most = max(self.visitor_messages_by_hour)
        return self.visitor_messages_by_hour.index(most) if most else None


def window(days: int = WINDOW_DAYS, today: date | None = None) -> tuple[date, date]:
    """The first and last UTC day of the `days` days that end today."""
    last_day = today or utcnow().date()
    return last_day - timedelta(days=days - 1), last_day


def widget_analytics(widget: Widget, days: int = WINDOW_DAYS, today: date | None = None) -> Analytics:
    """The widget's numbers over the `days` UTC days that end `today` (by default, today)."""
    return _analytics([widget], Conversation.widget_id == widget.id, *window(days, today))


def tenant_analytics(tenant_id: int, days: int = WINDOW_DAYS, today: date | None = None) -> Analytics:
    """The numbers of all the tenant's widgets together."""
    return _analytics(list_tenant_widgets(tenant_id), Conversation.tenant_id == tenant_id, *window(days, today))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _utc_day(column, dialect: str):
    """The UTC day of a timestamp column as 'YYYY-MM-DD' text. SQLite stores UTC as naive text;
    PostgreSQL keeps `timestamptz`, whose day depends on the session's zone unless pinned to UTC."""
    if dialect == "sqlite":
        return sa.func.date(column)
    return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")


def _utc_hour(column, dialect: str):
    """The UTC hour of a timestamp column, 0 to 23."""
    if dialect == "sqlite":
        return sa.cast(sa.func.strftime("%H", column), sa.Integer)
    return sa.cast(sa.extract("hour", sa.func.timezone("UTC", column)), sa.Integer)


def _per_conversation(scope, since: datetime, until: datetime):
    """One row per conversation started in the window: when a person first wrote, when it was
    handed off, and how often it was handed back."""
    return (
        db.select(
            Conversation.id,
            Conversation.created_at,
            Conversation.status,
            sa.func.min(sa.case((Message.sender == "human", Message.created_at))).label("first_human"),
            sa.func.min(
                sa.case(
                    (
                        sa.and_(
                            Message.sender == "agent",
                            sa.or_(Message.content == HANDOFF_NOTICE, Message.content.startswith(AWAY_NOTICE_START)),
                        ),
                        Message.created_at,
                    )
                )
            ).label("handed_off"),
            # Handed back to the agent: a person took it over, even without writing.
            sa.func.count(
                sa.case((sa.and_(Message.sender == "agent", Message.content == HANDBACK_NOTICE), Message.id))
            ).label("handed_back"),
        )
        .outerjoin(Message, Message.conversation_id == Conversation.id)
        .where(scope, Conversation.created_at >= since, Conversation.created_at < until)
        .group_by(Conversation.id, Conversation.created_at, Conversation.status)
        .subquery()
    )


def median_first_response(widget: Widget, days: int = WINDOW_DAYS) -> float | None:
    """Seconds to a person's first reply on the widget, the median over the last `days` days; None without any."""
    first_day, last_day = window(days)
    seconds = _first_response_seconds(
        _per_conversation(Conversation.widget_id == widget.id, _start_of(first_day), _start_of(last_day + timedelta(days=1)))
    )
    return median(seconds) if seconds else None


def _analytics(widgets: list[Widget], scope, first_day: date, last_day: date) -> Analytics:
    since, until = _start_of(first_day), _start_of(last_day + timedelta(days=1))
    dialect = db.engine.dialect.name
    per_conversation = _per_conversation(scope, since, until)
    return Analytics(
        first_day=first_day,
        last_day=last_day,
        days=_days(per_conversation, dialect, first_day, last_day),
        first_response_seconds=_first_response_seconds(per_conversation),
        visitor_messages_by_hour=_visitor_messages_by_hour(scope, since, until, dialect),
        unanswered=_unanswered(widgets, since),
        ratings=_ratings(scope, since, until),
    )


def _ratings(scope, since: datetime, until: datetime) -> Ratings:
    rows = db.session.execute(
        db.select(Rating.score, sa.func.count())
        .join(Conversation, Conversation.id == Rating.conversation_id)
        .where(scope, Conversation.created_at >= since, Conversation.created_at < until)
        .group_by(Rating.score)
    ).all()
    return Ratings(**dict(rows))


def _days(per_conversation, dialect: str, first_day: date, last_day: date) -> list[Day]:
    """Conversations per day, and those no person was involved in: never handed off, never
    answered by a person, never handed back by one, and not waiting for or owned by one now."""
    by_agent_alone = sa.and_(
        per_conversation.c.first_human.is_(None),
        per_conversation.c.handed_off.is_(None),
        per_conversation.c.handed_back == 0,
        per_conversation.c.status.not_in(WITH_A_PERSON),
    )
    day = _utc_day(per_conversation.c.created_at, dialect).label("day")
    rows = db.session.execute(
        db.select(day, sa.func.count(), sa.func.sum(sa.case((by_agent_alone, 1), else_=0))).group_by(day)
    ).all()
    counts = {date.fromisoformat(row[0]): (row[1], int(row[2])) for row in rows}
    span = (last_day - first_day).days + 1
    return [Day(d, *counts.get(d, (0, 0))) for d in (first_day + timedelta(days=i) for i in range(span))]


def _first_response_seconds(per_conversation) -> list[float]:
    """For each conversation a person answered: from the moment it was handed off (the agent's
    hand-off notice) to the person's first message. A conversation an admin took over without a
    hand-off counts from the visitor's last message before that reply; one where the person
    wrote before the visitor said anything is not a response and is left out."""
    answered = per_conversation.c.first_human
    last_visitor_message = (
        db.select(sa.func.max(Message.created_at))
        .where(
            Message.conversation_id == per_conversation.c.id,
            Message.sender == "user",
            Message.created_at < answered,
        )
        .scalar_subquery()
    )
    start = sa.case((per_conversation.c.handed_off <= answered, per_conversation.c.handed_off), else_=last_visitor_message)
    rows = db.session.execute(db.select(start.label("start"), answered).where(answered.is_not(None))).all()
    return sorted((reply - asked).total_seconds() for asked, reply in rows if asked is not None)


def _visitor_messages_by_hour(scope, since: datetime, until: datetime, dialect: str) -> list[int]:
    hour = _utc_hour(Message.created_at, dialect).label("hour")
    rows = db.session.execute(
        db.select(hour, sa.func.count())
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(scope, Message.sender == "user", Message.created_at >= since, Message.created_at < until)
        .group_by(hour)
    ).all()
    counts = [0] * 24
    for row_hour, count in rows:
        counts[row_hour] = count
    return counts


def _unanswered(widgets: list[Widget], since: datetime) -> list[Gap]:
    """The most asked open knowledge gaps of the window across `widgets`, most asked first."""
    gaps = [Gap(widget, group) for widget in widgets for group in knowledge_gaps(widget, since=since)]
    gaps.sort(key=lambda gap: (-gap.group.count, -gap.group.last_asked.timestamp()))
    return gaps[:SHOWN_GROUPS]


def analytics_csv(analytics: Analytics) -> str:
    """The numbers as CSV: a section per metric, each with its own header row, separated by a
    blank line (the summary, one row per day, one row per hour, the unanswered questions)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    median_seconds = analytics.median_first_response_seconds
    share = analytics.resolved_share
    writer.writerows(
        [
            ("metric", "value"),
            ("first_day", analytics.first_day.isoformat()),
            ("last_day", analytics.last_day.isoformat()),
            ("conversations", analytics.conversations),
            ("resolved_by_agent", analytics.resolved_by_agent),
            ("resolved_by_agent_share", "" if share is None else f"{share:.4f}"),
            ("median_first_human_response_seconds", "" if median_seconds is None else f"{median_seconds:g}"),
            ("human_responses", len(analytics.first_response_seconds)),
            ("ratings_good", analytics.ratings.good),
            ("ratings_okay", analytics.ratings.okay),
            ("ratings_bad", analytics.ratings.bad),
            (),
            ("day", "conversations", "resolved_by_agent"),
            *((day.day.isoformat(), day.conversations, day.resolved_by_agent) for day in analytics.days),
            (),
            ("hour_utc", "visitor_messages"),
            *enumerate(analytics.visitor_messages_by_hour),
            (),
            ("unanswered_question", "times_asked", "widget"),
            *((gap.group.question, gap.group.count, gap.widget.name) for gap in analytics.unanswered),
        ]
    )
    return out.getvalue()
