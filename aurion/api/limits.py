"""The guide's rate limits: their configured values and what each is keyed by.

Session creation is keyed by client IP and the widget the request names (normalised),
and capped per client IP across all widgets (`AURION_LIMIT_SESSION_PER_IP`); sending
messages and uploading by the session. Limits live in the limiter's storage
(`RATELIMIT_STORAGE_URI`), so with Redis they hold across workers and hosts.
"""

from collections.abc import Callable

from flask import Flask, current_app
from flask_limiter.util import get_remote_address
from limits import parse_many

from aurion.api.requests import bearer_token, json_body
from aurion.engines.rate_budget import session_bucket
from aurion.problems import Problem
from aurion.services.identity import read_session_token
from aurion.services.sessions import claimed_widget_id

LIMIT_SETTINGS = (
    "AURION_LIMIT_SESSION",
    "AURION_LIMIT_SESSION_PER_IP",
    "AURION_LIMIT_MESSAGE",
    "AURION_LIMIT_UPLOAD",
    "AURION_LIMIT_LOGIN",
)


def configured(setting: str) -> Callable[[], str]:
    """The limit string in `setting`, read per request so each app's config applies."""
    return lambda: current_app.config[setting]


def client_and_widget() -> str:
    """Session creation: the client's IP and the widget the body names (unverified, only a bucket name)."""
    try:
        payload = json_body()
    except Problem:
        payload = None
    return f"session:{get_remote_address()}:{claimed_widget_id(payload)}"


def client_ip() -> str:
    """Session creation across every widget: the client's IP alone, so made-up widget ids gain nothing."""
    return "sessions-ip:" + get_remote_address()


def visitor_session() -> str:
    """Messages and uploads: the session of a validly signed bearer token, else the client's IP."""
    try:
        return session_bucket(read_session_token(current_app.config["SECRET_KEY"], bearer_token()).session_id)
    except Problem:
        return "ip:" + get_remote_address()


def init_app(app: Flask) -> None:
    """Refuse to start with a limit that does not parse: Flask-Limiter would ignore it silently."""
    for setting in LIMIT_SETTINGS:
        try:
            parse_many(app.config[setting])
        except ValueError as exc:
            raise RuntimeError(f"{setting}={app.config[setting]!r} is not a rate limit like '5/minute': {exc}") from exc
