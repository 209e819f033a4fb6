"""Durable agent turns: an owed answer survives a killed worker and a restart, and is given
once across processes (PostgreSQL too with AURION_TEST_DATABASE_URL)."""

import os
import signal
import threading
import time
from datetime import timedelta

import pytest

from aurion.agent.dispatch import answer_owed, claim_turn, owed_conversations
from aurion.extensions import db
from aurion.models import Conversation, Message, WidgetSession
from aurion.services.conversations import assign, store_message
from aurion.services.messages import add_visitor_message
from tests.support.knowledge import add_help_desk
from tests.support.live_server import gunicorn_server
from tests.support.openai_server import OpenAICompatibleServer
from tests.support.processes import parent_pid, pid_with_local_port
from tests.support.sockets import frames_until, widget_socket
from tests.support.visitors import (
    HISTORY_URL,
    MESSAGES_URL,
    bearer,
    history_over_http,
    post_json,
    start_session,
    start_session_over_http,
)

LEASE = timedelta(seconds=30)
REPLY = "Refunds take 5 to 10 business days."


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def agent_answers(conversation_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(Message.content).filter_by(conversation_id=conversation_id, sender="agent").order_by(Message.id)
        ).scalars()
    )


def owe_answers(client, widget, count: int) -> list[int]:
    """`count` conversations whose visitor asked something the agent has not answered yet
    (stored as by a worker that died before its turn started)."""
    ids = []
    for index in range(count):
        start_session(client, widget, f"v{index}@example.com")
    for session in db.session.execute(db.select(WidgetSession).order_by(WidgetSession.id)).scalars().all():
        add_visitor_message(session, "How long does a refund take?")
        ids.append(session.conversation_id)
    return ids


@pytest.fixture
def app(make_app):
    app = make_app(AURION_LIMIT_SESSION="100/minute")
    with app.app_context():
        yield app


