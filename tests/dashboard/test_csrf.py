"""CSRF: every state-changing request of the dashboard needs the session's token."""

import pytest
from werkzeug.routing import IntegerConverter, Rule

from aurion.dashboard.csrf import token_matches
from tests.support.dashboard import PASSWORD, Dashboard, csrf_token_in


@pytest.mark.parametrize(
    ("expected", "presented", "matches"),
    [("abc", "abc", True), ("abc", "abd", False), ("abc", "", False), ("abc", None, False), (None, None, False), ("", "", False), ("abc", "abcd", False), ("ä", "ä", True)],
)
def test_token_matches(expected, presented, matches):
    assert token_matches(expected, presented) is matches


def _dashboard_posts(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("dashboard.") and "POST" in rule.methods]


def _path(rule: Rule) -> str:
    values = {name: 1 if isinstance(rule._converters.get(name), IntegerConverter) else "x" for name in rule.arguments}
    return rule.build(values)[1]


def test_every_dashboard_post_refuses_a_missing_or_wrong_token(app, dashboard):
    rules = _dashboard_posts(app)
    assert len(rules) >= 14
    for rule in rules:
        path = _path(rule)
        missing = dashboard.client.post(path, data={})
        wrong = dashboard.client.post(path, data={"csrf_token": "not-the-token"})
        assert missing.status_code == 400, path
        assert wrong.status_code == 400, path
        assert "expired or was sent from another site" in missing.text


def test_the_login_form_needs_its_token_too(client, acme):
    response = client.post("/dashboard/login", data={"email": "ada@acme.test", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboard/widgets").status_code == 302


def test_another_browsers_token_is_refused(app, acme, dashboard):
    attacker = Dashboard(app.test_client())
    attacker_token = csrf_token_in(attacker.get("/dashboard/login").text)
    response = dashboard.client.post("/dashboard/keys", data={"scopes": "voice-widget:read", "csrf_token": attacker_token})
    assert response.status_code == 400


def test_the_token_in_a_header_works_for_scripts(dashboard):
    token = csrf_token_in(dashboard.get("/dashboard/keys").text)
    response = dashboard.client.post("/dashboard/keys", data={"scopes": "voice-widget:read"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 201


def test_signing_in_issues_a_new_token(app, acme):
    browser = Dashboard(app.test_client())
    before = csrf_token_in(browser.get("/dashboard/login").text)
    browser.client.post("/dashboard/login", data={"email": "ada@acme.test", "password": PASSWORD, "csrf_token": before})
    after = csrf_token_in(browser.get("/dashboard/keys").text)
    assert after != before
    assert browser.client.post("/dashboard/keys", data={"scopes": "voice-widget:read", "csrf_token": before}).status_code == 400
