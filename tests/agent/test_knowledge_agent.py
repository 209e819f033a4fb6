"""The built-in agent's answers: the sentences that answer, a person offered only when it helps."""

import pytest

from aurion.agent.backends import AgentContext, Reply, Turn
from aurion.agent.knowledge_agent import PERSON_OFFER, compose_answer
from aurion.engines.retrieval import RELEVANCE_THRESHOLD, PassageIndex, contextual_query, index_article

ARTICLES = {
    1: (
        "Refund policy",
        "You can ask for a refund from the Billing page. Monthly plans are refunded for the days left "
        "in the current month. Annual plans are refunded pro rata within 30 days of renewal.",
    ),
    2: (
        "Plans and prices",
        "The monthly plan costs $12 per seat. The annual plan costs $120 per seat and year. "
        "Both include unlimited conversations.",
    ),
    3: (
        "Resetting your password",
        "Click 'Forgot password' on the sign-in page and we email you a reset link. The link expires "
        "after one hour. If the email does not arrive, check your spam folder.",
    ),
}


@pytest.fixture(scope="module")
def index():
    return PassageIndex([p for i, (title, body) in ARTICLES.items() for p in index_article(i, title, body)])


def answer(index, *conversation: str, previous_found_nothing=False) -> tuple[str, Reply, AgentContext]:
    """The agent's answer to the last of `conversation` (visitor and agent taking turns), retrieved as the turn does."""
    turns = [Turn("user" if i % 2 == 0 else "agent", text) for i, text in enumerate(conversation)]
    query = contextual_query([t.content for t in turns if t.sender == "user"])
    hits = [hit for hit in index.rank(query, 3) if hit.score >= RELEVANCE_THRESHOLD]
    context = AgentContext("Acme", turns, conversation[-1], hits, query=query, previous_found_nothing=previous_found_nothing)
    reply = Reply()
    return compose_answer(context, reply), reply, context


def test_answer_is_the_answering_sentence_not_the_passage(index):
    text, reply, context = answer(index, "When does the reset link expire?")
    assert text == "The link expires after one hour."
    assert len(text) < len(context.hits[0].snippet)
    assert reply.source_ids == [3] and reply.answered


def test_a_confident_answer_offers_no_person(index):
    text, _, context = answer(index, "I forgot my password, what do I do?")
    assert context.hits[0].score >= 0.5
    assert "reset link" in text
    assert "person" not in text


def test_a_weak_answer_offers_a_person(index):
    # Only a loosely related passage passes the threshold: the answer may not be the right one.
    text, _, context = answer(index, "When will I get my money back?")
    assert context.hits[0].score < 0.38
    assert text.endswith(PERSON_OFFER)


def test_a_visitor_asking_again_is_offered_a_person(index):
    first, _, _ = answer(index, "When does the reset link expire?")
    assert "person" not in first
    again, _, _ = answer(index, "When does the reset link expire?", first, "How long is the reset link valid?")
    assert again.endswith(PERSON_OFFER)


def test_after_an_unanswered_question_a_person_is_offered(index):
    text, _, _ = answer(index, "I forgot my password, what do I do?", previous_found_nothing=True)
    assert text.endswith(PERSON_OFFER)


def test_a_follow_up_is_answered_in_the_context_of_the_question_before_it(index):
    first, _, _ = answer(index, "Can I get a refund?")
    assert first == "You can ask for a refund from the Billing page."
    follow_up, reply, _ = answer(index, "Can I get a refund?", first, "and for monthly plans?")
    assert follow_up == "Monthly plans are refunded for the days left in the current month."
    assert reply.source_ids == [1]
    # Alone, the same words are a question about prices.
    alone, _, _ = answer(index, "and for monthly plans?")
    assert "$12" in alone
