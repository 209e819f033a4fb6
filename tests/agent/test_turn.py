"""Whole agent turns through the widget API: answers, knowledge gaps, other languages."""

import pytest

from aurion.agent.language import NOTICES
from aurion.extensions import db
from aurion.models import Conversation, UnansweredQuestion
from tests.support.knowledge import add_help_desk
from tests.support.visitors import HISTORY_URL, MESSAGES_URL, bearer, start_session


@pytest.fixture
def visitor(app, client, widget):
    """`visitor(text)` sends a message to the help desk's widget and returns the conversation's messages after the agent's turn."""
    add_help_desk(widget)
    session = start_session(client, widget)

    def say(text: str) -> list[dict]:
        assert client.post(MESSAGES_URL, json={"content": text}, headers=bearer(session)).status_code == 201
        app.extensions["aurion_agent"].drain()
        return client.get(HISTORY_URL, headers=bearer(session)).get_json()["messages"]

    return say


def gaps() -> list[str]:
    return list(db.session.execute(db.select(UnansweredQuestion.question).order_by(UnansweredQuestion.id)).scalars())


def test_a_follow_up_is_answered_in_context(visitor):
    visitor("How do I reset my password?")
    answer = visitor("and how long is it valid?")[-1]
    assert answer["content"] == "The link expires after one hour."
    assert [source["title"] for source in answer["sources"]] == ["Resetting your password"]


def test_unanswered_questions_are_recorded_as_gaps(visitor):
    visitor("How do I reset my password?")
    visitor("Do you have a store in Berlin?")
    assert gaps() == ["Do you have a store in Berlin?"]


def test_a_visitor_in_german_is_told_in_both_languages_and_can_get_a_person(visitor):
    answer = visitor("Wie lange dauert eine Rückerstattung?")[-1]
    assert answer["content"] == f"{NOTICES['en']}\n\n{NOTICES['de']}"
    assert answer["sources"] == []
    assert gaps() == []  # an English article would not help this visitor
    visitor("yes")
    db.session.expire_all()
    assert db.session.execute(db.select(Conversation.status)).scalar_one() == "waiting"


def test_a_second_message_in_another_language_goes_to_a_person(visitor):
    visitor("Bonjour, je n'ai pas reçu ma commande.")
    visitor("Est-ce que quelqu'un peut m'aider ?")
    db.session.expire_all()
    assert db.session.execute(db.select(Conversation.status)).scalar_one() == "waiting"
