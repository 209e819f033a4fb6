"""Who a visitor is: the email token, the bearer token, and every way to abuse them."""

import base64
import io
import json
import time
from datetime import timedelta

import jwt
import pytest

from aurion.extensions import db
from aurion.problems import Problem
from aurion.services import identity
from aurion.services.widgets import regenerate_widget_key
from aurion.timestamps import utcnow
from tests.support.attachments import tiny_png
from tests.support.visitors import (
    HISTORY_URL,
    MESSAGES_URL,
    SESSION_URL,
    UPLOADS_URL,
    bearer,
    email_token,
    start_session,
)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_mint_and_verify_round_trip():
    token = identity.mint_email_token("wgt_a", "secret", "Jane@Example.com", 60)
    claims = identity.verify_email_token(token, "wgt_a", "secret")
    assert (claims.widget_id, claims.email) == ("wgt_a", "jane@example.com")


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (identity.mint_email_token("wgt_a", "other-secret", "j@x.test"), "email_token_signature"),
        (identity.mint_email_token("wgt_b", "secret", "j@x.test"), "email_token_wrong_widget"),
        (identity.mint_email_token("wgt_a", "secret", "j@x.test", -3600), "email_token_expired"),
        (identity.mint_email_token("wgt_a", "secret", "j@x.test", 30 * 86400), "email_token_lifetime"),
        ("not-a-token", "invalid_email_token"),
        ("a.b.c", "invalid_email_token"),
        (_b64({"wid": "wgt_a"}) + ".sig", "invalid_email_token"),
        ("%%%.sig", "invalid_email_token"),
    ],
)
def test_verify_refuses_with_a_reason(token, code):
    with pytest.raises(Problem) as caught:
        identity.verify_email_token(token, "wgt_a", "secret")
    assert (caught.value.status, caught.value.code) == (401, code)


def test_tampered_payload_fails_the_signature():
    token = identity.mint_email_token("wgt_a", "secret", "jane@x.test")
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = _b64({**claims, "email": "ceo@x.test"}) + "." + signature
    with pytest.raises(Problem) as caught:
        identity.verify_email_token(forged, "wgt_a", "secret")
    assert caught.value.code == "email_token_signature"


def test_visitor_token_is_bound_to_its_widget():
    key, other_key = "k" * 32, "o" * 32
    token = identity.issue_visitor_token(key, "wgt_a", "vis_1")
    assert identity.read_visitor_token(key, token, "wgt_a") == "vis_1"
    for secret, widget in ((other_key, "wgt_a"), (key, "wgt_b")):
        with pytest.raises(Problem):
            identity.read_visitor_token(secret, token, widget)


def _problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    if code:
        assert body["code"] == code
    assert "Traceback" not in json.dumps(body)
    return body


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda w: email_token(w)[:-3] + "AAA", "email_token_signature"),
        (lambda w: identity.mint_email_token(w.public_id, w.identity_secret, "j@x.test", -600), "email_token_expired"),
        (lambda w: "garbage", "invalid_email_token"),
        (lambda w: identity.mint_email_token(w.public_id, "guessed-secret", "j@x.test"), "email_token_signature"),
        (lambda w: identity.mint_email_token("wgt_nope", w.identity_secret, "j@x.test"), "email_token_unknown_widget"),
    ],
)
def test_session_refuses_bad_email_tokens(client, widget, make_token, code):
    body = _problem(client.post(SESSION_URL, json={"email_token": make_token(widget)}), 401, code)
    assert widget.identity_secret not in json.dumps(body)


def test_session_refuses_another_widgets_token(client, make_tenant, widget):
    other = make_tenant("globex")[1]
    response = client.post(SESSION_URL, json={"email_token": email_token(other), "widget_id": widget.public_id})
    _problem(response, 401, "email_token_wrong_widget")


def test_old_email_token_dies_with_regenerate_key(client, widget):
    token = email_token(widget)
    regenerate_widget_key(widget)
    _problem(client.post(SESSION_URL, json={"email_token": token}), 401, "email_token_unknown_widget")
    assert client.post(SESSION_URL, json={"email_token": email_token(widget)}).status_code == 201


def test_no_token_is_refused_unless_the_widget_allows_anonymous(client, widget):
    _problem(client.post(SESSION_URL, json={}), 401, "email_token_required")
    _problem(client.post(SESSION_URL, json={"widget_id": widget.public_id}), 401, "email_token_required")
    _problem(client.post(SESSION_URL, json={"widget_id": "wgt_nope"}), 404, "widget_not_found")


@pytest.mark.parametrize(
    "body",
    [{"email_token": 7}, {"email_token": "x", "surprise": 1}, {"display_name": "x" * 121, "widget_id": "w"}],
)
def test_session_body_is_validated(client, widget, body):
    _problem(client.post(SESSION_URL, json=body), 422, "validation_error")