def test_an_owed_answer_is_given_once_when_two_processes_sweep_at_once(app, make_app, client, widget):
    add_help_desk(widget)
    owed = owe_answers(client, widget, 12)
    other = make_app()  # a second process (or host) on the same database
    dispatchers = [app.extensions["aurion_agent"], other.extensions["aurion_agent"]]
    start = threading.Barrier(2)

    def sweep(instance, dispatcher):
        with instance.app_context():
            start.wait()
            while dispatcher.sweep():
                dispatcher.drain()

    threads = [threading.Thread(target=sweep, args=pair) for pair in zip([app, other], dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for dispatcher in dispatchers:
        dispatcher.drain()

    assert [len(agent_answers(conversation_id)) for conversation_id in owed] == [1] * 12
    assert owed_conversations(100) == []


def test_a_message_sent_during_the_answer_is_answered_after_it(app, client, widget):
    add_help_desk(widget)
    [conversation_id] = owe_answers(client, widget, 1)
    turn = claim_turn(conversation_id, LEASE)
    assert claim_turn(conversation_id, LEASE) is None  # held: no second worker answers meanwhile
    session = db.session.execute(db.select(WidgetSession)).scalar_one()
    add_visitor_message(session, "How do I reset my password?")  # while the first answer is written
    conversation = db.session.get(Conversation, conversation_id)
    turn.settle(conversation)
    store_message(conversation, "agent", "Refunds take 5 to 10 business days.")  # stored after the second question
    assert turn.release()
    # The newer message is still owed, and answered once, though an agent message follows it.
    assert owed_conversations(10) == [conversation_id]
    assert answer_owed(conversation_id, LEASE) == 1
    assert agent_answers(conversation_id)[-1].startswith("Click 'Forgot password'")
    assert len(agent_answers(conversation_id)) == 2
    assert owed_conversations(10) == []


def test_an_answer_stored_just_before_a_crash_is_not_given_again(app, client, widget):
    add_help_desk(widget)
    [conversation_id] = owe_answers(client, widget, 1)
    dying = claim_turn(conversation_id, timedelta(seconds=-1))  # its lease lapses: the worker died
    dying.settle(db.session.get(Conversation, conversation_id))
    store_message(db.session.get(Conversation, conversation_id), "agent", "Refunds take 5 to 10 business days.")
    # ...and died before releasing its claim: the answer's own commit settled the debt.
    assert owed_conversations(10) == []
    assert answer_owed(conversation_id, LEASE) == 0
    assert len(agent_answers(conversation_id)) == 1


def test_a_worker_whose_lease_lapsed_stores_nothing(app, client, widget):
    add_help_desk(widget)
    [conversation_id] = owe_answers(client, widget, 1)
    stalled = claim_turn(conversation_id, timedelta(seconds=-1))  # a lease that has already lapsed
    assert answer_owed(conversation_id, LEASE) == 1  # another worker takes the conversation over
    assert not stalled.held()
    assert not stalled.release()
    assert len(agent_answers(conversation_id)) == 1


def test_an_owed_answer_is_given_when_the_visitor_reads_the_history_again(app, client, widget):
    add_help_desk(widget)
    visitor = bearer(start_session(client, widget))
    session = db.session.execute(db.select(WidgetSession)).scalar_one()
    add_visitor_message(session, "How long does a refund take?")  # stored; its worker died before answering
    dispatcher = app.extensions["aurion_agent"]
    dispatcher.drain()
    assert agent_answers(session.conversation_id) == []
    assert client.get(HISTORY_URL, headers=visitor).status_code == 200
    dispatcher.drain()
    [answer] = agent_answers(session.conversation_id)
    assert answer.startswith("You can request a refund within 30 days")
    assert owed_conversations(10) == []
    client.get(HISTORY_URL, headers=visitor)  # nothing owed any more: not answered again
    dispatcher.drain()
    assert agent_answers(session.conversation_id) == [answer]


def test_a_conversation_handed_to_a_person_is_not_answered_by_the_agent(app, client, widget):
    add_help_desk(widget)
    [conversation_id] = owe_answers(client, widget, 1)
    assign(db.session.get(Conversation, conversation_id), "human")
    assert owed_conversations(10) == []
    assert answer_owed(conversation_id, LEASE) == 0
    assert agent_answers(conversation_id) == []


def _live_settings(model: OpenAICompatibleServer, workers: int) -> dict:
    return {
        "WEB_CONCURRENCY": str(workers),
        "AURION_LLM_BASE_URL": model.base_url,
        "AURION_LLM_MODEL": "gpt-test",
        "AURION_LLM_TIMEOUT": "120",
        "AURION_AGENT_TURN_LEASE": "4",
        "AURION_AGENT_SWEEP_SECONDS": "1",
        "AURION_LIMIT_SESSION": "100/minute",
    }


def _worker_waiting_on(model: OpenAICompatibleServer) -> int:
    """The pid of the gunicorn worker whose turn is waiting on the model."""
    wait_until(lambda: model.requests, 60, "the agent's turn reaching the model")
    return pid_with_local_port(model.requests[0]["client_port"])


def _agent_messages(base_url: str, token: str) -> list[str]:
    return [m["content"] for m in history_over_http(base_url, token) if m["sender"] == "agent"]


def test_a_worker_killed_before_the_answer_is_stored_does_not_lose_it(app, widget, database_url, instance_path):
    """Two gunicorn workers; the one answering dies (SIGKILL) after the visitor's message is
    stored and before the answer: the other (or its replacement) answers, once."""
    with OpenAICompatibleServer(reply=REPLY, delay=600) as model:
        with gunicorn_server(database_url, instance_path, **_live_settings(model, workers=2)) as base_url:
            session = start_session_over_http(base_url, widget)
            status, _ = post_json(base_url, MESSAGES_URL, {"content": "How long does a refund take?"}, bearer(session))
            assert status == 201
            os.kill(_worker_waiting_on(model), signal.SIGKILL)
            model.delay = 0  # the next request (a lease later) is answered at once
            assert _agent_messages(base_url, session["token"]) == []
            wait_until(lambda: _agent_messages(base_url, session["token"]), 30, "the answer after the crash")
            time.sleep(6)  # longer than a lease and a sweep: room for any second answer
            assert _agent_messages(base_url, session["token"]) == [REPLY]


def test_an_answer_owed_when_the_server_died_is_given_when_it_starts_again(app, widget, database_url, instance_path):
    with OpenAICompatibleServer(reply=REPLY, delay=600) as model:
        settings = _live_settings(model, workers=1)
        with gunicorn_server(database_url, instance_path, **settings) as base_url:
            session = start_session_over_http(base_url, widget)
            status, _ = post_json(base_url, MESSAGES_URL, {"content": "How long does a refund take?"}, bearer(session))
            assert status == 201
            worker = _worker_waiting_on(model)
            os.kill(parent_pid(worker), signal.SIGKILL)  # the whole host goes down: master and worker
            os.kill(worker, signal.SIGKILL)
        model.delay = 0
        with gunicorn_server(database_url, instance_path, **settings) as base_url:
            wait_until(lambda: _agent_messages(base_url, session["token"]), 30, "the answer after the restart")
            time.sleep(6)
            assert _agent_messages(base_url, session["token"]) == [REPLY]


def test_each_message_is_answered_promptly_without_waiting_for_a_sweep(app, widget, database_url, instance_path):
    """Two workers, sweeps 10 minutes apart and a 30 s lease: every answer comes from the
    message's own signal, including a message sent the moment the previous answer was
    stored (its worker may still hold the conversation's claim) and two messages sent back
    to back. (The database is read directly: fetching the history would touch the conversation.)"""
    add_help_desk(widget)
    settings = {"WEB_CONCURRENCY": "2", "AURION_AGENT_SWEEP_SECONDS": "600", "AURION_LIMIT_SESSION": "100/minute"}
    questions = ["How long does a refund take?", "How do I reset my password?", "When does my order arrive?"]
    with gunicorn_server(database_url, instance_path, **settings) as base_url:
        session = start_session_over_http(base_url, widget)
        conversation_id = db.session.execute(db.select(WidgetSession.conversation_id)).scalar_one()
        for answered, question in enumerate(questions * 2, start=1):
            assert post_json(base_url, MESSAGES_URL, {"content": question}, bearer(session))[0] == 201
            wait_until(lambda: len(agent_answers(conversation_id)) == answered, 15, f"answer {answered}")
        for question in questions[:2]:
            assert post_json(base_url, MESSAGES_URL, {"content": question}, bearer(session))[0] == 201
        wait_until(
            lambda: agent_answers(conversation_id)[-1].startswith("Click 'Forgot password'"),
            15,
            "the answer to the latest of two quick messages",
        )


def test_an_owed_answer_is_given_when_the_visitor_opens_the_socket_again(app, widget, database_url, instance_path):
    """The server's sweeps are 10 minutes apart: the visitor coming back starts the answer."""
    add_help_desk(widget)
    settings = {"AURION_AGENT_SWEEP_SECONDS": "600", "AURION_LIMIT_SESSION": "100/minute"}
    with gunicorn_server(database_url, instance_path, **settings) as base_url:
        visitor = start_session_over_http(base_url, widget)  # after the server's first sweep
        session = db.session.execute(db.select(WidgetSession)).scalar_one()
        add_visitor_message(session, "How long does a refund take?")  # stored; its worker died before answering
        with widget_socket(base_url, visitor["token"]) as socket:
            [*_, answer] = frames_until(socket, lambda f: f["type"] == "message" and f["sender"] == "agent", timeout=15)
        assert answer["content"].startswith("You can request a refund within 30 days")
