"""The helpdesk API: listing, reading, replying as a person, assigning, closing."""

import time

import pytest

from aurion.extensions import db
from aurion.models import Conversation
from tests.support.visitors import start_session

CONVERSATIONS = "/api/v1/conversations"


@pytest.fixture
def helpdesk(make_tenant):
    _, widget, key = make_tenant("shop", scopes=["conversations:write", "voice-widget:write"])
    return widget, {"X-API-Key": key}


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def visitor_writes(client, widget, content, email="jane@example.com"):
    session = start_session(client, widget, email)
    response = client.post("/api/v1/widget/messages", json={"content": content}, headers={"Authorization": f"Bearer {session['token']}"})
    assert response.status_code == 201
    return session


def test_list_read_and_filter_by_status(client, helpdesk):
    widget, headers = helpdesk
    session = visitor_writes(client, widget, "Can I talk to a human?")
    conversation_id = session["conversation_id"]
    wait_for(lambda: client.get(f"{CONVERSATIONS}?status=waiting", headers=headers).get_json()["conversations"])
    listed = client.get(f"{CONVERSATIONS}?status=waiting", headers=headers).get_json()["conversations"]
    assert [c["id"] for c in listed] == [conversation_id]
    assert listed[0]["visitor"]["email"] == "jane@example.com"
    assert client.get(f"{CONVERSATIONS}?status=closed", headers=headers).get_json()["conversations"] == []
    detail = client.get(f"{CONVERSATIONS}/{conversation_id}", headers=headers).get_json()
    assert detail["status"] == "waiting"
    assert [m["sender"] for m in detail["messages"]] == ["user", "agent"]


def test_human_reply_takes_over_and_hand_back_returns_to_agent(client, helpdesk):
    widget, headers = helpdesk
    session = visitor_writes(client, widget, "Hello")
    conversation_id = session["conversation_id"]
    wait_for(lambda: len(client.get(f"{CONVERSATIONS}/{conversation_id}", headers=headers).get_json()["messages"]) == 2)
    reply = client.post(f"{CONVERSATIONS}/{conversation_id}/messages", json={"content": "Sam here."}, headers=headers)
    assert reply.status_code == 201 and reply.get_json()["sender"] == "human"
    assert client.get(f"{CONVERSATIONS}/{conversation_id}", headers=headers).get_json()["status"] == "human"
    handed_back = client.post(f"{CONVERSATIONS}/{conversation_id}/assign", json={"to": "agent"}, headers=headers)
    assert handed_back.get_json()["status"] == "agent"
    closed = client.post(f"{CONVERSATIONS}/{conversation_id}/close", headers=headers)
    assert closed.get_json()["status"] == "closed"
    refused = client.post(f"{CONVERSATIONS}/{conversation_id}/messages", json={"content": "late"}, headers=headers)
    assert refused.status_code == 409


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("messages", {"content": ""}, "content"),
        ("messages", {"content": 5}, "content"),
        ("assign", {"to": "robot"}, "to"),
        ("assign", {}, "to"),
    ],
)
def test_bad_input_is_422(client, helpdesk, path, body, field):
    widget, headers = helpdesk
    conversation_id = visitor_writes(client, widget, "Hello")["conversation_id"]
    response = client.post(f"{CONVERSATIONS}/{conversation_id}/{path}", json=body, headers=headers)
    assert response.status_code == 422 and response.get_json()["field"] == field


def test_bad_status_filter_is_422(client, helpdesk):
    _, headers = helpdesk
    assert client.get(f"{CONVERSATIONS}?status=open", headers=headers).status_code == 422


def test_scopes_and_tenant_isolation(client, make_tenant):
    from aurion.services.api_keys import create_api_key

    tenant_a, widget_a, _ = make_tenant("tenant-a", scopes=["conversations:write"])
    _, read_only_a = create_api_key(tenant_a, ["conversations:read"])
    _, _, key_b = make_tenant("tenant-b", scopes=["conversations:write"])
    conversation_id = visitor_writes(client, widget_a, "Hello")["conversation_id"]
    b = {"X-API-Key": key_b}
    assert client.get(CONVERSATIONS, headers=b).get_json()["conversations"] == []
    assert client.get(f"{CONVERSATIONS}/{conversation_id}", headers=b).status_code == 404
    assert client.post(f"{CONVERSATIONS}/{conversation_id}/messages", json={"content": "hi"}, headers=b).status_code == 404
    assert client.post(f"{CONVERSATIONS}/{conversation_id}/close", headers=b).status_code == 404
    refused = client.post(f"{CONVERSATIONS}/{conversation_id}/close", headers={"X-API-Key": read_only_a})
    assert refused.status_code == 403 and refused.get_json()["scope"] == "conversations:write"
    conversation = db.session.execute(db.select(Conversation)).scalar_one()
    assert conversation.status != "closed"


def test_agent_gives_up_after_two_unanswered_questions(client, helpdesk):
    widget, headers = helpdesk
    session = start_session(client, widget)
    bearer = {"Authorization": f"Bearer {session['token']}"}
    conversation_id = session["conversation_id"]

    def agent_messages():
        return [m for m in client.get(f"{CONVERSATIONS}/{conversation_id}", headers=headers).get_json()["messages"] if m["sender"] == "agent"]

    client.post("/api/v1/widget/messages", json={"content": "What is the capital of Peru?"}, headers=bearer)
    wait_for(lambda: len(agent_messages()) == 1)
    client.post("/api/v1/widget/messages", json={"content": "Who won the 1998 world cup?"}, headers=bearer)
    wait_for(lambda: client.get(f"{CONVERSATIONS}/{conversation_id}", headers=headers).get_json()["status"] == "waiting")


@pytest.mark.parametrize("limit", ["0", "abc", "101"])
def test_bad_list_limit_is_422(client, helpdesk, limit):
    _, headers = helpdesk
    response = client.get(f"{CONVERSATIONS}?limit={limit}", headers=headers)
    assert response.status_code == 422 and response.get_json()["field"] == "limit"
