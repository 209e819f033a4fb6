"""The guide's config API, run as written against a real server, with a key from the CLI."""

import pytest

from tests.support.guide import run_guide_request

GET_CONFIG = '''curl "https://apps.aurionai.net/api/v1/voice-widget/config" \\
-H "X-API-Key: ak_live_xxxx"'''

PUT_CONFIG = '''curl -X PUT "https://apps.aurionai.net/api/v1/voice-widget/config" \\
-H "X-API-Key: ak_live_xxxx" \\
-H "Content-Type: application/json" \\
-d '{
"greeting": "Hi! How can I help you today?",
"primary_color": "#6366F1",
"position": "bottom-right",
"allowed_domains": ["example.com", "app.example.com"],
"modes": ["voice", "chat"]
}\''''

REGENERATE = '''curl -X POST "https://apps.aurionai.net/api/v1/voice-widget/config/regenerate-key" \\
-H "X-API-Key: ak_live_xxxx"'''

GA_READINESS = '''curl "https://apps.aurionai.net/api/v1/voice-widget/ga-readiness" \\
-H "X-API-Key: ak_live_xxxx"'''


def cli_key(runner, tenant: str, *scopes: str) -> str:
    """A key minted by `flask aurion create-api-key`, read off its last output line."""
    args = ["aurion", "create-api-key", "--tenant", tenant]
    for scope in scopes:
        args += ["--scope", scope]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


@pytest.fixture
def keys(runner):
    result = runner.invoke(args=["aurion", "create-tenant", "acme"])
    assert result.exit_code == 0, result.output
    return {
        "read": cli_key(runner, "acme", "voice-widget:read"),
        "write": cli_key(runner, "acme", "voice-widget:write"),
        "conversations": cli_key(runner, "acme", "conversations:read"),
    }


def guide(command, live_server, key):
    return run_guide_request(command, live_server, {"ak_live_xxxx": key})


def test_guide_put_then_get_config(live_server, keys):
    put = guide(PUT_CONFIG, live_server, keys["write"])
    assert put.status == 200, put.body
    got = guide(GET_CONFIG, live_server, keys["read"])
    assert got.status == 200
    config = got.json()
    assert config["greeting"] == "Hi! How can I help you today?"
    assert config["primary_color"] == "#6366F1"
    assert config["position"] == "bottom-right"
    assert config["allowed_domains"] == ["example.com", "app.example.com"]
    assert config["modes"] == ["voice", "chat"]
    assert config["widget_id"].startswith("wgt_")
    assert put.json() == config


def test_guide_regenerate_key_retires_the_old_id(live_server, keys):
    old_id = guide(GET_CONFIG, live_server, keys["read"]).json()["widget_id"]
    regenerated = guide(REGENERATE, live_server, keys["write"])
    assert regenerated.status == 200
    body = regenerated.json()
    assert body["message"] == "Widget key regenerated. Update your embed snippet."
    assert body["widget_id"] != old_id
    assert guide(GET_CONFIG, live_server, keys["read"]).json()["widget_id"] == body["widget_id"]
    stale = run_guide_request(GET_CONFIG.replace("/config", f"/config?widget_id={old_id}"), live_server, {"ak_live_xxxx": keys["read"]})
    assert stale.status == 404
    assert stale.json()["code"] == "widget_not_found"


def test_guide_ga_readiness_is_a_checklist(live_server, keys):
    result = guide(GA_READINESS, live_server, keys["read"])
    assert result.status == 200
    body = result.json()
    assert body["ready"] is False
    checks = {check["name"]: check for check in body["checks"]}
    assert checks["allowed_domains"]["ok"] is False
    assert "allowed_domains" in checks["allowed_domains"]["detail"]
    assert all(set(check) == {"name", "ok", "detail"} for check in body["checks"])


