"""Calls on record: a call spoken over the embedded voice socket (gunicorn + gevent), read back
through the Calls API with its transcript and recording; scopes, tenants, recording off."""

import io
import json
from pathlib import Path

import pytest
import soundfile

from aurion.extensions import db
from aurion.models import Webhook, WebhookDelivery
from aurion.services.api_keys import create_api_key
from tests.support.calls import CALLS_URL, api_request, ended_call, loudness, speak_a_call
from tests.support.knowledge import add_help_desk
from tests.support.sockets import VOICE_SOCKET, widget_socket
from tests.support.visitors import history_over_http, post_json, start_session_over_http

ORIGIN = "https://shop.example.com"
QUESTION = "How do I reset my password?"


@pytest.fixture
def shop(make_tenant):
    """A recording widget, and keys: (widget, calls:read key, key without it, calls:write key)."""
    tenant, widget, reader = make_tenant("shop", scopes=("calls:read",), allowed_domains=["shop.example.com"], record_calls=True)
    add_help_desk(widget)
    _, other = create_api_key(tenant, ["conversations:read", "voice-widget:write"])
    _, writer = create_api_key(tenant, ["calls:write"])
    return widget, reader, other, writer


def test_a_spoken_call_is_on_record_with_its_transcript_and_a_recording_of_both_voices(live_server, shop, make_tenant):
    widget, reader, _, _ = shop
    hook = Webhook(public_id="wh_calls", tenant_id=widget.tenant_id, url="https://127.0.0.1:1/", events=["call.ended"], secret_salt="s")
    db.session.add(hook)
    db.session.commit()
    session = start_session_over_http(live_server, widget)

    heard = speak_a_call(live_server, session["token"], QUESTION, ORIGIN)
    call = ended_call(live_server, reader)

    assert heard.answer_at is not None and heard.answer_seconds > 1.0
    assert call["id"].startswith("call_")
    assert call["transport"] == "embedded" and call["ended_by"] == "visitor" and call["handed_off"] is False
    assert call["duration_seconds"] == pytest.approx(heard.length, abs=0.5)
    voice_turns = [m for m in history_over_http(live_server, session["token"]) if m["mode"] == "voice"]
    assert call["turn_count"] == 1
    assert call["message_ids"] == [m["id"] for m in voice_turns]
    assert [(line["speaker"], line["message_id"]) for line in call["transcript"]] == [(m["sender"], m["id"]) for m in voice_turns]
    assert "reset link" in call["transcript"][1]["text"]
    # The visitor's turn is stored after they stop speaking; the answer after that.
    assert heard.question_at[1] <= call["transcript"][0]["offset_seconds"] + 0.5
    assert call["transcript"][0]["offset_seconds"] <= call["transcript"][1]["offset_seconds"] <= heard.length
    assert 0 < call["turns"][0]["first_answer_seconds"] < heard.answer_at

    status, body, headers = api_request(live_server, call["recording"]["url"], reader)
    assert status == 200
    assert headers["Content-Type"] == "audio/ogg"
    assert headers["Content-Disposition"] == f"attachment; filename={call['id']}.ogg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert len(body) == call["recording"]["size"]
    # Compact: Opus, far below raw 16 kHz PCM (32,000 bytes a second).
    assert len(body) < 8000 * heard.length
    audio, rate = soundfile.read(io.BytesIO(body), dtype="int16")
    assert rate == 16000
    assert len(audio) / rate == pytest.approx(call["duration_seconds"], abs=0.5)
    start, end = heard.question_at
    quiet = loudness(audio, 0.0, 0.3)
    visitor = loudness(audio, start + 0.2, end - 0.2)
    agent = loudness(audio, heard.answer_at + 0.2, heard.answer_at + min(heard.answer_seconds, 2.0))
    assert visitor > 20 * max(quiet, 1.0)
    assert agent > 20 * max(quiet, 1.0)

    delivery = db.session.execute(db.select(WebhookDelivery).filter_by(webhook_id=hook.id)).scalar_one()
    assert delivery.event_type == "call.ended"
    assert json.loads(delivery.body)["data"]["call"]["id"] == call["id"]


