"""`POST /voice-widget/token`: LiveKit participant tokens, the embedded fallback, every refusal."""

import jwt
import pytest
from livekit import api

from aurion.extensions import db
from aurion.models import Conversation
from aurion.voice.tokens import AGENT_NAME, TOKEN_TTL
from tests.support.guide import run_guide_request
from tests.support.livekit import LIVEKIT
from tests.support.visitors import bearer, start_session

TOKEN_URL = "/api/v1/voice-widget/token"
ORIGIN = "https://shop.example.com"

GUIDE_TOKEN = '''curl -X POST "https://apps.aurionai.net/api/v1/voice-widget/token" \\
-H "Content-Type: application/json" \\
-d '{
"widget_id": "your-widget-id",
"participant_name": "Jane Smith"
}\''''


@pytest.fixture
def shop(make_tenant):
    """(widget, API key with voice-widget:write)."""
    _, widget, key = make_tenant("shop", scopes=["voice-widget:write"], allowed_domains=["shop.example.com"])
    return widget, key


@pytest.fixture
def livekit_client(make_app):
    return make_app(**LIVEKIT).test_client()


def verified_claims(token: str) -> tuple:
    """The claims as LiveKit's verifier reads them, and the raw JWT payload."""
    claims = api.TokenVerifier(LIVEKIT["LIVEKIT_API_KEY"], LIVEKIT["LIVEKIT_API_SECRET"]).verify(token)
    return claims, jwt.decode(token, options={"verify_signature": False})


