"""CSRF protection for the dashboard's forms: one random token per signed-in browser session.

Every form carries the token in a hidden `csrf_token` field (scripts may send it in
an `X-CSRF-Token` header instead); every state-changing request to the dashboard must
present it. A page of another site can make the browser send our cookie, but cannot
read our pages, so it cannot know the token. The token lives in the signed session
cookie and is compared in constant time.
"""

import hmac
import secrets

from flask import request, session

from aurion.problems import Problem

SESSION_KEY = "csrf_token"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token() -> str:
    """This browser session's token, created on first use (templates call it for each form)."""
    token = session.get(SESSION_KEY)
    if not token:
        token = session[SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def token_matches(expected: str | None, presented: str | None) -> bool:
    """Whether `presented` is the session's token; False when either is missing."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))


def protect() -> None:
    """Refuse (400) a state-changing request that does not carry the session's token."""
    if request.method in SAFE_METHODS:
        return
    presented = request.form.get(FORM_FIELD) or request.headers.get(HEADER)
    if not token_matches(session.get(SESSION_KEY), presented):
        raise Problem(
            400,
            "csrf_failed",
            "This form has expired or was sent from another site. Go back, reload the page and try again.",
        )
