"""Who a visitor is: the site's email token, and the session bearer token we issue.

The email token is computable in a few lines of any language, with no library:

    payload = base64url_nopad(JSON {"wid": widget_id, "email": email, "exp": unix_seconds})
    token   = payload + "." + base64url_nopad(HMAC_SHA256(identity_secret, payload))

The bearer token is a JWT (HS256, signed with SECRET_KEY) naming the session, the
widget's public id and the visitor; it is checked against the database on every use,
so a regenerated widget key or a deleted session ends it at once.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

from aurion.problems import Problem
from aurion.schemas.fields import EMAIL_MAX_LENGTH, clean_email
from aurion.schemas.sessions import EMAIL_TOKEN_MAX_LENGTH

# A token valid for longer than this is refused: the site should mint them per page view.
EMAIL_TOKEN_MAX_LIFETIME = timedelta(days=7)
# Tolerated clock difference between the site's backend and us.
CLOCK_SKEW_SECONDS = 60
SESSION_LIFETIME = timedelta(hours=24)
# How long an anonymous visitor can come back to their conversation.
VISITOR_TOKEN_LIFETIME = timedelta(days=30)
_JWT_ALGORITHM = "HS256"
_JWT_AUDIENCE = "aurion-widget"
_VISITOR_AUDIENCE = "aurion-visitor"


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(identity_secret: str, payload: str) -> str:
    digest = hmac.new(identity_secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest()
    return _b64encode(digest)


def mint_email_token(widget_id: str, identity_secret: str, email: str, ttl_seconds: int = 3600) -> str:
    """An email token for `email` on widget `widget_id`, valid for `ttl_seconds`."""
    claims = {"wid": widget_id, "email": email, "exp": int(time.time()) + ttl_seconds}
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_signature(identity_secret, payload)}"


def _identity_problem(detail: str, code: str = "invalid_email_token") -> Problem:
    return Problem(401, code, detail)


@dataclass(frozen=True)
class EmailClaims:
    widget_id: str
    email: str
    expires_at: int


def read_email_token(token: object) -> EmailClaims:
    """The token's claims, UNVERIFIED: use them only to find the widget whose secret verifies it."""
    if not isinstance(token, str) or not token or len(token) > EMAIL_TOKEN_MAX_LENGTH or token.count(".") != 1:
        raise _identity_problem("The email token is malformed: expected <payload>.<signature> in base64url.")
    payload, _ = token.split(".")
    try:
        claims = json.loads(_b64decode(payload))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _identity_problem("The email token's payload is not base64url-encoded JSON.") from None
    if not isinstance(claims, dict):
        raise _identity_problem("The email token's payload must be a JSON object.")
    wid, email, exp = claims.get("wid"), claims.get("email"), claims.get("exp")
    if not isinstance(wid, str) or not isinstance(email, str):
        raise _identity_problem('The email token must carry "wid" (the widget id) and "email".')
    address = clean_email(email)
    if address is None:
        raise _identity_problem(
            f'The email token\'s "email" must be an email address of at most {EMAIL_MAX_LENGTH} characters.',
            "email_token_email",
        )
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise _identity_problem('The email token must carry "exp" as integer Unix seconds.')
    return EmailClaims(wid, address, exp)


def verify_email_token(token: str, widget_id: str, identity_secret: str) -> EmailClaims:
    """The verified claims of `token` for this widget, or a 401 problem saying what is wrong."""
    claims = read_email_token(token)
    payload, signature = token.split(".")
    # The widget is checked first: "another widget" tells the integrator more than "bad signature".
    if claims.widget_id != widget_id:
        raise _identity_problem("The email token was minted for another widget.", "email_token_wrong_widget")
    if not hmac.compare_digest(_signature(identity_secret, payload).encode(), signature.encode()):
        raise _identity_problem(
            "The email token's signature does not match: sign it with this widget's current identity secret.",
            "email_token_signature",
        )
    now = time.time()
    if claims.expires_at + CLOCK_SKEW_SECONDS < now:
        raise _identity_problem("The email token has expired; mint a fresh one for each page view.", "email_token_expired")
    if claims.expires_at - now > EMAIL_TOKEN_MAX_LIFETIME.total_seconds():
        raise _identity_problem("The email token's exp is more than 7 days ahead; use a short lifetime.", "email_token_lifetime")
    return claims


@dataclass(frozen=True)
class SessionClaims:
    session_id: str
    widget_id: str
    visitor_id: str
    expires_at: datetime


def issue_session_token(secret_key: str, session_id: str, widget_id: str, visitor_id: str, expires_at: datetime) -> str:
    """The bearer JWT for a widget session."""
    claims = {
        "sid": session_id,
        "wid": widget_id,
        "sub": visitor_id,
        "aud": _JWT_AUDIENCE,
        "iat": int(time.time()),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, secret_key, algorithm=_JWT_ALGORITHM)


def read_session_token(secret_key: str, token: str | None) -> SessionClaims:
    """The claims of a valid, unexpired bearer token, or a 401 problem."""
    if not token:
        raise Problem(401, "session_token_missing", "Send the session token as Authorization: Bearer <token>.")
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[_JWT_ALGORITHM],
            audience=_JWT_AUDIENCE,
            options={"require": ["sid", "wid", "sub", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise Problem(401, "session_expired", "The session has expired; create a new one.") from None
    except jwt.InvalidTokenError:
        raise Problem(401, "session_token_invalid", "The session token is not valid.") from None
    return SessionClaims(
        claims["sid"], claims["wid"], claims["sub"], datetime.fromtimestamp(claims["exp"], tz=timezone.utc)
    )


def issue_visitor_token(secret_key: str, widget_id: str, visitor_id: str) -> str:
    """A long-lived JWT an anonymous visitor's browser keeps to resume their conversation."""
    claims = {
        "wid": widget_id,
        "sub": visitor_id,
        "aud": _VISITOR_AUDIENCE,
        "iat": int(time.time()),
        "exp": int(time.time() + VISITOR_TOKEN_LIFETIME.total_seconds()),
    }
    return jwt.encode(claims, secret_key, algorithm=_JWT_ALGORITHM)


def read_visitor_token(secret_key: str, token: object, widget_id: str) -> str:
    """The anonymous visitor's public id in a valid `visitor_token` for this widget, or a 401 problem."""
    if not isinstance(token, str) or not token:
        raise Problem(401, "visitor_token_invalid", "visitor_token must be the string a previous session returned.")
    try:
        claims = jwt.decode(
            token, secret_key, algorithms=[_JWT_ALGORITHM], audience=_VISITOR_AUDIENCE, options={"require": ["wid", "sub", "exp"]}
        )
    except jwt.ExpiredSignatureError:
        raise Problem(401, "visitor_token_expired", "The visitor token has expired; start without it.") from None
    except jwt.InvalidTokenError:
        raise Problem(401, "visitor_token_invalid", "The visitor token is not valid; start without it.") from None
    if claims["wid"] != widget_id:
        raise Problem(401, "visitor_token_invalid", "The visitor token belongs to another widget (or its key was regenerated).")
    return claims["sub"]
