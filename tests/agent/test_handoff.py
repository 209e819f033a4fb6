"""The hand-off decision: its targets on the held-out set, its rules, and one decision everywhere."""

import pytest

from aurion.agent.handoff import decide_handoff, visitor_wants_person
from aurion.extensions import db
from aurion.models import Conversation
from aurion.services.conversations import HANDOFF_NOTICE
from aurion.services.tenants import create_tenant
from tests.support.dashboard import Dashboard, make_admin
from tests.support.handoff import ORDINARY_QUESTIONS, REQUESTS_FOR_A_PERSON, add_support_desk
from tests.support.openai_server import OpenAICompatibleServer
from tests.support.visitors import HISTORY_URL, MESSAGES_URL, bearer, start_session

HELD_OUT = [*REQUESTS_FOR_A_PERSON, *ORDINARY_QUESTIONS]
# The live agent over HTTP takes a few embeddings per message: a sample of each side keeps it quick.
LIVE_SAMPLE = REQUESTS_FOR_A_PERSON[::4][:10] + ORDINARY_QUESTIONS[::4][:10]


@pytest.fixture
def app(make_app):
    """The app, letting one client start a session per sampled phrase."""
    app = make_app(AURION_LIMIT_SESSION="100/minute")
    with app.app_context():
        yield app


@pytest.fixture
def support_desk(make_tenant):
    """(tenant, widget, API key) of a widget whose knowledge base answers questions about people."""
    tenant, widget, key = make_tenant("acme")
    add_support_desk(widget)
    return tenant, widget, key


def test_held_out_targets(support_desk):
    widget = support_desk[1]
    decisions = {phrase: visitor_wants_person(widget, phrase) for phrase in HELD_OUT}
    missed = [p for p in REQUESTS_FOR_A_PERSON if not decisions[p].wanted]
    handed_off = [p for p in ORDINARY_QUESTIONS if decisions[p].wanted]
    assert len(REQUESTS_FOR_A_PERSON) >= 40 and len(ORDINARY_QUESTIONS) >= 40
    assert 1 - len(missed) / len(REQUESTS_FOR_A_PERSON) >= 0.95, missed
    assert len(handed_off) / len(ORDINARY_QUESTIONS) <= 0.03, handed_off


@pytest.mark.parametrize(
    ("message", "wanted"),
    [
        ("I don't want a bot", True),
        ("please, no chatbot, I want to sort this out with your team", True),
        ("I don't need a human, just tell me how to cancel my plan", False),
        ("no need to talk to a person, what's the refund window?", False),
    ],
)
def test_negation(message, wanted):
    assert decide_handoff(message).wanted is wanted


def test_a_yes_counts_only_right_after_the_offer_of_a_person():
    accepted = decide_handoff("yes please", agent_offered_person=True)
    assert accepted.wanted and "offer" in accepted.reason
    assert not decide_handoff("yes please").wanted
    assert decide_handoff("please do", agent_offered_person=True).wanted


def test_a_question_the_knowledge_base_answers_needs_a_clearer_request():
    question = "When can I reach your support staff?"
    assert decide_handoff(question, answer_score=0.7).reason == "a question the knowledge base answers"


def _live_agent_hands_off(app, client, widget, phrase: str, visitor: int) -> bool:
    session = start_session(client, widget, f"visitor{visitor}@example.com")
    assert client.post(MESSAGES_URL, json={"content": phrase}, headers=bearer(session)).status_code == 201
    app.extensions["aurion_agent"].drain()
    db.session.expire_all()
    conversation = db.session.execute(db.select(Conversation).filter_by(public_id=session["conversation_id"])).scalar_one()
    return conversation.status == "waiting"


