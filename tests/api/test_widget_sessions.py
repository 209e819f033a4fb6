"""Sessions, messages and history through the widget session API."""

import pytest
import sqlalchemy as sa

from aurion.extensions import db
from aurion.models import Conversation, Message, Visitor
from aurion.services.messages import add_visitor_message, history_page, message_to_dict
from aurion.services.sessions import session_from_bearer
from tests.support.visitors import HISTORY_URL, MESSAGES_URL, SESSION_URL, bearer, start_session


def test_session_response_has_the_guides_keys(client, widget):
    body = start_session(client, widget, display_name="Jane Smith")
    assert body["session_id"].startswith("ws_")
    assert body["token"].startswith("eyJhbGci")
    assert body["expires_at"].endswith("Z")
    assert body["widget_id"] == widget.public_id
    assert "visitor_token" not in body
    assert session_from_bearer(body["token"]).visitor.display_name == "Jane Smith"


def test_returning_visitor_gets_the_same_conversation_until_it_is_closed(client, widget):
    first = start_session(client, widget, "Jane@Example.com")
    again = start_session(client, widget, "jane@example.com")
    assert again["session_id"] != first["session_id"]
    assert (again["conversation_id"], again["visitor_id"]) == (first["conversation_id"], first["visitor_id"])
    assert start_session(client, widget, "other@example.com")["conversation_id"] != first["conversation_id"]
    conversation = db.session.execute(db.select(Conversation).filter_by(public_id=first["conversation_id"])).scalar_one()
    conversation.status = "closed"
    db.session.commit()
    refused = client.post(MESSAGES_URL, json={"content": "still there?"}, headers=bearer(first))
    assert (refused.status_code, refused.get_json()["code"]) == (409, "conversation_closed")
    reopened = start_session(client, widget, "jane@example.com")
    assert reopened["conversation_id"] != first["conversation_id"]
    assert reopened["visitor_id"] == first["visitor_id"]


def test_two_first_sessions_of_one_visitor_at_once_share_the_visitor(client, widget):
    """The other request creates the visitor's row between this one's look-up and its
    insert (a real insert, from another connection): this one still gets its session."""
    other = {}

    def other_request_inserts_the_visitor(session, flush_context, instances):
        with db.engine.begin() as connection:
            connection.execute(
                sa.insert(Visitor).values(
                    widget_id=widget.id, public_id="vis_otherrequest1", email="jane@example.com", display_name=""
                )
            )
        other["inserted"] = True

    sa.event.listen(db.session, "before_flush", other_request_inserts_the_visitor, once=True)
    try:
        body = start_session(client, widget, "jane@example.com")
    finally:
        if sa.event.contains(db.session, "before_flush", other_request_inserts_the_visitor):
            sa.event.remove(db.session, "before_flush", other_request_inserts_the_visitor)
    assert other == {"inserted": True}
    assert body["visitor_id"] == "vis_otherrequest1"
    again = start_session(client, widget, "jane@example.com")
    assert (again["visitor_id"], again["conversation_id"]) == (body["visitor_id"], body["conversation_id"])


def test_anonymous_visitor_resumes_with_the_visitor_token(client, widget):
    widget.allow_anonymous = True
    db.session.commit()
    first = client.post(SESSION_URL, json={"widget_id": widget.public_id}).get_json()
    assert first["visitor_token"]
    again = client.post(SESSION_URL, json={"widget_id": widget.public_id, "visitor_token": first["visitor_token"]}).get_json()
    assert again["conversation_id"] == first["conversation_id"]
    stranger = client.post(SESSION_URL, json={"widget_id": widget.public_id}).get_json()
    assert stranger["conversation_id"] != first["conversation_id"]
    bad = client.post(SESSION_URL, json={"widget_id": widget.public_id, "visitor_token": first["visitor_token"] + "x"})
    assert (bad.status_code, bad.get_json()["code"]) == (401, "visitor_token_invalid")


