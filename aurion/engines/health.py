"""Whether this process can serve: its database, its Redis servers, the widget's bundle.

`GET /readyz` reports these checks (a load balancer stops sending visitors to a host
that is not ready), and `require_database` stops the app at start when its database
cannot be reached, instead of answering 500 to every request.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from aurion.extensions import db

# A readiness probe must answer well within a load balancer's timeout.
REDIS_TIMEOUT_SECONDS = 1.0
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
BUNDLE = "aurion.js"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict:
        return asdict(self)


class DatabaseUnreachable(RuntimeError):
    """The app's database does not answer at start."""


def _first_line(error: Exception) -> str:
    return (f"{type(error).__name__}: {error}".splitlines() or [type(error).__name__])[0]


def _database_url(app: Flask) -> str:
    """The database URL with its password hidden, fit for logs and messages."""
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)


def database_check(app: Flask) -> Check:
    """Whether a connection to the database answers `SELECT 1`."""
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any driver error means: not reachable, and why
        return Check("database", False, f"{_database_url(app)}: {_first_line(exc)}")
    return Check("database", True, _database_url(app).split("://", 1)[0])


def require_database(app: Flask) -> None:
    """Stop here, with a message an operator can act on, when the database cannot be reached."""
    with app.app_context():
        check = database_check(app)
        db.engine.dispose()  # gunicorn forks no connection; each worker opens its own
    if not check.ok:
        raise DatabaseUnreachable(f"Cannot reach the database ({check.detail}). Check DATABASE_URL and that the server is up.")


def redis_check(name: str, url: str) -> Check:
    """Whether the Redis at `url` answers PING in time."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return Check(name, False, _first_line(exc))
    finally:
        client.close()
    return Check(name, True, "answers PING")


def bundle_check(app: Flask) -> Check:
    """Whether the widget's script is built (`make widget`); without it no site can embed the widget."""
    path = Path(app.static_folder) / BUNDLE
    if path.is_file():
        return Check("widget_bundle", True, BUNDLE)
    return Check("widget_bundle", False, f"{path} is missing: run `make widget` (or install the wheel, which ships it)")


def readiness_checks(app: Flask) -> list[Check]:
    """Every check `GET /readyz` reports: the database, each Redis the app is configured with, the bundle."""
    checks = [database_check(app)]
    for name, setting in (("rate_limit_storage", "RATELIMIT_STORAGE_URI"), ("broker", "AURION_BROKER_URL")):
        url = app.config.get(setting) or ""
        if url.startswith(REDIS_SCHEMES):
            checks.append(redis_check(name, url))
    checks.append(bundle_check(app))
    return checks
