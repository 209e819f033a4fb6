"""Knowledge gaps: unanswered questions kept per widget and grouped by meaning."""

from datetime import timedelta

from aurion.engines.embedding import embed
from aurion.extensions import db
from aurion.models import Conversation, UnansweredQuestion
from aurion.services.knowledge_gaps import group_by_meaning, knowledge_gaps, record_unanswered
from aurion.timestamps import utcnow
from tests.support.visitors import start_session

QUESTIONS = [
    "Do you ship to Canada?",
    "How much is shipping?",
    "Do you offer a student discount?",
    "Can you deliver to Canada?",
    "What does delivery cost?",
    "Are there discounts for students?",
    "Is shipping to Toronto possible?",
    "What's your office address?",
]


def test_questions_are_grouped_by_meaning():
    groups = group_by_meaning(embed(QUESTIONS))
    named = sorted(sorted(QUESTIONS[i] for i in rows) for rows in groups)
    assert named == [
        ["Are there discounts for students?", "Do you offer a student discount?"],
        ["Can you deliver to Canada?", "Do you ship to Canada?", "Is shipping to Toronto possible?"],
        ["How much is shipping?", "What does delivery cost?"],
        ["What's your office address?"],
    ]
    # Each group leads with the question closest to what all of them ask.
    canada = next(rows for rows in groups if len(rows) == 3)
    assert QUESTIONS[canada[0]] == "Can you deliver to Canada?"


def test_gaps_are_the_last_30_days_of_one_widget_most_asked_first(client, make_tenant):
    _, widget, _ = make_tenant("shop")
    _, other_widget, _ = make_tenant("other")
    conversation, other = (
        db.session.execute(db.select(Conversation).filter_by(public_id=start_session(client, w)["conversation_id"])).scalar_one()
        for w in (widget, other_widget)
    )
    for question in QUESTIONS[:4]:
        record_unanswered(conversation, question)
    record_unanswered(other, "Do you ship to Canada?")
    record_unanswered(conversation, "Do you sell gift cards?")
    stale = db.session.execute(db.select(UnansweredQuestion).filter_by(question="Do you sell gift cards?")).scalar_one()
    stale.asked_at = utcnow() - timedelta(days=31)
    db.session.commit()

    gaps = knowledge_gaps(widget)
    assert [(group.question, group.count) for group in gaps] == [
        ("Can you deliver to Canada?", 2),  # of two equals, the later
        ("Do you offer a student discount?", 1),
        ("How much is shipping?", 1),
    ]
    assert [group.count for group in knowledge_gaps(other_widget)] == [1]
