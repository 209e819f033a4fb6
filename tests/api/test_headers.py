"""Transport headers: JSON neither sniffed nor cached, the widget's script cacheable, HSTS behind HTTPS."""

import pytest

from tests.support.visitors import SESSION_URL, email_token

SCRIPT_URL = "/api/v1/voice-widget/embed/aurion.js"


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/voice-widget/config", "/api/v1/nothing-here", "/readyz"])
def test_json_responses_are_not_sniffed_or_stored(client, path):
    response = client.get(path)
    assert response.is_json
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_session_token_is_never_stored_by_a_cache(client, widget):
    response = client.post(SESSION_URL, json={"email_token": email_token(widget)})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_widget_script_stays_cacheable(client, widget):
    response = client.get(SCRIPT_URL)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/openapi.json", "/dashboard/login"])
def test_hsts_on_every_response_when_cookies_are_secure(make_app, path):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
