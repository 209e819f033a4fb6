"""A month of conversations built by hand, whose every analytics number is known.

`seed_month(shop, docs, other)` stores, relative to `today` (UTC), the conversations
below; `SHOP` and `TENANT` are the numbers the analytics of widget `shop` and of its
tenant (`shop` and `docs`) must show. `other` is another tenant's widget, never counted.
"""

from datetime import date, datetime, time, timedelta, timezone

from aurion.extensions import db
from aurion.models import Conversation, Message, UnansweredQuestion, Visitor
from aurion.services.conversations import HANDBACK_NOTICE, HANDOFF_NOTICE
from aurion.services.knowledge_gaps import record_unanswered
from aurion.services.public_ids import new_public_id

# (days before today, "HH:MM:SS" of the first message, status, [(seconds after the first, sender, content)])
SHOP_CONVERSATIONS = [
    # Answered by the agent alone.
    (1, "09:00:00", "agent", [(0, "user", "Do you ship to Canada?"), (5, "agent", "We do.")]),
    # Handed off; a person replies 120 s after the hand-off notice.
    (1, "14:00:00", "human", [(0, "user", "Hi"), (2, "agent", "Hello!"), (600, "user", "A person please"),
                              (601, "agent", HANDOFF_NOTICE), (721, "human", "Hi, I'm Ada.")]),
    # Closed by the agent alone.
    (2, "09:30:00", "closed", [(0, "user", "Opening hours?"), (3, "agent", "9 to 5.")]),
    # An admin took it over and handed it back without writing: a person was involved.
    (2, "10:00:00", "agent", [(0, "user", "Hi"), (1, "agent", "Hello!"), (100, "agent", HANDBACK_NOTICE)]),
    # Handed off, still waiting for a person.
    (2, "20:00:00", "waiting", [(0, "user", "Talk to someone"), (1, "agent", HANDOFF_NOTICE)]),
    # An admin took it over without a hand-off: 300 s from the visitor's last message.
    (5, "09:15:00", "closed", [(0, "user", "Refund?"), (3, "agent", "Within 30 days."), (300, "user", "It's day 31"),
                               (600, "human", "We'll make an exception.")]),
    # A person wrote first: involved, but not a response.
    (5, "16:00:00", "human", [(0, "human", "Can I help you?"), (300, "user", "Yes, my order")]),
    # The window's first day: a person replies 600 s after the hand-off.
    (29, "23:30:00", "closed", [(0, "user", "Invoice?"), (1, "agent", HANDOFF_NOTICE), (601, "human", "Sent.")]),
    # The day before the window: never counted.
    (30, "10:00:00", "closed", [(0, "user", "Old"), (1, "agent", HANDOFF_NOTICE), (61, "human", "Old reply")]),
]
DOCS_CONVERSATIONS = [
    (1, "09:45:00", "human", [(0, "user", "API limits?"), (1, "agent", HANDOFF_NOTICE), (61, "human", "1,000 a minute.")]),
    (3, "11:00:00", "agent", [(0, "user", "Where are the docs?"), (1, "agent", "Here."), (2, "agent", "Anything else?")]),
]
OTHER_CONVERSATIONS = [
    (1, "09:00:00", "human", [(0, "user", "Hello"), (1, "agent", HANDOFF_NOTICE), (10, "human", "Hi")]),
]

SHOP = {
    # days before today → (conversations, resolved by the agent)
    "days": {1: (2, 1), 2: (3, 1), 5: (2, 0), 29: (1, 0)},
    "conversations": 8,
    "resolved_by_agent": 2,
    "first_response_seconds": [120.0, 300.0, 600.0],
    "median_first_response_seconds": 300.0,
    "visitor_messages_by_hour": {9: 4, 10: 1, 14: 2, 16: 1, 20: 1, 23: 1},
    "unanswered": [("Can you deliver to Canada?", 2)],
}
TENANT = {
    "days": {1: (3, 1), 2: (3, 1), 3: (1, 1), 5: (2, 0), 29: (1, 0)},
    "conversations": 10,
    "resolved_by_agent": 3,
    "first_response_seconds": [60.0, 120.0, 300.0, 600.0],
    "median_first_response_seconds": 210.0,
    "visitor_messages_by_hour": {9: 5, 10: 1, 11: 1, 14: 2, 16: 1, 20: 1, 23: 1},
    "unanswered": [("Can you deliver to Canada?", 2), ("Do you offer a student discount?", 1)],
}


def seed_conversation(widget, started_at: datetime, status: str, turns) -> Conversation:
    """A conversation of a new visitor of `widget` with `turns` (seconds after `started_at`, sender, content)."""
    visitor = Visitor(widget=widget, public_id=new_public_id("vis_"), created_at=started_at)
    conversation = Conversation(
        public_id=new_public_id("conv_"), tenant_id=widget.tenant_id, widget=widget, visitor=visitor,
        status=status, created_at=started_at,
    )
    db.session.add(conversation)
    for seconds, sender, content in turns:
        db.session.add(
            Message(
                public_id=new_public_id("msg_"), conversation=conversation, sender=sender, content=content, sources=[],
                created_at=started_at + timedelta(seconds=seconds),
            )
        )
    db.session.commit()
    return conversation


def _seed(widget, today: date, conversations) -> list[Conversation]:
    return [
        seed_conversation(
            widget,
            datetime.combine(today - timedelta(days=days), time.fromisoformat(clock), tzinfo=timezone.utc),
            status,
            turns,
        )
        for days, clock, status, turns in conversations
    ]


def seed_month(shop, docs, other, today: date) -> None:
    """Store the conversations and unanswered questions above."""
    first = _seed(shop, today, SHOP_CONVERSATIONS)[0]
    docs_first = _seed(docs, today, DOCS_CONVERSATIONS)[0]
    _seed(other, today, OTHER_CONVERSATIONS)
    record_unanswered(first, "Do you ship to Canada?")
    record_unanswered(first, "Can you deliver to Canada?")
    record_unanswered(docs_first, "Do you offer a student discount?")
    # Asked before the window: not among the window's questions.
    record_unanswered(first, "Do you sell gift cards?")
    stale = db.session.execute(db.select(UnansweredQuestion).filter_by(question="Do you sell gift cards?")).scalar_one()
    stale.asked_at = datetime.combine(today - timedelta(days=30), time(12), tzinfo=timezone.utc)
    db.session.commit()
