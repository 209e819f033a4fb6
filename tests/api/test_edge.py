"""Every hostile input at every endpoint that takes it: a 4xx problem, never a 500.

The cases are not a hand-kept table of endpoints: each documented operation of the
app (`documented_operations`, what the OpenAPI document lists) gets every hostile path
id in each path parameter, every hostile value in each declared query parameter, and
every hostile string in each string field of its JSON body. The suite runs once on
SQLite and once on PostgreSQL (AURION_TEST_DATABASE_URL), where a NUL, an overlong
email or an id beyond int4 used to reach the database as a 500. `test_input.py` pins
the exact answer of the common cases; this module proves there is no 500 anywhere.
"""

import io
import json
import re

import pytest

from aurion import create_app
from aurion.api.openapi import documented_operations
from aurion.config import TestConfig
from aurion.schemas.fields import EMAIL_MAX_LENGTH
from aurion.services.api_keys import SCOPES
from aurion.services.knowledge import create_article
from tests.support.attachments import tiny_png
from tests.support.dashboard import Dashboard, csrf_token_in, make_admin
from tests.support.sockets import frames_until, handshake_status, widget_socket
from tests.support.visitors import SESSION_URL, UPLOADS_URL, bearer, email_token, start_session, start_session_over_http

# Already percent-encoded: NUL, a lone surrogate's UTF-8-ish bytes, int4 + 1, int8 + 1, far
# beyond, a superscript two (int() takes it), and an id of 5,000 characters.
HOSTILE_PATH_IDS = ["x%00", "%ED%A0%80", "2147483648", "9223372036854775808", "9" * 30, "%C2%B2", "w" * 5000]
HOSTILE_QUERY_VALUES = ["x%00", "%ED%A0%80", "%C2%B2", "%207", "-1", "9223372036854775808", "garbage", "w" * 5000]
# Values a JSON string field may carry that no database should see.
HOSTILE_STRINGS = {"nul": "hi\x00there", "lone surrogate": "hi \ud800", "low surrogate": "\udfff"}
DEEP_JSON = "[" * 30_000 + "]" * 30_000
# A body each operation would accept, so that its path and query are what is judged.
VALID_BODIES = {
    "WidgetConfigUpdate": {"greeting": "Hello"},
    "ArticleInput": {"title": "Shipping", "body": "We ship in two days."},
    "ArticleUpdate": {"title": "Shipping"},
    "WidgetMessageRequest": {"content": "hello"},
    "HumanReply": {"content": "Hi, I'm Sam."},
    "Assignment": {"to": "human"},
    "WebhookInput": {"url": "https://hooks.example.com/aurion", "events": ["message.created"]},
    "VoiceTokenRequest": {"widget_id": "{widget_id}"},
    "RatingInput": {"score": "good"},
}
_DECLARED = {(rule.rule, method): op for rule, method, op in documented_operations(create_app(TestConfig))}
OPERATIONS = sorted(_DECLARED)
QUERY_OPERATIONS = [key for key in OPERATIONS if _DECLARED[key].query is not None and key[0] != "/api/v1/widget/voice"]
BODY_OPERATIONS = [key for key in OPERATIONS if _DECLARED[key].body is not None]


@pytest.fixture
def app(make_app):
    """Limits far above what the cases send: what is judged is the input, not the rate."""
    app = make_app(**{setting: "10000/minute" for setting in ("AURION_LIMIT_SESSION", "AURION_LIMIT_MESSAGE", "AURION_LIMIT_UPLOAD")})
    with app.app_context():
        yield app


@pytest.fixture
def edge(client, make_tenant):
    """Real ids for the path parameters that are not under test, and each kind of credential."""
    _, widget, key = make_tenant("acme", scopes=SCOPES)
    article = create_article(widget, {"title": "Refunds", "body": "Refunds take five days."})
    session = start_session(client, widget)
    upload = client.post(UPLOADS_URL, headers=bearer(session), data={"file": (io.BytesIO(tiny_png()), "a.png")})
    assert upload.status_code == 201
    return {
        "ids": {
            "widget_id": widget.public_id,
            "article_id": str(article.id),
            "conversation_id": session["conversation_id"],
            "attachment_id": upload.get_json()["id"],
            "webhook_id": "whk_unknown",
            "delivery_id": "dlv_unknown",
            "name": "aurion",
        },
        "api_key": {"X-API-Key": key},
        "bearer": bearer(session),
        "widget": widget,
    }


