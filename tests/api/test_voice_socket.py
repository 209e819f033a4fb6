"""The embedded voice transport over gunicorn + gevent: a spoken question, a typed follow-up, one history."""

import json
import sys

import pytest

from aurion.extensions import db
from aurion.voice.audio import OUTPUT_CHUNK_BYTES
from tests.support.knowledge import add_help_desk
from tests.support.sockets import VOICE_SOCKET, frames_until, handshake_status, received, send, widget_socket
from tests.support.speech import microphone_frames, spoken
from tests.support.visitors import history_over_http, start_session, start_session_over_http

ORIGIN = "https://shop.example.com"


@pytest.fixture
def shop(make_tenant):
    widget = make_tenant("shop", allowed_domains=["shop.example.com"])[1]
    add_help_desk(widget)
    return widget


def call_until(ws, predicate, timeout: float = 30.0) -> tuple[list[dict], bytes]:
    """Events and audio received on a voice socket up to the first event matching `predicate`."""
    events, audio = [], bytearray()
    for raw in received(ws, timeout):
        if isinstance(raw, bytes):
            assert len(raw) <= OUTPUT_CHUNK_BYTES
            audio.extend(raw)
        else:
            events.append(json.loads(raw))
            if predicate(events[-1]):
                return events, bytes(audio)
    raise AssertionError(f"no matching event within {timeout} s; got {events}")


def test_spoken_question_then_typed_follow_up_in_one_conversation(live_server, shop):
    session = start_session_over_http(live_server, shop)
    with widget_socket(live_server, session["token"], ORIGIN) as chat, widget_socket(
        live_server, session["token"], ORIGIN, path=VOICE_SOCKET
    ) as voice:
        for frame in microphone_frames(spoken("How do I reset my password?")):
            voice.send(frame)
        answering, _ = call_until(voice, lambda e: e.get("state") == "speaking")
        played, audio = call_until(voice, lambda e: e.get("state") == "listening")
        reply = next(e for e in answering + played if e.get("event") == "transcript" and e["sender"] == "agent")
        assert "reset link" in reply["text"]
        # The answer is heard: over a second of audio before the call listens again.
        assert len(audio) > 32000
        spoken_turns = frames_until(chat, lambda f: f["type"] == "message" and f["sender"] == "agent")
        voice_messages = [f for f in spoken_turns if f["type"] == "message"]
        assert [(f["sender"], f["mode"]) for f in voice_messages] == [("user", "voice"), ("agent", "voice")]

        # Mid-call, the visitor types; the agent answers in chat, in context.
        send(chat, {"type": "message", "content": "And how long is that link valid?"})
        typed = frames_until(chat, lambda f: f["type"] == "message" and f["sender"] == "agent")
        assert "one hour" in typed[-1]["content"]
        voice.send(json.dumps({"type": "hangup"}))

    assert [(m["sender"], m["mode"]) for m in history_over_http(live_server, session["token"])] == [
        ("user", "voice"),
        ("agent", "voice"),
        ("user", "chat"),
        ("agent", "chat"),
    ]


def test_voice_socket_handshake_refusals(live_server, shop):
    session = start_session_over_http(live_server, shop)
    assert handshake_status(live_server, "nope", path=VOICE_SOCKET) == 401
    assert handshake_status(live_server, session["token"], "https://evil.example.net", path=VOICE_SOCKET) == 403
    assert handshake_status(live_server, session["token"], ORIGIN, path=VOICE_SOCKET) == 101
    shop.modes = ["chat"]
    db.session.commit()
    assert handshake_status(live_server, session["token"], ORIGIN, path=VOICE_SOCKET) == 409


def test_bad_frames_get_an_error_and_the_call_goes_on(live_server, shop):
    session = start_session_over_http(live_server, shop)
    with widget_socket(live_server, session["token"], path=VOICE_SOCKET) as voice:
        voice.send(b"\x00")
        voice.send(json.dumps({"type": "dance"}))
        voice.send(json.dumps({"type": "ping"}))
        events, _ = call_until(voice, lambda e: e["type"] == "pong", timeout=10)
    assert [e.get("code") for e in events if e["type"] == "error"] == ["bad_audio_frame", "unknown_frame_type"]
    assert events[0] == {"type": "voice", "event": "state", "state": "listening"}


def test_a_call_is_refused_with_503_when_the_speech_engines_are_not_installed(client, make_tenant, monkeypatch):
    widget = make_tenant("acme", modes=["chat", "voice"])[1]
    session = start_session(client, widget)
    # A chat-only install: the voice extra (pocketsphinx) cannot be imported.
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "x3JJHMbDL1EzLkh9GBhXDw=="}
    response = client.get(f"{VOICE_SOCKET}?token={session['token']}", headers=upgrade)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "voice_unavailable"
    assert "aurion[voice]" in response.get_json()["detail"]