def test_try_the_agent_the_search_api_and_the_live_agent_agree(app, client, support_desk):
    tenant, widget, key = support_desk
    dashboard = Dashboard(app.test_client())
    assert dashboard.sign_in(make_admin(tenant).email).status_code == 302
    page = f"/dashboard/widgets/{widget.public_id}/articles"
    search = "/api/v1/voice-widget/articles/search"
    for number, phrase in enumerate(HELD_OUT):
        tried = dashboard.get(page, query_string={"q": phrase}).text
        found = client.get(search, query_string={"q": phrase, "widget_id": widget.public_id}, headers={"X-API-Key": key})
        handoff = found.get_json()["handoff"]
        assert ("Would hand off to a person" in tried) is handoff["wanted"], phrase
        if handoff["wanted"]:
            assert f"({handoff['reason']})" in tried.replace("&#34;", '"').replace("&#39;", "'")
        else:
            assert "The visitor would read:" in tried
        if phrase in LIVE_SAMPLE:
            assert _live_agent_hands_off(app, client, widget, phrase, number) is handoff["wanted"], phrase


def test_the_turn_hands_off_with_the_notice_and_answers_otherwise(app, client, support_desk):
    widget = support_desk[1]
    session = start_session(client, widget)
    client.post(MESSAGES_URL, json={"content": "What are your customer service hours?"}, headers=bearer(session))
    app.extensions["aurion_agent"].drain()
    client.post(MESSAGES_URL, json={"content": "ok thanks. can I talk to a manager now"}, headers=bearer(session))
    app.extensions["aurion_agent"].drain()
    messages = client.get(HISTORY_URL, headers=bearer(session)).get_json()["messages"]
    assert messages[1]["sender"] == "agent" and messages[1]["sources"][0]["title"] == "Support hours"
    assert messages[-1]["content"] == HANDOFF_NOTICE



@pytest.mark.parametrize(
    ("server", "phrase", "status"),
    [
        ({"reply": "", "tool_call": ("handoff", {"reason": "wants a person"})}, "What are your customer service hours?", "waiting"),
        ({"reply": "We open at 8 am."}, "I need to talk to a manager", "agent"),
        ({"fail_with": 503}, "I need to talk to a manager", "waiting"),
        ({"fail_with": 503}, "What are your customer service hours?", "agent"),
    ],
    ids=["model calls handoff", "model answers", "endpoint down, built-in hands off", "endpoint down, built-in answers"],
)
def test_with_a_model_the_model_decides_and_the_built_in_decision_is_the_fallback(make_app, server, phrase, status):
    with OpenAICompatibleServer(**server) as model:
        app = make_app(AURION_LLM_BASE_URL=model.base_url, AURION_LLM_MODEL="gpt-test", AURION_LLM_TIMEOUT=5)
        with app.app_context():
            tenant = create_tenant("acme")
            widget = tenant.widgets[0]
            add_support_desk(widget)
            client = app.test_client()
            session = start_session(client, widget)
            client.post(MESSAGES_URL, json={"content": phrase}, headers=bearer(session))
            app.extensions["aurion_agent"].drain()
            db.session.expire_all()
            conversation = db.session.execute(db.select(Conversation).filter_by(public_id=session["conversation_id"])).scalar_one()
            assert conversation.status == status
    assert model.requests and model.requests[0]["body"]["tools"][0]["function"]["name"] == "handoff"


def test_a_worker_s_first_turns_embed_the_exemplars_once_between_them(monkeypatch):
    """At a worker's start its first turns arrive together; each computing the 126
    exemplars' embeddings itself held every first answer past 30 s under load."""
    import threading

    from aurion.agent import handoff
    from aurion.engines import embedding

    monkeypatch.setattr(handoff, "_exemplars", None)
    batches = []
    model_embed = embedding._MiniLM.embed
    monkeypatch.setattr(embedding._MiniLM, "embed", lambda model, texts: batches.append(len(texts)) or model_embed(model, texts))
    decisions = []
    turns = [threading.Thread(target=lambda: decisions.append(decide_handoff("Can I talk to someone?"))) for _ in range(4)]
    for turn in turns:
        turn.start()
    for turn in turns:
        turn.join()
    assert [decision.wanted for decision in decisions] == [True] * 4
    assert batches.count(len(handoff.ASKING_FOR_A_PERSON) + len(handoff.ABOUT_PEOPLE)) == 1