def _operation(app, rule: str, method: str):
    return next(op for r, m, op in documented_operations(app) if r.rule == rule and m == method)


def _path(rule: str, ids: dict, hostile: tuple[str, str] | None = None) -> str:
    path = rule
    for name, value in ids.items():
        replacement = hostile[1] if hostile and hostile[0] == name else value
        path = path.replace(f"<int:{name}>", replacement).replace(f"<{name}>", replacement)
    return path


def _headers(operation, edge: dict) -> dict:
    security = operation.security or []
    if {"ApiKey": []} in security:
        return edge["api_key"]
    if {"VisitorBearer": []} in security:
        return edge["bearer"]
    return {}


def _valid_body(operation, edge: dict) -> dict:
    body = VALID_BODIES.get(operation.body.__name__, {})
    return {field: value.format(**edge["ids"]) if isinstance(value, str) else value for field, value in body.items()}


def _send(client, method: str, path: str, headers: dict, operation, edge: dict, body=None):
    """One request; a body-taking operation gets `body` (default: one it would accept)."""
    if operation.body is None:
        return client.open(path, method=method.upper(), headers=headers)
    payload = body if body is not None else json.dumps(_valid_body(operation, edge))
    return client.open(path, method=method.upper(), headers=headers, data=payload, content_type="application/json")