def test_message_is_stored_and_returned_in_the_frame_shape(client, widget):
    session = start_session(client, widget)
    response = client.post(MESSAGES_URL, json={"content": "  I need help resetting my password "}, headers=bearer(session))
    assert response.status_code == 201
    body = response.get_json()
    assert list(body) == ["type", "id", "content", "sender", "mode", "created_at", "sources", "attachments"]
    assert (body["type"], body["content"], body["sender"], body["mode"]) == ("message", "I need help resetting my password", "user", "chat")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"content": "   "}, "content"),
        ({}, "content"),
        ({"content": 5}, "content"),
        ({"content": "x" * 4001}, "content"),
        ({"content": "hi", "attachment_ids": "att_1"}, "attachment_ids"),
        ({"content": "hi", "attachment_ids": ["att_unknown"]}, "attachment_ids"),
        ({"content": "hi", "mode": "voice"}, "mode"),
    ],
)
def test_message_validation(client, widget, payload, field):
    session = start_session(client, widget)
    response = client.post(MESSAGES_URL, json=payload, headers=bearer(session))
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_message_body_must_be_json(client, widget):
    session = start_session(client, widget)
    assert client.post(MESSAGES_URL, data="content=hi", headers=bearer(session)).status_code == 415
    response = client.post(MESSAGES_URL, data="{", content_type="application/json", headers=bearer(session))
    assert response.status_code == 400


def _store(conversation, sender, mode, content):
    message = Message(public_id=f"msg_{content}", conversation=conversation, sender=sender, mode=mode, content=content, sources=[])
    db.session.add(message)
    db.session.commit()


def test_history_pages_every_sender_and_mode_oldest_first(client, widget):
    session = start_session(client, widget)
    ws = session_from_bearer(session["token"])
    kinds = [("user", "chat"), ("agent", "chat"), ("user", "voice"), ("agent", "voice"), ("human", "chat")]
    for index in range(12):
        sender, mode = kinds[index % len(kinds)]
        _store(ws.conversation, sender, mode, f"m{index:02d}")

    latest = client.get(f"{HISTORY_URL}?limit=5", headers=bearer(session)).get_json()
    assert [m["content"] for m in latest["messages"]] == ["m07", "m08", "m09", "m10", "m11"]
    assert (latest["has_more"], latest["next_cursor"]) == (True, "msg_m07")
    assert {(m["sender"], m["mode"]) for m in latest["messages"]} >= {("human", "chat"), ("agent", "voice")}

    older = client.get(f"{HISTORY_URL}?limit=5&before=msg_m07", headers=bearer(session)).get_json()
    assert [m["content"] for m in older["messages"]] == ["m02", "m03", "m04", "m05", "m06"]
    oldest = client.get(f"{HISTORY_URL}?limit=5&before={older['next_cursor']}", headers=bearer(session)).get_json()
    assert [m["content"] for m in oldest["messages"]] == ["m00", "m01"]
    assert (oldest["has_more"], oldest["next_cursor"]) == (False, None)

    newer = client.get(f"{HISTORY_URL}?limit=10&after=msg_m00", headers=bearer(session)).get_json()
    assert [m["content"] for m in newer["messages"]][0] == "m01" and newer["next_cursor"] == "msg_m10"
    rest = client.get(f"{HISTORY_URL}?after={newer['next_cursor']}", headers=bearer(session)).get_json()
    assert [m["content"] for m in rest["messages"]] == ["m11"] and rest["has_more"] is False


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "before=msg_nope", "after=x&before=y"])
def test_history_refuses_bad_parameters(client, widget, query):
    session = start_session(client, widget)
    response = client.get(f"{HISTORY_URL}?{query}", headers=bearer(session))
    assert response.status_code == 422


def test_service_functions_the_realtime_layer_calls(client, widget):
    session = session_from_bearer(start_session(client, widget)["token"])
    message = add_visitor_message(session, "spoken words", mode="voice")
    frame = message_to_dict(message)
    assert (frame["type"], frame["mode"], frame["sender"]) == ("message", "voice", "user")
    assert history_page(session.conversation)["messages"] == [frame]
