"""Hostile input at the edge of the API: always a 4xx problem, never a 500.

NUL characters (PostgreSQL refuses them in text), lone surrogates (JSON's "\\ud800"),
overlong strings, `?limit=` values that int() would take, ids beyond the columns'
range and JSON nested thousands deep. Run it on PostgreSQL too
(AURION_TEST_DATABASE_URL), where a NUL that reached a query was a 500.
"""

import pytest

from aurion.services.knowledge import create_article
from tests.support.visitors import bearer, start_session

CONFIG = "/api/v1/voice-widget/config"
ARTICLES = "/api/v1/voice-widget/articles"
CONVERSATIONS = "/api/v1/conversations"
DEEP_JSON = "[" * 30_000 + "]" * 30_000
SCOPES = ["voice-widget:read", "voice-widget:write", "conversations:read", "conversations:write"]


@pytest.fixture
def edge(client, make_tenant):
    """Placeholders for the table's paths and the credentials each kind of endpoint needs."""
    _, widget, key = make_tenant("acme", scopes=SCOPES)
    article = create_article(widget, {"title": "Refunds", "body": "Refunds take five days."})
    session = start_session(client, widget)
    return {
        "values": {"widget": widget.public_id, "article": article.id, "conversation": session["conversation_id"]},
        "key": {"X-API-Key": key},
        "bearer": bearer(session),
        "none": {},
        "upgrade": {"Connection": "Upgrade", "Upgrade": "websocket"},
    }


def _raw_json(text: str) -> dict:
    return {"data": text, "content_type": "application/json"}


# (method, path, credentials, request keywords, expected status, field)
CASES = [
    ("put", CONFIG, "key", {"json": {"name": "Shop\x00"}}, 422, "name"),
    ("put", CONFIG, "key", _raw_json('{"greeting": "hi \\ud800"}'), 422, "greeting"),
    ("put", CONFIG, "key", {"json": {"greeting": "x" * 501}}, 422, "greeting"),
    ("put", CONFIG, "key", {"json": {"allowed_domains": ["shop.example.com\x00"]}}, 422, "allowed_domains"),
    ("put", CONFIG, "key", {"json": {"allowed_domains": ["a.example.com"] * 101}}, 422, "allowed_domains"),
    ("put", CONFIG, "key", _raw_json(DEEP_JSON), 400, None),
    ("get", CONFIG + "?widget_id=wgt_%00", "key", {}, 404, None),
    ("get", CONFIG + "?widget_id=wgt_%ED%A0%80", "key", {}, 404, None),
    ("get", CONFIG + "?widget_id=" + "w" * 5000, "key", {}, 404, None),
    ("post", ARTICLES, "key", {"json": {"title": "T\x00", "body": "b"}}, 422, "title"),
    ("post", ARTICLES, "key", _raw_json('{"title": "T", "body": "\\udfff"}'), 422, "body"),
    ("post", ARTICLES, "key", {"json": {"title": "x" * 201, "body": "b"}}, 422, "title"),
    ("post", ARTICLES, "key", {"json": {"title": "T", "body": "b", "url": "https://a.example/\x00"}}, 422, "url"),
    ("get", ARTICLES + "/2147483648", "key", {}, 404, None),
    ("get", ARTICLES + "/9223372036854775808", "key", {}, 404, None),
    ("put", ARTICLES + "/99999999999999999999999", "key", {"json": {"title": "T"}}, 404, None),
    ("get", ARTICLES + "/search?q=refund&limit=%207", "key", {}, 422, "limit"),
    ("get", ARTICLES + "/search?q=refund&limit=%C2%B2", "key", {}, 422, "limit"),
    ("get", ARTICLES + "/search?q=%00", "key", {}, 422, "q"),
    ("get", CONVERSATIONS + "?limit=%207", "key", {}, 422, "limit"),
    ("get", CONVERSATIONS + "?limit=%C2%B2", "key", {}, 422, "limit"),
    ("get", CONVERSATIONS + "?before=conv_%00", "key", {}, 422, "before"),
    ("get", CONVERSATIONS + "/conv_%00", "key", {}, 404, None),
    ("get", CONVERSATIONS + "/{conversation}?limit=%C2%B2", "key", {}, 422, "limit"),
    ("post", CONVERSATIONS + "/{conversation}/messages", "key", {"json": {"content": "hi\x00"}}, 422, "content"),
    ("post", CONVERSATIONS + "/{conversation}/messages", "key", _raw_json(DEEP_JSON), 400, None),
    ("get", "/api/v1/attachments/att_%00", "key", {}, 404, None),
    ("get", "/api/v1/voice-widget/embed/config/wgt_%00", "none", {}, 404, None),
    ("get", "/api/v1/voice-widget/embed/config/" + "w" * 5000, "none", {}, 404, None),
    ("post", "/api/v1/widget/session", "none", {"json": {"widget_id": "wgt_\x00"}}, 422, "widget_id"),
    ("post", "/api/v1/widget/session", "none", {"json": {"email_token": "a.b", "display_name": "\ud800"}}, 422, "display_name"),
    ("post", "/api/v1/widget/session", "none", _raw_json(DEEP_JSON), 400, None),
    ("post", "/api/v1/widget/messages", "bearer", {"json": {"content": "hi\x00"}}, 422, "content"),
    ("post", "/api/v1/widget/messages", "bearer", _raw_json('{"content": "\\ud800"}'), 422, "content"),
    ("post", "/api/v1/widget/messages", "bearer", {"json": {"content": "x" * 4001}}, 422, "content"),
    ("post", "/api/v1/widget/messages", "bearer", {"json": {"content": "hi", "attachment_ids": ["att_\x00"]}}, 422, "attachment_ids"),
    ("post", "/api/v1/widget/messages", "bearer", _raw_json(DEEP_JSON), 400, None),
    ("get", "/api/v1/widget/history?limit=%207", "bearer", {}, 422, "limit"),
    ("get", "/api/v1/widget/history?limit=%C2%B2", "bearer", {}, 422, "limit"),
    ("get", "/api/v1/widget/history?before=msg_%00", "bearer", {}, 422, "before"),
    ("get", "/api/v1/widget/uploads/att_%00", "bearer", {}, 404, None),
    ("post", "/api/v1/voice-widget/token", "key", {"json": {"widget_id": "{widget}\x00"}}, 422, "widget_id"),
    ("post", "/api/v1/voice-widget/token", "key", {"json": {"widget_id": "{widget}", "participant_name": "J\x00"}}, 422, "participant_name"),
    ("get", "/api/v1/widget/ws?token=x&after=msg_%00", "upgrade", {}, 422, "after"),
    ("get", "/api/v1/widget/voice?token=%00", "upgrade", {}, 422, "token"),
]


def _filled(value, values: dict):
    if isinstance(value, str):
        return value.replace("{widget}", values["widget"]).replace("{conversation}", values["conversation"])
    if isinstance(value, dict):
        return {key: _filled(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, values) for item in value]
    return value


@pytest.mark.parametrize(("method", "path", "credentials", "send", "status", "field"), CASES)
def test_hostile_input_is_a_problem_never_a_500(client, edge, method, path, credentials, send, status, field):
    values = edge["values"]
    response = getattr(client, method)(_filled(path, values), headers=edge[credentials], **_filled(send, values))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    if field is not None:
        assert response.get_json()["field"] == field
