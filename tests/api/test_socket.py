"""The live channel over a real gunicorn + gevent server: streaming answers, fan-out, hand-off."""

import time

import pytest

from aurion.services.knowledge import create_article
from tests.support.knowledge import REFUND
from tests.support.sockets import frames_until, handshake_status, send, widget_socket
from tests.support.visitors import history_over_http, post_json, start_session_over_http

ORIGIN = "https://shop.example.com"


@pytest.fixture
def shop(make_tenant):
    tenant, widget, key = make_tenant(
        "shop", scopes=["conversations:write"], allowed_domains=["shop.example.com"]
    )
    create_article(widget, REFUND)
    return widget, key


def is_agent_message(frame):
    return frame["type"] == "message" and frame["sender"] == "agent"


def test_answer_streams_over_the_socket_then_lands_in_history(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"], ORIGIN) as ws:
        send(ws, {"type": "message", "content": "How do I get my money back?"})
        frames = frames_until(ws, is_agent_message)
    kinds = [frame["type"] for frame in frames]
    assert kinds[0] == "message" and frames[0]["sender"] == "user" and frames[0]["mode"] == "chat"
    assert "typing" in kinds
    deltas = [frame for frame in frames if frame["type"] == "delta"]
    answer = frames[-1]
    # The built-in agent's words are ready at once: a few frames, not one a word.
    assert 1 <= len(deltas) < len(answer["content"].split()) / 4
    assert "".join(d["content"] for d in deltas).strip() == answer["content"]
    assert {d["id"] for d in deltas} == {answer["id"]}
    assert answer["content"].startswith("You can request a refund within 30 days")
    assert answer["sources"] == [{"id": answer["sources"][0]["id"], "title": "Refund policy", "url": REFUND["url"]}]
    assert {"type", "id", "content", "sender", "mode", "created_at"} <= set(answer)


def test_unknown_question_gets_an_honest_reply_and_a_person_offer(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as ws:
        send(ws, {"type": "message", "content": "What's the weather like in Paris tomorrow?"})
        answer = frames_until(ws, is_agent_message)[-1]
        assert "don't know" in answer["content"] and "person" in answer["content"]
        assert answer["sources"] == []
        send(ws, {"type": "message", "content": "yes please"})
        frames = frames_until(ws, is_agent_message)
    assert {"type": "handoff", "status": "waiting"} in frames


def test_two_sockets_of_one_conversation_get_every_frame(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as first, widget_socket(live_server, session["token"]) as second:
        send(first, {"type": "ping"})
        assert frames_until(first, lambda f: f["type"] == "pong")
        send(first, {"type": "message", "content": "refund please, how does it work?"})
        got_first = frames_until(first, is_agent_message)
        got_second = frames_until(second, is_agent_message)
    assert [f["type"] for f in got_first] == [f["type"] for f in got_second]
    assert got_first[-1] == got_second[-1]


def test_human_reply_reaches_the_visitor_and_the_agent_stays_quiet(live_server, shop):
    widget, key = shop
    session = start_session_over_http(live_server, widget)
    conversation = session["conversation_id"]
    with widget_socket(live_server, session["token"]) as ws:
        status, _ = post_json(live_server, f"/api/v1/conversations/{conversation}/messages", {"content": "Hi, I'm Sam."}, {"X-API-Key": key})
        assert status == 201
        frames = frames_until(ws, lambda f: f["type"] == "message" and f["sender"] == "human")
        assert {"type": "handoff", "status": "human"} in frames
        assert frames[-1]["content"] == "Hi, I'm Sam."
        send(ws, {"type": "message", "content": "How do refunds work?"})
        frames_until(ws, lambda f: f["type"] == "message" and f["sender"] == "user")
        send(ws, {"type": "ping"})
        after = frames_until(ws, lambda f: f["type"] == "pong", timeout=3)
        with pytest.raises(AssertionError):
            frames_until(ws, is_agent_message, timeout=2)
    assert not [f for f in after if f["type"] in ("delta", "typing")]


@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.e30.x", ""])
def test_bad_token_refuses_the_handshake(live_server, shop, token):
    assert handshake_status(live_server, token) == 401


def test_expired_token_refuses_the_handshake(live_server, shop, app):
    from datetime import timedelta

    from aurion.services.identity import issue_session_token
    from aurion.timestamps import utcnow
    from tests.support.live_server import LIVE_SECRET_KEY

    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    expired = issue_session_token(
        LIVE_SECRET_KEY, session["session_id"], widget.public_id, session["visitor_id"], utcnow() - timedelta(minutes=1)
    )
    assert handshake_status(live_server, expired) == 401
    assert handshake_status(live_server, session["token"]) == 101


def test_disallowed_origin_refuses_the_handshake(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    for origin in ("https://evil.test", "https://shop.example.com.evil.test", "null"):
        assert handshake_status(live_server, session["token"], origin) == 403
    assert handshake_status(live_server, session["token"], ORIGIN) == 101


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "malformed_frame"),
        ("[1, 2]", "malformed_frame"),
        ('{"content": "no type"}', "malformed_frame"),
        ('{"type": "dance"}', "unknown_frame_type"),
        ('{"type": "message", "content": "' + "x" * 40_000 + '"}', "frame_too_large"),
        ('{"type": "message", "content": "   "}', "validation_error"),
        ('{"type": "typing", "active": "maybe"}', "validation_error"),
    ],
)
def test_bad_frames_get_an_error_and_the_socket_stays_usable(live_server, shop, raw, code):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as ws:
        ws.send(raw)
        error = frames_until(ws, lambda f: f["type"] == "error")[-1]
        assert error["code"] == code
        send(ws, {"type": "ping"})
        assert frames_until(ws, lambda f: f["type"] == "pong")


def test_the_visitors_typing_is_not_echoed_back_to_them(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as ws:
        send(ws, {"type": "typing", "active": True})
        send(ws, {"type": "ping"})
        seen = frames_until(ws, lambda f: f["type"] == "pong")
        assert [f["type"] for f in seen if f["type"] in ("typing", "error")] == []


def test_flooding_past_the_message_limit_is_refused_and_the_socket_survives(live_server, shop, app):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as ws:
        for index in range(61):
            send(ws, {"type": "message", "content": f"message {index}"})
        error = frames_until(ws, lambda f: f["type"] == "error" and f["code"] == "rate_limited", timeout=30)[-1]
        assert "limit" in error["detail"].lower()
        send(ws, {"type": "ping"})
        assert frames_until(ws, lambda f: f["type"] == "pong", timeout=30)


def test_reconnecting_client_catches_up(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as ws:
        send(ws, {"type": "message", "content": "first question about refunds"})
        first = frames_until(ws, lambda f: f["type"] == "message" and f["sender"] == "user")[-1]
        frames_until(ws, is_agent_message)
    status, _ = post_json(
        live_server, "/api/v1/widget/messages", {"content": "sent while offline"}, {"Authorization": f"Bearer {session['token']}"}
    )
    assert status == 201
    with widget_socket(live_server, session["token"], after=first["id"]) as ws:
        replayed = frames_until(ws, lambda f: f.get("content") == "sent while offline")
    assert [f["sender"] for f in replayed if f["type"] == "message"][:2] == ["agent", "user"]


@pytest.mark.redis
def test_redis_fans_out_across_processes(app, shop, database_url, instance_path, redis_url):
    from tests.support.live_server import gunicorn_server

    widget, _ = shop
    settings = {"AURION_BROKER_URL": redis_url}
    with (
        gunicorn_server(database_url, instance_path, **settings) as first,
        gunicorn_server(database_url, instance_path, **settings) as second,
        gunicorn_server(database_url, instance_path, **settings) as third,
    ):
        session = start_session_over_http(first, widget)
        with widget_socket(first, session["token"]) as ws_first, widget_socket(second, session["token"]) as ws_second:
            status, _ = post_json(
                third, "/api/v1/widget/messages", {"content": "How do refunds work?"}, {"Authorization": f"Bearer {session['token']}"}
            )
            assert status == 201
            for ws in (ws_first, ws_second):
                frames = frames_until(ws, is_agent_message)
                assert frames[0]["content"] == "How do refunds work?"
                assert "5 to 10 business days" in frames[-1]["content"]


def test_regenerating_the_key_ends_open_sockets(live_server, shop, app):
    from simple_websocket import ConnectionClosed

    from aurion.services.widgets import regenerate_widget_key

    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as ws:
        send(ws, {"type": "ping"})
        frames_until(ws, lambda f: f["type"] == "pong")
        regenerate_widget_key(widget)
        send(ws, {"type": "message", "content": "still there?"})
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.receive(timeout=10)
    assert closed.value.reason == 4401


def test_model_backend_streams_over_the_socket(app, shop, database_url, instance_path):
    from tests.support.live_server import gunicorn_server
    from tests.support.openai_server import OpenAICompatibleServer

    widget, _ = shop
    # A model writing a word every 0.15 s: each reaches the visitor as it is written.
    with OpenAICompatibleServer("Refunds reach your card within 5 to 10 business days.", word_gap=0.15) as model:
        settings = {"AURION_LLM_BASE_URL": model.base_url, "AURION_LLM_MODEL": "loopback-model", "AURION_LLM_API_KEY": "sk-loop"}
        with gunicorn_server(database_url, instance_path, **settings) as server:
            session = start_session_over_http(server, widget)
            with widget_socket(server, session["token"]) as ws:
                send(ws, {"type": "message", "content": "How long until my refund arrives?"})
                frames = frames_until(ws, is_agent_message)
    deltas = [frame["content"] for frame in frames if frame["type"] == "delta"]
    assert "".join(deltas) == "Refunds reach your card within 5 to 10 business days." == frames[-1]["content"]
    assert len(deltas) >= 5  # of 10 words: a word read late under load may share a frame
    assert [source["title"] for source in frames[-1]["sources"]] == ["Refund policy"]
    grounding = model.requests[0]["body"]["messages"]
    assert "5 to 10 business days to arrive" in grounding[0]["content"]
    assert grounding[-1] == {"role": "user", "content": "How long until my refund arrives?"}


def test_a_person_taking_over_while_a_model_writes_stops_the_answer_and_drops_it_from_the_widget(
    app, shop, database_url, instance_path
):
    from tests.support.live_server import gunicorn_server
    from tests.support.openai_server import OpenAICompatibleServer

    widget, key = shop
    answer = "Refunds reach your card within five to ten business days, usually sooner than that, once approved."
    with OpenAICompatibleServer(answer, word_gap=0.3) as model:
        settings = {"AURION_LLM_BASE_URL": model.base_url, "AURION_LLM_MODEL": "loopback-model", "AURION_LLM_API_KEY": "sk-loop"}
        with gunicorn_server(database_url, instance_path, **settings) as server:
            session = start_session_over_http(server, widget)
            with widget_socket(server, session["token"]) as ws:
                send(ws, {"type": "message", "content": "How long until my refund arrives?"})
                first = frames_until(ws, lambda frame: frame["type"] == "delta")[-1]
                status, _ = post_json(
                    server, f"/api/v1/conversations/{session['conversation_id']}/assign", {"to": "human"}, {"X-API-Key": key}
                )
                assert status == 200
                taken_at = time.monotonic()
                frames = frames_until(ws, lambda frame: frame["type"] == "delta" and frame.get("dropped"))
                stopped_after = time.monotonic() - taken_at
            history = history_over_http(server, session["token"])
    assert frames[-1] == {"type": "delta", "id": first["id"], "content": "", "dropped": True}
    # Stopped within the status check's second or so, not after the model's 5 s of writing.
    assert stopped_after < 3
    assert not any(is_agent_message(frame) for frame in frames)
    assert [message["sender"] for message in history] == ["user"]
