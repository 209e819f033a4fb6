"""Driving the dashboard: with Flask's test client (signing in, posting forms with their CSRF token) or in a browser."""

import re

from aurion.services.tenants import create_admin

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_in(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class Dashboard:
    """A browser session of one admin: `get`, and `post` that sends the page's CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def sign_in(self, email: str, password: str = PASSWORD):
        login = self.client.get("/dashboard/login")
        response = self.client.post(
            "/dashboard/login", data={"email": email, "password": password, "csrf_token": csrf_token_in(login.text)}
        )
        # Signing in starts a new session, with a new token.
        self.token = None
        return response

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        if self.token is None:
            self.token = csrf_token_in(self.client.get("/dashboard/keys").text)
        return self.client.post(path, data={**(data or {}), "csrf_token": self.token}, **kwargs)


def make_admin(tenant, email: str = "ada@acme.test"):
    return create_admin(tenant, email, PASSWORD)


def sign_in(page, email: str) -> None:
    """Sign in through the form, as an admin would."""
    page.goto("/dashboard/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/inbox")
