"""How the app is served: behind trusted proxies (ProxyFix), and not at all without its database."""

import logging
import os
import subprocess
import sys
import time

import pytest

from aurion import create_app
from aurion.config import TestConfig
from aurion.engines.health import DatabaseUnreachable
from tests.support import ROOT
from tests.support.live_server import LIVE_SECRET_KEY, free_port, gunicorn_server
from tests.support.sockets import frames_until, send, widget_socket
from tests.support.visitors import SESSION_URL, email_token, start_session_over_http


def _new_session(client, widget, forwarded_for: str):
    return client.post(SESSION_URL, json={"email_token": email_token(widget)}, headers={"X-Forwarded-For": forwarded_for})


def test_behind_a_trusted_proxy_each_client_has_its_own_address(make_app, caplog):
    from aurion.services.tenants import create_tenant

    caplog.set_level(logging.INFO)
    app = make_app(AURION_TRUSTED_PROXIES=1, AURION_LIMIT_SESSION="2/minute")
    with app.app_context():
        widget = create_tenant("acme").widgets[0]
        client = app.test_client()  # connects from 127.0.0.1: the proxy
        assert _new_session(client, widget, "198.51.100.1").status_code == 201
        assert _new_session(client, widget, "198.51.100.1").status_code == 201
        assert _new_session(client, widget, "198.51.100.1").status_code == 429
        assert _new_session(client, widget, "198.51.100.2").status_code == 201
        # Only the last hop, the one our proxy added, is believed: a forged first hop changes nothing.
        assert _new_session(client, widget, "203.0.113.66, 198.51.100.1").status_code == 429
    addresses = [record.http["remote_addr"] for record in caplog.records if record.name == "aurion.access"]
    assert addresses[-2:] == ["198.51.100.2", "198.51.100.1"]


def test_without_trusted_proxies_forwarded_addresses_are_ignored(make_app):
    from aurion.services.tenants import create_tenant

    app = make_app(AURION_LIMIT_SESSION="2/minute")
    with app.app_context():
        widget = create_tenant("acme").widgets[0]
        client = app.test_client()
        assert _new_session(client, widget, "198.51.100.1").status_code == 201
        assert _new_session(client, widget, "198.51.100.2").status_code == 201
        assert _new_session(client, widget, "198.51.100.3").status_code == 429


def _unreachable_database_url() -> str:
    return f"postgresql://aurion:hunter2@127.0.0.1:{free_port()}/aurion"


def test_the_app_does_not_start_without_its_database(tmp_path, monkeypatch):
    monkeypatch.setenv("AURION_INSTANCE_PATH", str(tmp_path))
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    with pytest.raises(DatabaseUnreachable, match="Cannot reach the database") as raised:
        create_app({**settings, "SQLALCHEMY_DATABASE_URI": _unreachable_database_url(), "AURION_REQUIRE_DATABASE": True})
    assert "DATABASE_URL" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_gunicorn_stops_with_a_clear_message_without_its_database(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": _unreachable_database_url(),
        "AURION_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": LIVE_SECRET_KEY,
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    finished = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert "Cannot reach the database (postgresql://aurion:***@127.0.0.1" in finished.stderr
    assert "hunter2" not in finished.stderr


def test_a_live_server_keeps_answering_after_its_log_outgrows_a_pipe(app, database_url, instance_path):
    """The suite's and the benches' gunicorn logs a line per request; once more than a pipe
    holds (64 KB) was written, a server whose log nobody read stopped answering at all."""
    import urllib.error
    import urllib.request

    with gunicorn_server(database_url, instance_path) as base_url:
        for _ in range(20):  # each access line carries its 4 KB path: 80 KB of log
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(base_url + "/missing/" + "x" * 3900, timeout=5)
            missing.value.close()
            assert missing.value.code == 404
        with urllib.request.urlopen(base_url + "/healthz", timeout=5) as response:
            assert response.status == 200


def test_a_stopping_server_closes_its_sockets_at_once_so_widgets_reconnect(app, widget, database_url, instance_path):
    """SIGTERM (a restart, a deploy): open sockets never end by themselves, so without ending
    them gunicorn held the worker for its whole graceful timeout (20 s; the suite's helper
    kills it after 10) and the widgets reconnected only then. Now each closes with 1012 at once."""
    server = gunicorn_server(database_url, instance_path)
    base_url = server.__enter__()
    try:
        session = start_session_over_http(base_url, widget)
        with widget_socket(base_url, session["token"]) as socket:
            send(socket, {"type": "ping"})
            frames_until(socket, lambda frame: frame["type"] == "pong")
            started = time.monotonic()
            server.__exit__(None, None, None)  # SIGTERM, then wait for gunicorn to exit
            server = None
            assert time.monotonic() - started < 5
            assert not socket.connected and socket.close_reason == 1012
    finally:
        if server is not None:
            server.__exit__(None, None, None)