@pytest.mark.parametrize(
    ("command", "key", "scope"),
    [
        (PUT_CONFIG, "read", "voice-widget:write"),
        (REGENERATE, "read", "voice-widget:write"),
        (GET_CONFIG, "conversations", "voice-widget:read"),
        (GA_READINESS, "conversations", "voice-widget:read"),
    ],
)
def test_guide_requests_refuse_a_key_without_the_scope(live_server, keys, command, key, scope):
    result = guide(command, live_server, keys[key])
    assert result.status == 403
    assert result.json()["scope"] == scope
    assert scope in result.json()["detail"]


@pytest.mark.parametrize("command", [GET_CONFIG, PUT_CONFIG, REGENERATE, GA_READINESS])
def test_guide_requests_refuse_an_unknown_key(live_server, keys, command):
    result = guide(command, live_server, "ak_live_not-a-real-key")
    assert result.status == 401
    assert result.json()["code"] == "api_key_invalid"


def test_write_scope_implies_read(client, make_tenant):
    _, _, key = make_tenant(scopes=["voice-widget:write"])
    assert client.get("/api/v1/voice-widget/config", headers={"X-API-Key": key}).status_code == 200


def test_missing_key_is_401_problem(client, make_tenant):
    make_tenant()
    response = client.get("/api/v1/voice-widget/config")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "X-API-Key" in response.get_json()["detail"]


def test_revoked_key_is_refused(client, make_tenant):
    from aurion.extensions import db
    from aurion.models import ApiKey
    from aurion.services.api_keys import revoke_api_key

    _, _, key = make_tenant()
    revoke_api_key(db.session.execute(db.select(ApiKey)).scalar_one())
    assert client.get("/api/v1/voice-widget/config", headers={"X-API-Key": key}).status_code == 401


def test_put_is_partial(client, headers):
    client.put("/api/v1/voice-widget/config", json={"greeting": "Hello there"}, headers=headers)
    client.put("/api/v1/voice-widget/config", json={"position": "bottom-left"}, headers=headers)
    config = client.get("/api/v1/voice-widget/config", headers=headers).get_json()
    assert config["greeting"] == "Hello there"
    assert config["position"] == "bottom-left"


def test_allowed_domains_are_normalised(client, headers):
    response = client.put(
        "/api/v1/voice-widget/config",
        json={"allowed_domains": ["https://Shop.Example.com:8443/pricing", "EXAMPLE.com.", "*.Example.com", "example.com"]},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.get_json()["allowed_domains"] == ["shop.example.com", "example.com", "*.example.com"]


def test_widget_id_selects_another_widget_of_the_tenant(client, make_tenant):
    from aurion.services.widgets import create_widget

    tenant, default, key = make_tenant()
    second = create_widget(tenant, name="Docs site")
    headers = {"X-API-Key": key}
    response = client.put(f"/api/v1/voice-widget/config?widget_id={second.public_id}", json={"greeting": "Docs help"}, headers=headers)
    assert response.get_json()["name"] == "Docs site"
    assert client.get("/api/v1/voice-widget/config", headers=headers).get_json()["widget_id"] == default.public_id
    assert client.get("/api/v1/voice-widget/config", headers=headers).get_json()["greeting"] != "Docs help"


def test_ga_readiness_turns_ready_when_the_admin_acts(client, make_tenant):
    from aurion.services.knowledge import create_article

    _, widget, key = make_tenant()
    headers = {"X-API-Key": key}
    before = {c["name"]: c["ok"] for c in client.get("/api/v1/voice-widget/ga-readiness", headers=headers).get_json()["checks"]}
    assert before["agent"] is False and before["allowed_domains"] is False
    client.put("/api/v1/voice-widget/config", json={"allowed_domains": ["example.com"], "modes": ["chat"]}, headers=headers)
    create_article(widget, {"title": "Opening hours", "body": "We answer every day from 8 am to 8 pm."})
    after = client.get("/api/v1/voice-widget/ga-readiness", headers=headers).get_json()
    assert after["ready"] is True, after
