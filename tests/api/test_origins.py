"""The domain allowlist and CORS on the widget session API."""

import pytest

from tests.support.visitors import HISTORY_URL, SESSION_URL, bearer, email_token, start_session


@pytest.fixture
def widget(make_tenant):
    return make_tenant("acme", allowed_domains=["example.com", "*.shop.test"])[1]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://example.com", True),
        ("http://example.com:8080", True),
        ("https://eu.shop.test", True),
        ("https://a.b.shop.test", True),
        ("https://shop.test", False),
        ("https://www.example.com", False),
        ("https://example.com.evil.test", False),
        ("https://evilexample.com", False),
        ("null", False),
        ("file://", False),
    ],
)
def test_origin_matrix_on_session_and_bearer_calls(client, widget, origin, allowed):
    session = start_session(client, widget)
    responses = [
        client.post(SESSION_URL, json={"email_token": email_token(widget)}, headers={"Origin": origin}),
        client.get(HISTORY_URL, headers={**bearer(session), "Origin": origin}),
    ]
    for response in responses:
        if allowed:
            assert response.status_code in (200, 201)
            assert response.headers["Access-Control-Allow-Origin"] == origin
            assert "Origin" in response.headers["Vary"]
        else:
            assert response.status_code == 403
            assert response.get_json()["code"] == "origin_not_allowed"
            assert "Access-Control-Allow-Origin" not in response.headers


def test_no_origin_is_a_server_judged_by_its_credentials(client, widget):
    response = client.post(SESSION_URL, json={"email_token": email_token(widget)})
    assert response.status_code == 201
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(("origin", "status"), [("https://example.com", 204), ("https://evilexample.com", 403), ("null", 403)])
def test_preflight(client, widget, origin, status):
    response = client.options(
        f"{SESSION_URL}?widget_id={widget.public_id}",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code == status
    if status == 204:
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    else:
        assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_without_a_widget_is_refused(client, widget):
    response = client.options(HISTORY_URL, headers={"Origin": "https://example.com", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 403


def test_an_allowed_page_can_read_why_its_call_failed(client, widget):
    """A 401 is readable by a page the named widget allows, so the widget can start a new session."""
    headers = {"Authorization": "Bearer expired.or.bad", "Origin": "https://example.com"}
    readable = client.get(f"{HISTORY_URL}?widget_id={widget.public_id}", headers=headers)
    assert readable.status_code == 401
    assert readable.headers["Access-Control-Allow-Origin"] == "https://example.com"
    hidden = client.get(f"{HISTORY_URL}?widget_id={widget.public_id}", headers={**headers, "Origin": "https://evilexample.com"})
    assert hidden.status_code == 401
    assert "Access-Control-Allow-Origin" not in hidden.headers
