"""The live channel when things go wrong: Redis restarted or down, sessions revoked or
expired with a socket open, resent messages, oversized frames. Over real gunicorn servers."""

import time
from datetime import timedelta

import pytest
from simple_websocket import Client, ConnectionError

from aurion.extensions import db
from aurion.models import WidgetSession
from aurion.services.knowledge import create_article
from aurion.timestamps import utcnow
from tests.support.knowledge import REFUND
from tests.support.live_server import gunicorn_server
from tests.support.sockets import (
    close_code,
    frames_until,
    raw_socket,
    received,
    send,
    text_frame_header,
    widget_socket,
    ws_url,
)
from tests.support.visitors import history_over_http, post_json, start_session_over_http


@pytest.fixture
def shop(make_tenant):
    _, widget, key = make_tenant("shop", scopes=["conversations:write", "voice-widget:write"])
    create_article(widget, REFUND)
    return widget, key


def is_agent_message(frame):
    return frame["type"] == "message" and frame["sender"] == "agent"


def said(content):
    return lambda frame: frame["type"] == "message" and frame.get("content") == content


def post_message(base_url, session, body):
    # Generous: until agent turns leave the event loop, the first one (loading the embedding
    # model) can hold a gevent worker for seconds on a busy machine.
    return post_json(base_url, "/api/v1/widget/messages", body, {"Authorization": f"Bearer {session['token']}"}, timeout=60)


def connect(base_url, token, timeout=20, **params):
    """A socket of the live channel; retries while the server refuses it for a moment (503)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return Client.connect(ws_url(base_url, token, **params))
        except ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def close_all(sockets):
    for ws in sockets:
        if ws.connected:
            ws.close()


def test_sockets_survive_a_redis_restart(shop, database_url, instance_path, private_redis):
    widget, _ = shop
    with gunicorn_server(database_url, instance_path, workers=2, AURION_BROKER_URL=private_redis.url) as server:
        session = start_session_over_http(server, widget)
        sockets = [connect(server, session["token"]) for _ in range(6)]
        try:
            status, first = post_message(server, session, {"content": "hello before the restart"})
            assert status == 201
            for ws in sockets:
                frames_until(ws, is_agent_message)

            private_redis.restart(down_seconds=2)

            # Each open socket is either closed with 1012 (then it reconnects and catches
            # up with ?after=) or keeps receiving; none is left open and deaf.
            time.sleep(1)
            for index, ws in enumerate(sockets):
                if not ws.connected:
                    assert ws.close_reason == 1012
                    sockets[index] = connect(server, session["token"], after=first["id"])
            sockets += [connect(server, session["token"]) for _ in range(4)]
            time.sleep(0.5)
            status, _ = post_message(server, session, {"content": "How do refunds work?"})
            assert status == 201
            for ws in sockets:
                frames = frames_until(ws, lambda f: is_agent_message(f) and "5 to 10 business days" in f["content"], timeout=20)
                assert any(said("How do refunds work?")(frame) for frame in frames)
        finally:
            close_all(sockets)


def test_a_post_while_redis_is_down_is_stored_and_answered(shop, database_url, instance_path, private_redis):
    widget, _ = shop
    with gunicorn_server(database_url, instance_path, AURION_BROKER_URL=private_redis.url) as server:
        session = start_session_over_http(server, widget)
        private_redis.stop()
        status, message = post_message(server, session, {"content": "How do refunds work?"})
        assert status == 201, message
        deadline = time.monotonic() + 20
        while not [m for m in history_over_http(server, session["token"]) if m["sender"] == "agent"]:
            assert time.monotonic() < deadline, "the agent never answered"
            time.sleep(0.2)
        history = history_over_http(server, session["token"])
        assert [m["sender"] for m in history] == ["user", "agent"]
        assert history[0]["id"] == message["id"]


def test_regenerating_the_key_closes_open_sockets_on_every_worker_at_once(shop, database_url, instance_path, private_redis):
    widget, key = shop
    with gunicorn_server(database_url, instance_path, workers=2, AURION_BROKER_URL=private_redis.url) as server:
        session = start_session_over_http(server, widget)
        sockets = [connect(server, session["token"]) for _ in range(6)]
        try:
            for ws in sockets:
                send(ws, {"type": "ping"})
                frames_until(ws, lambda f: f["type"] == "pong")
            status, _ = post_json(server, "/api/v1/voice-widget/config/regenerate-key", {}, {"X-API-Key": key})
            assert status == 200
            started = time.monotonic()
            # Nothing is sent: the server closes them on its own.
            assert [close_code(ws) for ws in sockets] == [4401] * len(sockets)
            assert time.monotonic() - started < 2
        finally:
            close_all(sockets)


def test_an_expired_session_closes_its_socket_within_seconds(live_server, shop, app):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as ws:
        send(ws, {"type": "ping"})
        frames_until(ws, lambda f: f["type"] == "pong")
        row = db.session.execute(db.select(WidgetSession).filter_by(public_id=session["session_id"])).scalar_one()
        row.expires_at = utcnow() + timedelta(seconds=1)
        db.session.commit()
        started = time.monotonic()
        assert close_code(ws) == 4401
        assert time.monotonic() - started < 8


def test_a_resent_message_is_stored_once_and_acked_with_the_same_id(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"]) as ws:
        frame = {"type": "message", "content": "How do refunds work?", "client_id": "c-7f3a"}
        send(ws, frame)
        first = frames_until(ws, lambda f: f["type"] == "ack")[-1]
        frames_until(ws, is_agent_message)
        send(ws, frame)
        second = frames_until(ws, lambda f: f["type"] == "ack")[-1]
        # A resend is neither delivered nor answered again.
        assert not [f for f in received(ws, 2) if '"message"' in f]
    assert first == second == {"type": "ack", "client_id": "c-7f3a", "id": first["id"]}
    history = history_over_http(live_server, session["token"])
    assert [(m["sender"], m["id"] if m["sender"] == "user" else None) for m in history] == [
        ("user", first["id"]),
        ("agent", None),
    ]


def test_a_retried_post_is_stored_once(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    body = {"content": "Where is my parcel?", "client_id": "3f9c2a70-5b1e-4c0e-9a8f-0d1e2f3a4b5c"}
    replies = [post_message(live_server, session, body) for _ in range(3)]
    assert [status for status, _ in replies] == [201] * 3
    assert len({reply["id"] for _, reply in replies}) == 1
    assert [m["id"] for m in history_over_http(live_server, session["token"]) if m["sender"] == "user"] == [replies[0][1]["id"]]


def test_an_oversized_frame_is_refused_before_it_is_read(live_server, shop):
    widget, _ = shop
    session = start_session_over_http(live_server, widget)
    with raw_socket(live_server, session["token"]) as connection:
        connection.sendall(text_frame_header(64 * 1024 * 1024))
        # A quarter of a megabyte of the announced 64 MB: the server must not wait for the rest.
        try:
            for _ in range(64):
                connection.sendall(b" " * 4096)
        except OSError:
            pass  # it closed already
        reply = connection.recv(16)
    assert reply[0] & 0x0F == 0x8, reply  # a close frame
    assert int.from_bytes(reply[2:4], "big") == 1009

