"""Fixtures: an app on a real database (SQLite, or PostgreSQL when asked), clients, factories.

`AURION_TEST_DATABASE_URL` picks the database; `make test` runs the suite once on
SQLite and once on PostgreSQL. Its PostgreSQL pass sets `AURION_TEST_DATABASE_ONLY=1`
too, which leaves out the tests that touch no database (see
`pytest_collection_modifyitems`): they ran in the SQLite pass and cannot differ.
"""

import os

import pytest
import sqlalchemy as sa

from aurion import create_app
from aurion.config import TestConfig
from aurion.extensions import db
from aurion.services.api_keys import create_api_key
from aurion.services.tenants import create_tenant
from tests.support.browser import CHROMIUM, HostSite, launch_chromium
from tests.support.live_server import gunicorn_server

REDIS_URL = os.environ.get("AURION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def pytest_collection_modifyitems(config, items):
    """With `AURION_TEST_DATABASE_ONLY=1`, keep only the tests that use the test database (the
    `database_url` fixture, through any other) or PostgreSQL itself (marked `postgres`)."""
    if os.environ.get("AURION_TEST_DATABASE_ONLY") != "1":
        return
    kept, left_out = [], []
    for item in items:
        uses_database = "database_url" in getattr(item, "fixturenames", ()) or item.get_closest_marker("postgres")
        (kept if uses_database else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def _database_reachable(url: str) -> str | None:
    """None if `url` can be connected to, else why not."""
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any driver error means: skip with its reason
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database's URL; its schema is created once per run."""
    url = os.environ.get("AURION_TEST_DATABASE_URL") or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    reason = _database_reachable(url)
    if reason:
        pytest.skip(f"test database {url} is not reachable ({reason})")
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


def _config_dict() -> dict:
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}


@pytest.fixture
def instance_path(tmp_path) -> str:
    path = tmp_path / "instance"
    path.mkdir()
    return str(path)


@pytest.fixture
def make_app(database_url, instance_path, monkeypatch):
    """Build an app with extra settings; every table is emptied after the test."""
    monkeypatch.setenv("AURION_INSTANCE_PATH", instance_path)
    apps = []

    def build(**overrides):
        app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["aurion_agent"].drain()
    for app in apps[:1]:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_tenant(app):
    """`make_tenant(name, scopes=...)` → (tenant, widget, raw API key)."""

    def build(name: str = "acme", scopes=("voice-widget:read", "voice-widget:write"), **widget_settings):
        tenant = create_tenant(name)
        widget = tenant.widgets[0]
        for field, value in widget_settings.items():
            setattr(widget, field, value)
        db.session.commit()
        _, raw_key = create_api_key(tenant, list(scopes))
        return tenant, widget, raw_key

    return build


@pytest.fixture
def widget(make_tenant):
    """Tenant acme's default widget (modules that need other settings override this)."""
    return make_tenant("acme")[1]


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis; tests that need it skip, saying why, when it does not answer."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({exc})")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def live_server(app, database_url, instance_path):
    """A gunicorn server over the test database; yields its base URL."""
    with gunicorn_server(database_url, instance_path) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (never `playwright install`); one per test run,
    since Playwright's sync API allows only one instance at a time."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set AURION_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed: make install-test")
    playwright = sync_playwright().start()
    browser = launch_chromium(playwright.chromium)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def host_site():
    """A site on another origin than the live server (http://localhost:<port>), to embed the widget in."""
    with HostSite() as site:
        yield site
