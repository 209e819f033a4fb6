"""Signing in and out, the session cookie, the login rate limit, headers and error pages."""

import pytest

from aurion.extensions import db
from tests.support.dashboard import PASSWORD, Dashboard, csrf_token_in


def test_pages_send_signed_out_visitors_to_sign_in(client, acme):
    response = client.get("/dashboard/inbox?status=closed")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/login?next=/dashboard/inbox?status%3Dclosed"


def test_sign_in_opens_the_page_asked_for(app, acme):
    browser = Dashboard(app.test_client())
    login = browser.get("/dashboard/login?next=/dashboard/keys")
    response = browser.client.post(
        "/dashboard/login?next=/dashboard/keys",
        data={"email": "ADA@acme.test ", "password": PASSWORD, "csrf_token": csrf_token_in(login.text)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/keys"
    assert "ada<span class=\"visually-hidden\"> (your profile)" in browser.get("/dashboard/keys").text


@pytest.mark.parametrize("target", ["https://evil.test/", "//evil.test/x", "/api/v1/voice-widget/config", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_the_dashboard(app, acme, target):
    browser = Dashboard(app.test_client())
    token = csrf_token_in(browser.get("/dashboard/login").text)
    response = browser.client.post(
        "/dashboard/login", query_string={"next": target}, data={"email": "ada@acme.test", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/dashboard/inbox"


@pytest.mark.parametrize(("email", "password"), [("ada@acme.test", "wrong password!"), ("nobody@acme.test", PASSWORD)])
def test_wrong_credentials_are_refused_alike(app, acme, email, password):
    browser = Dashboard(app.test_client())
    response = browser.sign_in(email, password)
    assert response.status_code == 401
    assert "do not match an admin account" in response.text
    assert browser.get("/dashboard/widgets").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(app, acme):
    browser = Dashboard(app.test_client())
    response = browser.sign_in("ada@acme.test")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("aurion_dashboard=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(make_app, make_tenant):
    from tests.support.dashboard import make_admin

    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        tenant, _, _ = make_tenant("secure-co")
        make_admin(tenant, "sec@secure.test")
        response = Dashboard(app.test_client()).sign_in("sec@secure.test")
    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_out_ends_the_session(dashboard):
    assert dashboard.get("/dashboard/widgets").status_code == 200
    assert dashboard.post("/dashboard/logout").headers["Location"] == "/dashboard/login"
    assert dashboard.get("/dashboard/widgets").status_code == 302


def test_a_new_password_signs_out_other_browsers(dashboard, acme):
    from werkzeug.security import generate_password_hash

    acme[2].password_hash = generate_password_hash("another long password", method="scrypt")
    db.session.commit()
    assert dashboard.get("/dashboard/widgets").status_code == 302


def test_login_is_rate_limited_per_ip_and_email_with_a_429_page(make_app, make_tenant):
    from tests.support.dashboard import make_admin

    app = make_app(AURION_LIMIT_LOGIN="3/minute")
    with app.app_context():
        make_admin(make_tenant("limited")[0], "lim@limited.test")
        browser = Dashboard(app.test_client())
        statuses = [browser.sign_in("lim@limited.test", "wrong password!").status_code for _ in range(4)]
        other_email = browser.sign_in("someone@limited.test", "wrong password!").status_code
    assert statuses == [401, 401, 401, 429]
    assert other_email == 401


def test_the_429_is_a_page_with_retry_after(make_app, make_tenant):
    app = make_app(AURION_LIMIT_LOGIN="1/minute")
    with app.app_context():
        browser = Dashboard(app.test_client())
        browser.sign_in("x@limited.test", "wrong password!")
        response = browser.sign_in("x@limited.test", "wrong password!")
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many requests" in response.text


def test_a_limit_that_does_not_parse_stops_the_app(make_app):
    with pytest.raises(RuntimeError, match="AURION_LIMIT_LOGIN"):
        make_app(AURION_LIMIT_LOGIN="ten a minute")


@pytest.mark.parametrize("path", ["/dashboard/login", "/dashboard/widgets", "/dashboard/no-such-page"])
def test_dashboard_pages_carry_security_headers(dashboard, path):
    response = dashboard.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_dashboard_errors_are_pages_and_api_errors_stay_problem_json(dashboard):
    page = dashboard.get("/dashboard/widgets/wgt_nope")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "No widget" in page.text and "<h1>404" in page.text
    api = dashboard.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_pages_have_no_inline_script_or_style(dashboard, acme):
    for path in ("/dashboard/widgets", f"/dashboard/widgets/{acme[1].public_id}", "/dashboard/keys", "/dashboard/inbox"):
        html = dashboard.get(path).text
        assert "<script>" not in html and "style=" not in html and "<style" not in html
        assert 'href="#main"' in html and 'id="main"' in html  # skip link
