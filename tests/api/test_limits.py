"""The guide's rate limits: each one's 429, its keys, and one budget across processes on Redis."""

import io
import json
import time
import urllib.error
import urllib.request

import pytest

from aurion import create_app
from aurion.config import Config
from tests.support.attachments import tiny_png
from tests.support.live_server import gunicorn_server
from tests.support.scratch import scratch_key_prefix
from tests.support.visitors import MESSAGES_URL, SESSION_URL, UPLOADS_URL, bearer, email_token, start_session


def _assert_rate_limited(response, limit: int):
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "rate_limited"
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_defaults_are_the_guides():
    assert (Config.AURION_LIMIT_SESSION, Config.AURION_LIMIT_MESSAGE, Config.AURION_LIMIT_UPLOAD) == (
        "5/minute",
        "60/minute",
        "30/minute",
    )


def test_sixth_session_in_a_minute_is_refused_per_ip_and_widget(client, widget, make_tenant):
    for _ in range(5):
        start_session(client, widget)
    response = client.post(SESSION_URL, json={"email_token": email_token(widget)})
    _assert_rate_limited(response, 5)
    other_widget = make_tenant("globex")[1]
    start_session(client, other_widget)
    elsewhere = client.post(
        SESSION_URL, json={"email_token": email_token(widget)}, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert elsewhere.status_code == 201


def test_padding_or_recasing_the_widget_id_opens_no_new_bucket(client, widget):
    for spaces in range(5):
        padded = " " * spaces + widget.public_id + " " * spaces
        response = client.post(SESSION_URL, json={"email_token": email_token(widget), "widget_id": padded})
        assert response.status_code == 201, response.get_json()
    recased = client.post(SESSION_URL, json={"email_token": email_token(widget), "widget_id": " " + widget.public_id.upper()})
    _assert_rate_limited(recased, 5)


def test_one_ip_is_capped_across_widgets(make_app):
    from aurion.services.tenants import create_tenant

    app = make_app(AURION_LIMIT_SESSION_PER_IP="3/minute")
    with app.app_context():
        widgets = [create_tenant(name).widgets[0] for name in ("acme", "globex", "initech", "umbrella")]
        client = app.test_client()
        for widget in widgets[:3]:
            start_session(client, widget)
        _assert_rate_limited(client.post(SESSION_URL, json={"email_token": email_token(widgets[3])}), 3)
        # Made-up widget ids count too: they cannot be used to spread the attempts.
        _assert_rate_limited(client.post(SESSION_URL, json={"widget_id": "wgt_made_up"}), 3)
        other_ip = client.post(SESSION_URL, json={"email_token": email_token(widgets[3])}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
        assert other_ip.status_code == 201


def test_sixty_first_message_in_a_minute_is_refused_per_session(client, widget):
    session = start_session(client, widget)
    for index in range(60):
        assert client.post(MESSAGES_URL, json={"content": f"m{index}"}, headers=bearer(session)).status_code == 201
    _assert_rate_limited(client.post(MESSAGES_URL, json={"content": "one more"}, headers=bearer(session)), 60)
    other = start_session(client, widget, "other@example.com")
    assert client.post(MESSAGES_URL, json={"content": "hi"}, headers=bearer(other)).status_code == 201


def test_thirty_first_upload_in_a_minute_is_refused_per_session(client, widget):
    session = start_session(client, widget)

    def upload(who):
        return client.post(UPLOADS_URL, data={"file": (io.BytesIO(tiny_png()), "a.png")}, headers=bearer(who))

    for _ in range(30):
        assert upload(session).status_code == 201
    _assert_rate_limited(upload(session), 30)
    assert upload(start_session(client, widget, "other@example.com")).status_code == 201


def test_limits_are_configurable(make_app):
    from aurion.services.tenants import create_tenant

    app = make_app(AURION_LIMIT_SESSION="2/minute")
    with app.app_context():
        widget = create_tenant("acme").widgets[0]
        client = app.test_client()
        start_session(client, widget)
        start_session(client, widget)
        _assert_rate_limited(client.post(SESSION_URL, json={"email_token": email_token(widget)}), 2)


@pytest.mark.parametrize(
    "setting", ["AURION_LIMIT_SESSION", "AURION_LIMIT_SESSION_PER_IP", "AURION_LIMIT_MESSAGE", "AURION_LIMIT_UPLOAD"]
)
def test_a_limit_that_does_not_parse_stops_the_app(setting):
    with pytest.raises(RuntimeError, match=setting):
        create_app({"SECRET_KEY": "x" * 32, setting: "five a minute"})


@pytest.fixture
def redis_key_prefix(redis_url):
    """A key prefix of this run alone; its keys are deleted afterwards."""
    with scratch_key_prefix(redis_url, "aurion-test") as prefix:
        yield prefix


def _post_session(base_url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        base_url + SESSION_URL,
        data=json.dumps({"email_token": token}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers)


@pytest.mark.redis
def test_two_processes_share_one_budget_on_redis(widget, database_url, instance_path, redis_url, redis_key_prefix):
    shared = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": redis_key_prefix}
    token = email_token(widget)
    with gunicorn_server(database_url, instance_path, **shared) as first, gunicorn_server(database_url, instance_path, **shared) as second:
        statuses = [_post_session(base_url, token)[0] for base_url in (first, second, first, second, first)]
        assert statuses == [201] * 5
        status, headers = _post_session(second, token)
        assert status == 429
        assert int(headers["Retry-After"]) > 0
        assert _post_session(first, token)[0] == 429


@pytest.mark.redis
def test_on_redis_the_headers_come_from_the_count_itself(make_app):
    """The limiter reads no counter back to write a response's X-RateLimit headers
    (aurion.engines.limit_counters): no GET, no TTL, yet the headers tell the truth."""
    import redis

    from aurion.services.tenants import create_tenant
    from tests.support.redis_server import private_redis

    with private_redis() as server:
        app = make_app(RATELIMIT_STORAGE_URI=server.url, AURION_LIMIT_SESSION="3/minute", AURION_LIMIT_SESSION_PER_IP="3/minute")
        with app.app_context():
            widget = create_tenant("acme").widgets[0]
            client = app.test_client()
            headers = [client.post(SESSION_URL, json={"email_token": email_token(widget)}).headers for _ in range(3)]
            assert [h["X-RateLimit-Remaining"] for h in headers] == ["2", "1", "0"]
            assert all(0 < int(h["X-RateLimit-Reset"]) - time.time() <= 61 for h in headers)
            _assert_rate_limited(client.post(SESSION_URL, json={"email_token": email_token(widget)}), 3)
        stats = redis.Redis.from_url(server.url).info("commandstats")
    # Redis counts the commands a script runs too: every TTL was one inside an increment.
    assert "cmdstat_get" not in stats, sorted(stats)
    assert stats["cmdstat_ttl"]["calls"] <= stats["cmdstat_evalsha"]["calls"], (stats["cmdstat_ttl"], stats["cmdstat_evalsha"])