def test_widget_gets_a_livekit_token_for_its_conversations_room_only(client, livekit_client, shop):
    widget, _ = shop
    session = start_session(client, widget, display_name="Jane Smith")
    response = livekit_client.post(
        TOKEN_URL, json={"widget_id": widget.public_id, "participant_name": "Jane Smith"}, headers={"Origin": ORIGIN, **bearer(session)}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert body["transport"] == "livekit" and body["ws_url"] == LIVEKIT["LIVEKIT_URL"]
    assert body["room_name"] == "room_" + session["conversation_id"].removeprefix("conv_")
    assert body["conversation_id"] == session["conversation_id"]
    claims, raw = verified_claims(body["token"])
    assert claims.identity == session["visitor_id"] and claims.name == "Jane Smith"
    # Exactly: join this one room, publish and subscribe; nothing administrative.
    assert raw["video"] == {
        "roomJoin": True,
        "room": body["room_name"],
        "canPublish": True,
        "canSubscribe": True,
        "canPublishData": True,
    }
    assert raw["exp"] - raw["nbf"] == TOKEN_TTL.total_seconds()
    assert [agent.agent_name for agent in claims.room_config.agents] == [AGENT_NAME]
    with pytest.raises(jwt.InvalidSignatureError):
        api.TokenVerifier(LIVEKIT["LIVEKIT_API_KEY"], "x" * 43).verify(body["token"])


def test_a_second_call_of_the_same_visitor_joins_the_same_room(client, livekit_client, shop):
    widget, _ = shop
    session = start_session(client, widget)
    rooms = {
        livekit_client.post(TOKEN_URL, json={"widget_id": widget.public_id}, headers=bearer(session)).get_json()["room_name"]
        for _ in range(2)
    }
    assert len(rooms) == 1


def test_server_with_api_key_starts_a_new_visitors_call(livekit_client, shop):
    widget, key = shop
    response = livekit_client.post(
        TOKEN_URL, json={"widget_id": widget.public_id, "participant_name": "Jane Smith"}, headers={"X-API-Key": key}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    claims, _ = verified_claims(body["token"])
    conversation = db.session.execute(db.select(Conversation).filter_by(public_id=body["conversation_id"])).scalar_one()
    assert claims.identity == conversation.visitor.public_id and claims.identity.startswith("vis_")
    assert conversation.visitor.display_name == "Jane Smith" and conversation.visitor.email is None
    assert claims.video.room == body["room_name"]


def test_without_livekit_the_token_points_at_the_embedded_voice_socket(client, shop):
    widget, _ = shop
    session = start_session(client, widget)
    response = client.post(TOKEN_URL, json={"widget_id": widget.public_id}, headers={"Origin": ORIGIN, **bearer(session)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["transport"] == "embedded"
    assert body["ws_url"] == "ws://localhost/api/v1/widget/voice"
    assert body["token"] == session["token"]
    assert set(body) >= {"token", "room_name", "ws_url"}


def test_guide_request_needs_credentials_and_works_with_the_api_key(live_server, shop):
    widget, key = shop
    as_written = run_guide_request(GUIDE_TOKEN, live_server, {"your-widget-id": widget.public_id})
    assert as_written.status == 401, as_written.body
    assert as_written.json()["code"] == "credentials_required"
    with_key = GUIDE_TOKEN.replace('-H "Content-Type', f'-H "X-API-Key: {key}" \\\n-H "Content-Type')
    result = run_guide_request(with_key, live_server, {"your-widget-id": widget.public_id})
    assert result.status == 200, result.body
    body = result.json()
    assert set(body) >= {"token", "room_name", "ws_url"} and body["room_name"].startswith("room_")
    assert body["transport"] == "embedded" and body["ws_url"].endswith("/api/v1/widget/voice")


@pytest.fixture
def refusal_cases(client, make_tenant, shop):
    widget, key = shop
    session = start_session(client, widget)
    other_widget = make_tenant("other", scopes=["voice-widget:write"], allowed_domains=["shop.example.com"])[1]
    other_session = start_session(client, other_widget)
    read_only_key = make_tenant("reader", scopes=["voice-widget:read"])[2]
    return {"widget": widget, "key": key, "session": session, "other_widget": other_widget, "other_session": other_session, "read_only_key": read_only_key}


@pytest.mark.parametrize(
    "case, status, code",
    [
        ("disallowed_origin", 403, "origin_not_allowed"),
        ("unknown_widget", 404, "widget_not_found"),
        ("other_tenants_widget_with_key", 404, "widget_not_found"),
        ("no_credentials", 401, "credentials_required"),
        ("bad_bearer", 401, None),
        ("bearer_of_another_widget", 401, "session_wrong_widget"),
        ("unknown_key", 401, "api_key_invalid"),
        ("key_without_scope", 403, "insufficient_scope"),
        ("missing_widget_id", 422, None),
        ("unknown_field", 422, None),
    ],
)
def test_refusals(client, refusal_cases, case, status, code):
    c = refusal_cases
    widget_id = c["widget"].public_id
    body, headers = {"widget_id": widget_id}, {}
    if case == "disallowed_origin":
        headers = {"Origin": "https://evil.example.net", **bearer(c["session"])}
    elif case == "unknown_widget":
        body = {"widget_id": "wgt_nope"}
        headers = {"X-API-Key": c["key"]}
    elif case == "other_tenants_widget_with_key":
        body = {"widget_id": c["other_widget"].public_id}
        headers = {"X-API-Key": c["key"]}
    elif case == "bad_bearer":
        headers = {"Authorization": "Bearer not-a-token"}
    elif case == "bearer_of_another_widget":
        headers = bearer(c["other_session"])
    elif case == "unknown_key":
        headers = {"X-API-Key": "ak_live_unknown"}
    elif case == "key_without_scope":
        headers = {"X-API-Key": c["read_only_key"]}
    elif case == "missing_widget_id":
        body = {"participant_name": "Jane"}
        headers = {"X-API-Key": c["key"]}
    elif case == "unknown_field":
        body = {"widget_id": widget_id, "room": "room_x"}
        headers = {"X-API-Key": c["key"]}
    response = client.post(TOKEN_URL, json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    if code:
        assert response.get_json()["code"] == code
    if status == 403 and case == "disallowed_origin":
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("credentials", ["bearer", "key"])
def test_widget_without_voice_mode_refuses_with_409(client, shop, credentials):
    widget, key = shop
    session = start_session(client, widget)
    widget.modes = ["chat"]
    db.session.commit()
    headers = bearer(session) if credentials == "bearer" else {"X-API-Key": key}
    response = client.post(TOKEN_URL, json={"widget_id": widget.public_id}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["code"] == "voice_disabled"
    # A refused server call creates no visitor or conversation.
    assert db.session.execute(db.select(db.func.count(Conversation.id))).scalar_one() == 1
