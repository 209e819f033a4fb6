"""Limits on Redis, and Redis goes away: writes go on (fail-open), never a 500.

Decision (README, docs/sessions.md): with `RATELIMIT_STORAGE_URI` on Redis and Redis
unreachable, every limit is counted in memory by each worker (Flask-Limiter's in-memory
fallback) until Redis answers again; visitors are never refused because the limit store
is away, and the limits still hold, per worker. An operator who prefers refusing
(`RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=0`) gets 503 with Retry-After. Each test runs its
own redis-server on a private port and kills it.
"""

import json
import urllib.error
import urllib.request

import pytest

from aurion.extensions import limiter
from tests.support.live_server import gunicorn_server
from tests.support.redis_server import private_redis
from tests.support.sockets import frames_until, send, widget_socket
from tests.support.visitors import (
    MESSAGES_URL,
    SESSION_URL,
    bearer,
    email_token,
    start_session,
    start_session_over_http,
)


@pytest.fixture
def limits_redis():
    with private_redis() as server:
        yield server
    # The extension is shared by every app of the test run: the next one starts on its own storage.
    limiter._storage_dead = False


@pytest.fixture
def app(make_app, limits_redis):
    app = make_app(RATELIMIT_STORAGE_URI=limits_redis.url, AURION_LIMIT_SESSION="3/minute")
    with app.app_context():
        yield app


def test_sessions_and_messages_go_on_while_redis_is_down_and_limits_hold_in_memory(client, make_tenant, limits_redis):
    widget = make_tenant("acme")[1]
    session = start_session(client, widget)
    assert client.post(MESSAGES_URL, json={"content": "before"}, headers=bearer(session)).status_code == 201
    limits_redis.stop()

    message = client.post(MESSAGES_URL, json={"content": "while Redis is down"}, headers=bearer(session))
    assert message.status_code == 201, message.get_data(as_text=True)
    answers = [client.post(SESSION_URL, json={"email_token": email_token(widget)}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
    assert answers[-1].mimetype == "application/problem+json" and int(answers[-1].headers["Retry-After"]) > 0


def test_socket_messages_draw_on_the_budget_in_memory_while_redis_is_down(
    app, make_tenant, database_url, instance_path, limits_redis
):
    widget = make_tenant("acme")[1]
    settings = {"RATELIMIT_STORAGE_URI": limits_redis.url, "AURION_LIMIT_MESSAGE": "2/minute"}
    with gunicorn_server(database_url, instance_path, **settings) as base_url:
        session = start_session_over_http(base_url, widget)
        with widget_socket(base_url, session["token"]) as ws:
            limits_redis.stop()
            send(ws, {"type": "message", "content": "first, while Redis is down"})
            stored = frames_until(ws, lambda frame: frame["type"] in ("message", "error"))[-1]
            assert stored["type"] == "message" and stored["sender"] == "user", stored
            send(ws, {"type": "message", "content": "second"})
            assert frames_until(ws, lambda frame: frame["type"] == "message" and frame["sender"] == "user")
            send(ws, {"type": "message", "content": "third, over the budget"})
            refused = frames_until(ws, lambda frame: frame["type"] == "error")[-1]
            assert refused["code"] == "rate_limited"


def test_without_the_fallback_writes_are_a_503_with_retry_after(app, make_tenant, database_url, instance_path, limits_redis):
    widget = make_tenant("acme")[1]
    settings = {"RATELIMIT_STORAGE_URI": limits_redis.url, "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": "0"}
    with gunicorn_server(database_url, instance_path, **settings) as base_url:
        session = start_session_over_http(base_url, widget)
        limits_redis.stop()
        for path, body, headers in (
            (SESSION_URL, {"email_token": email_token(widget)}, {}),
            (MESSAGES_URL, {"content": "hello"}, bearer(session)),
        ):
            request = urllib.request.Request(
                base_url + path, json.dumps(body).encode(), {"Content-Type": "application/json", **headers}
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            with refused.value as response:
                assert response.status == 503 and response.headers["Content-Type"] == "application/problem+json"
                assert int(response.headers["Retry-After"]) > 0
                assert json.loads(response.read())["code"] == "limits_unavailable"