def _bearer_problem(client, headers, code):
    for response in (
        client.post(MESSAGES_URL, json={"content": "hi"}, headers=headers),
        client.get(HISTORY_URL, headers=headers),
        client.post(UPLOADS_URL, data={"file": (io.BytesIO(tiny_png()), "a.png")}, headers=headers),
        client.get(f"{UPLOADS_URL}/att_whatever", headers=headers),
    ):
        _problem(response, 401, code)


def test_missing_or_malformed_bearer(client, widget):
    _bearer_problem(client, {}, "session_token_missing")
    _bearer_problem(client, {"Authorization": "Basic abc"}, "session_token_missing")
    _bearer_problem(client, {"Authorization": "Bearer not.a.jwt"}, "session_token_invalid")


def test_tampered_bearer(client, widget):
    session = start_session(client, widget)
    header, payload, signature = session["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = f"{header}.{_b64({**claims, 'sid': 'ws_someone_else'})}.{signature}"
    _bearer_problem(client, {"Authorization": f"Bearer {forged}"}, "session_token_invalid")
    unsigned = jwt.encode({**claims}, key=None, algorithm="none")
    _bearer_problem(client, {"Authorization": f"Bearer {unsigned}"}, "session_token_invalid")


def test_expired_bearer(client, app, widget):
    session = start_session(client, widget)
    claims = jwt.decode(session["token"], options={"verify_signature": False})
    expired = identity.issue_session_token(
        app.config["SECRET_KEY"], claims["sid"], claims["wid"], claims["sub"], utcnow() - timedelta(seconds=5)
    )
    _bearer_problem(client, {"Authorization": f"Bearer {expired}"}, "session_expired")


def test_session_expired_in_the_database(client, widget):
    from aurion.models import WidgetSession

    session = start_session(client, widget)
    row = db.session.execute(db.select(WidgetSession).filter_by(public_id=session["session_id"])).scalar_one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _bearer_problem(client, bearer(session), "session_expired")


def test_bearer_dies_with_regenerate_key(client, widget):
    session = start_session(client, widget)
    assert client.get(HISTORY_URL, headers=bearer(session)).status_code == 200
    regenerate_widget_key(widget)
    _bearer_problem(client, bearer(session), "session_revoked")


def test_bearer_signed_with_another_key(client, widget):
    session = start_session(client, widget)
    claims = jwt.decode(session["token"], options={"verify_signature": False})
    foreign = jwt.encode(claims, "not-our-secret-key-but-long-enough-for-hs256", algorithm="HS256")
    _bearer_problem(client, {"Authorization": f"Bearer {foreign}"}, "session_token_invalid")


def test_bearer_of_widget_a_cannot_act_for_widget_b(client, make_tenant):
    _, widget_a, _ = make_tenant("tenant-a", allowed_domains=["a.test"])
    _, widget_b, _ = make_tenant("tenant-b", allowed_domains=["b.test"])
    session_a = start_session(client, widget_a)
    # From widget B's page, A's bearer is refused by A's allowlist; B's data is never reachable with it.
    response = client.get(HISTORY_URL, headers={**bearer(session_a), "Origin": "https://b.test"})
    _problem(response, 403, "origin_not_allowed")
    assert "Access-Control-Allow-Origin" not in response.headers
    start_session(client, widget_b, "bob@b.test")
    history = client.get(HISTORY_URL, headers=bearer(session_a)).get_json()
    assert history["conversation_id"] == session_a["conversation_id"]


def test_tenant_a_cannot_read_tenant_b_history_or_attachments(client, make_tenant):
    _, widget_a, _ = make_tenant("tenant-a")
    _, widget_b, _ = make_tenant("tenant-b")
    session_a = start_session(client, widget_a)
    session_b = start_session(client, widget_b, "bob@b.test")
    client.post(MESSAGES_URL, json={"content": "secret of B"}, headers=bearer(session_b))
    upload = client.post(UPLOADS_URL, data={"file": (io.BytesIO(tiny_png()), "b.png")}, headers=bearer(session_b)).get_json()

    history = client.get(HISTORY_URL, headers=bearer(session_a))
    assert "secret of B" not in history.get_data(as_text=True)
    for url in (f"{UPLOADS_URL}/{upload['id']}", f"{UPLOADS_URL}/att_doesnotexist"):
        body = _problem(client.get(url, headers=bearer(session_a)), 404, "attachment_not_found")
        assert "b.png" not in json.dumps(body)
    response = client.post(MESSAGES_URL, json={"content": "mine", "attachment_ids": [upload["id"]]}, headers=bearer(session_a))
    _problem(response, 422, "validation_error")
    for cursor in ("before", "after"):
        b_message = client.get(HISTORY_URL, headers=bearer(session_b)).get_json()["messages"][0]["id"]
        _problem(client.get(f"{HISTORY_URL}?{cursor}={b_message}", headers=bearer(session_a)), 422)


def test_email_token_lifetime_is_checked_against_the_clock(client, widget):
    soon = int(time.time()) + 30
    payload = _b64({"wid": widget.public_id, "email": "j@x.test", "exp": soon})
    token = payload + "." + identity._signature(widget.identity_secret, payload)
    assert client.post(SESSION_URL, json={"email_token": token}).status_code == 201