def _assert_not_a_500(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json", what


def _is_websocket(operation) -> bool:
    return 101 in operation.responses


def _path_parameters(rule: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", rule)


@pytest.mark.parametrize(("rule", "method"), [op for op in OPERATIONS if "<" in op[0]])
def test_hostile_path_ids_are_a_4xx_problem(app, client, edge, rule, method):
    operation = _operation(app, rule, method)
    headers = _headers(operation, edge)
    for name in _path_parameters(rule):
        for value in HOSTILE_PATH_IDS:
            response = _send(client, method, _path(rule, edge["ids"], (name, value)), headers, operation, edge)
            _assert_not_a_500(response, f"{method} {rule} {name}={value[:20]}")
            assert 400 <= response.status_code < 500


@pytest.mark.parametrize(("rule", "method"), QUERY_OPERATIONS)
def test_hostile_query_values_are_never_a_500(app, client, edge, rule, method):
    operation = _operation(app, rule, method)
    headers = _headers(operation, edge)
    if _is_websocket(operation):
        headers = {**edge["bearer"], "Connection": "Upgrade", "Upgrade": "websocket"}
    token = "token=" + edge["bearer"]["Authorization"].split()[1] + "&" if _is_websocket(operation) else ""
    for name in operation.query.model_fields:
        if name == "token":
            continue
        for value in HOSTILE_QUERY_VALUES:
            path = f"{_path(rule, edge['ids'])}?{token}{name}={value}"
            _assert_not_a_500(_send(client, method, path, headers, operation, edge), f"{method} {rule} ?{name}={value[:20]}")


def _string_fields(model) -> dict[str, bool]:
    """The body's fields that take a string: name → whether it is a list of strings."""
    fields = {}
    for name, schema in model.model_json_schema()["properties"].items():
        options = schema.get("anyOf", [schema])
        if any(option.get("type") == "string" for option in options):
            fields[name] = False
        elif any(option.get("type") == "array" and option.get("items", {}).get("type") == "string" for option in options):
            fields[name] = True
    return fields


@pytest.mark.parametrize(("rule", "method"), BODY_OPERATIONS)
def test_hostile_strings_in_every_body_field_are_a_422_naming_it(app, client, edge, rule, method):
    operation = _operation(app, rule, method)
    headers, path = _headers(operation, edge), _path(rule, edge["ids"])
    valid = _valid_body(operation, edge)
    for field, is_list in _string_fields(operation.body).items():
        for kind, value in HOSTILE_STRINGS.items():
            body = {**valid, field: [value] if is_list else value}
            response = _send(client, method, path, headers, operation, edge, json.dumps(body))
            _assert_not_a_500(response, f"{method} {rule} {field} with a {kind}")
            assert response.status_code == 422 and response.get_json()["field"] == field, (kind, response.get_json())
        overlong = {**valid, field: ["w" * 100_000] if is_list else "w" * 100_000}
        _assert_not_a_500(_send(client, method, path, headers, operation, edge, json.dumps(overlong)), f"{field} overlong")


@pytest.mark.parametrize(("rule", "method"), BODY_OPERATIONS)
def test_json_nested_30000_deep_is_a_400(app, client, edge, rule, method):
    operation = _operation(app, rule, method)
    response = _send(client, method, _path(rule, edge["ids"]), _headers(operation, edge), operation, edge, DEEP_JSON)
    assert response.status_code in (400, 413), response.get_data(as_text=True)[:200]
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "email",
    ["a" * (EMAIL_MAX_LENGTH - len("@example.com") + 1) + "@example.com", "ja\x00ne@example.com", "ja\ud800ne@example.com", "@"],
    ids=["255 characters", "nul", "lone surrogate", "no address"],
)
def test_an_email_token_with_an_unstorable_email_is_a_401(client, edge, email):
    response = client.post(SESSION_URL, json={"email_token": email_token(edge["widget"], email)})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "email_token_email"


def test_an_email_of_254_characters_is_a_visitor(client, edge):
    email = "a" * (EMAIL_MAX_LENGTH - len("@example.com")) + "@example.com"
    response = client.post(SESSION_URL, json={"email_token": email_token(edge["widget"], email)})
    assert response.status_code == 201


@pytest.mark.parametrize("email", ["ada\x00@acme.test", "a" * 300 + "@acme.test"])
def test_dashboard_sign_in_with_an_unstorable_email_is_refused_not_a_500(app, make_tenant, email):
    make_admin(make_tenant("acme")[0])
    client = app.test_client()
    form = client.get("/dashboard/login")
    response = client.post("/dashboard/login", data={"email": email, "password": "x", "csrf_token": csrf_token_in(form.text)})
    assert response.status_code == 401


@pytest.mark.parametrize("row_id", ["2147483648", "9223372036854775808", "9" * 30])
def test_dashboard_ids_beyond_the_column_are_404(app, make_tenant, row_id):
    tenant, widget, _ = make_tenant("acme")
    dashboard = Dashboard(app.test_client())
    dashboard.sign_in(make_admin(tenant).email)
    assert dashboard.get(f"/dashboard/widgets/{widget.public_id}/articles/{row_id}").status_code == 404
    assert dashboard.post(f"/dashboard/keys/{row_id}/revoke").status_code == 404


def test_the_socket_refuses_an_unknown_after_before_the_upgrade(live_server, make_tenant):
    widget = make_tenant("acme")[1]
    session = start_session_over_http(live_server, widget)
    assert handshake_status(live_server, session["token"], after="garbage") == 422
    assert handshake_status(live_server, session["token"], after="msg_%00") == 422
    with widget_socket(live_server, session["token"]) as ws:
        for raw in (
            '{"type": "message", "content": "\\ud800"}',
            '{"type": "message", "content": "hi\\u0000"}',
            '{"type": "message", "content": "hi", "attachment_ids": ["\\udc00"]}',
            '{"\\ud800": 1, "type": "message"}',
            '{"type": "\\ud800"}',
            '{"type": "message", "content": "hi", "after": "garbage"}',
            "[" * 15_000 + "]" * 15_000,
        ):
            ws.send(raw)
            assert frames_until(ws, lambda frame: True, timeout=10)[-1]["type"] == "error", raw[:60]
        ws.send('{"type": "ping"}')
        assert frames_until(ws, lambda frame: True, timeout=10)[-1] == {"type": "pong"}