def test_the_calls_api_needs_its_scope_and_shows_only_the_tenants_own_calls(live_server, shop, make_tenant, instance_path):
    widget, reader, other, writer = shop
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"], ORIGIN, path=VOICE_SOCKET) as voice:
        voice.send(bytes(640))
        voice.send(json.dumps({"type": "hangup"}))
    call = ended_call(live_server, reader)
    one = f"{CALLS_URL}/{call['id']}"
    _, _, stranger = make_tenant("rival", scopes=("calls:write",))

    for path in (CALLS_URL, one, one + "/recording"):
        status, body, _ = api_request(live_server, path, other)
        assert status == 403 and json.loads(body)["scope"] == "calls:read", path
    assert api_request(live_server, one, stranger)[0] == 404
    assert api_request(live_server, one + "/recording", stranger)[0] == 404
    assert json.loads(api_request(live_server, CALLS_URL, stranger)[1])["calls"] == []

    # Filters: this widget and conversation have it; a range that ends before it does not.
    assert [c["id"] for c in json.loads(api_request(live_server, f"{CALLS_URL}?widget_id={widget.public_id}", reader)[1])["calls"]] == [call["id"]]
    assert [c["id"] for c in json.loads(api_request(live_server, f"{CALLS_URL}?conversation_id={call['conversation_id']}", reader)[1])["calls"]] == [call["id"]]
    assert json.loads(api_request(live_server, f"{CALLS_URL}?until=2020-01-01T00:00:00Z", reader)[1])["calls"] == []
    assert api_request(live_server, f"{CALLS_URL}?since=yesterday", reader)[0] == 422

    recording = Path(instance_path, "uploads", "recordings")
    assert len(list(recording.iterdir())) == 1
    assert api_request(live_server, one + "/recording", reader, "DELETE")[0] == 403
    assert api_request(live_server, one + "/recording", writer, "DELETE")[0] == 204
    assert list(recording.iterdir()) == []
    assert api_request(live_server, one + "/recording", reader)[0] == 404
    status, body, _ = api_request(live_server, one, reader)
    assert status == 200 and json.loads(body)["recording"] is None


def test_without_recording_no_audio_is_stored_and_the_token_says_so(live_server, make_tenant, instance_path):
    _, widget, reader = make_tenant("plain", scopes=("calls:read",), allowed_domains=["shop.example.com"])
    add_help_desk(widget)
    session = start_session_over_http(live_server, widget)
    status, access = post_json(
        live_server, "/api/v1/voice-widget/token", {"widget_id": widget.public_id}, {"Authorization": f"Bearer {session['token']}", "Origin": ORIGIN}
    )
    assert status == 200 and access["recorded"] is False

    heard = speak_a_call(live_server, session["token"], QUESTION, ORIGIN, after_answer=0.2)
    call = ended_call(live_server, reader)

    assert call["turn_count"] == 1 and call["duration_seconds"] == pytest.approx(heard.length, abs=0.5)
    assert call["recording"] is None
    assert api_request(live_server, f"{CALLS_URL}/{call['id']}/recording", reader)[0] == 404
    assert not Path(instance_path, "uploads", "recordings").exists()


def test_recording_is_a_widget_setting_of_the_config_api(client, headers):
    config = client.get("/api/v1/voice-widget/config", headers=headers).get_json()
    assert config["record_calls"] is False and config["recording_retention_days"] == 30
    for bad in ({"recording_retention_days": 0}, {"recording_retention_days": "7"}, {"record_calls": "yes"}):
        response = client.put("/api/v1/voice-widget/config", json=bad, headers=headers)
        assert response.status_code == 422 and response.get_json()["field"] == next(iter(bad)), bad
    saved = client.put("/api/v1/voice-widget/config", json={"record_calls": True, "recording_retention_days": 7}, headers=headers)
    assert saved.status_code == 200
    assert (saved.get_json()["record_calls"], saved.get_json()["recording_retention_days"]) == (True, 7)
