"""`/healthz`, `/readyz` and `/metrics`: what they report, and who may read the metrics."""

import time
import urllib.request

import pytest

from tests.support.live_server import free_port, gunicorn_server
from tests.support.metrics import sample_value
from tests.support.sockets import widget_socket
from tests.support.visitors import (
    MESSAGES_URL,
    SESSION_URL,
    bearer,
    email_token,
    start_session,
    start_session_over_http,
)

OUTSIDER = "203.0.113.7"


def test_healthz_answers_while_the_process_lives(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_with_database_and_bundle(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ready"] is True
    assert [check["name"] for check in body["checks"]] == ["database", "widget_bundle"]
    assert all(check["ok"] for check in body["checks"])


def test_readyz_details_are_for_operators_only(client):
    checks = client.get("/readyz", environ_base={"REMOTE_ADDR": OUTSIDER}).get_json()["checks"]
    assert checks == [{"name": "database", "ok": True}, {"name": "widget_bundle", "ok": True}]
    assert all("detail" in check for check in client.get("/readyz").get_json()["checks"])


def test_readyz_is_503_without_the_widget_bundle(app, client, tmp_path):
    app.static_folder = str(tmp_path)  # a server installed without `make widget`
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ready"] is False
    bundle = next(check for check in body["checks"] if check["name"] == "widget_bundle")
    assert bundle["ok"] is False and "make widget" in bundle["detail"]


def test_readyz_is_503_when_redis_does_not_answer(make_app):
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    app = make_app(RATELIMIT_STORAGE_URI=nobody, AURION_BROKER_URL=nobody)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = {check["name"]: check for check in response.get_json()["checks"]}
    assert checks["rate_limit_storage"]["ok"] is False
    assert checks["broker"]["ok"] is False
    assert checks["database"]["ok"] is True


@pytest.mark.redis
def test_readyz_checks_a_configured_redis(make_app, redis_url):
    app = make_app(AURION_BROKER_URL=redis_url)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert {"name": "broker", "ok": True, "detail": "answers PING"} in response.get_json()["checks"]


def test_readyz_is_503_when_the_database_does_not_answer(make_app):
    make_app()  # the fixture empties the tables through its first app: one whose database answers
    app = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql://aurion:hunter2@127.0.0.1:{free_port()}/aurion")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    database = response.get_json()["checks"][0]
    assert database["name"] == "database" and database["ok"] is False
    assert "hunter2" not in database["detail"]


def test_metrics_from_loopback_count_requests_messages_and_turns(app, client, widget):
    session = start_session(client, widget)
    before = client.get("/metrics").get_data(as_text=True)
    assert client.post(MESSAGES_URL, json={"content": "hello"}, headers=bearer(session)).status_code == 201
    app.extensions["aurion_agent"].drain()
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    after = response.get_data(as_text=True)

    def grew(name, **labels):
        return sample_value(after, name, **labels) - sample_value(before, name, **labels)

    assert grew("aurion_http_requests_total", route="/api/v1/widget/messages", method="POST", status="201") == 1
    assert grew("aurion_http_request_duration_seconds_count", route="/api/v1/widget/messages", method="POST") == 1
    assert grew("aurion_messages_stored_total", sender="user") == 1
    assert grew("aurion_messages_stored_total", sender="agent") == 1
    assert grew("aurion_agent_turn_duration_seconds_count", outcome="answered") == 1
    for family in ("aurion_open_sockets", "aurion_voice_calls_total", "aurion_broker_reconnects_total"):
        assert family in after


def test_a_refused_request_counts_as_a_limit_refusal(make_app):
    from aurion.services.tenants import create_tenant

    app = make_app(AURION_LIMIT_SESSION="1/minute")
    with app.app_context():
        widget = create_tenant("acme").widgets[0]
        client = app.test_client()
        before = sample_value(client.get("/metrics").get_data(as_text=True), "aurion_limit_refusals_total", limit=SESSION_URL)
        start_session(client, widget)
        assert client.post(SESSION_URL, json={"email_token": email_token(widget)}).status_code == 429
        after = client.get("/metrics").get_data(as_text=True)
    assert sample_value(after, "aurion_limit_refusals_total", limit=SESSION_URL) == before + 1
    assert sample_value(after, "aurion_http_requests_total", route=SESSION_URL, method="POST", status="429") >= 1


def test_unknown_paths_share_one_route_label(client):
    client.get("/wp-login.php")
    text = client.get("/metrics").get_data(as_text=True)
    assert sample_value(text, "aurion_http_requests_total", route="<unmatched>", method="GET", status="404") >= 1
    assert "wp-login" not in text


def test_metrics_are_not_served_to_another_address(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": OUTSIDER}).status_code == 404


def test_metrics_are_not_served_through_a_proxy_without_a_token(client):
    # A proxy on the same host connects from loopback, on behalf of anyone.
    assert client.get("/metrics", headers={"X-Forwarded-For": OUTSIDER}).status_code == 404


def test_metrics_judge_the_client_address_proxyfix_found(make_app):
    client = make_app(AURION_TRUSTED_PROXIES=1).test_client()
    assert client.get("/metrics", headers={"X-Forwarded-For": OUTSIDER}).status_code == 404
    # The proxy's own forwarded loopback request is still a forwarded one.
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404


def test_with_a_token_only_its_bearer_reads_the_metrics(make_app):
    client = make_app(AURION_METRICS_TOKEN="scrape-me", AURION_TRUSTED_PROXIES=1).test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    through_proxy = {"Authorization": "Bearer scrape-me", "X-Forwarded-For": OUTSIDER}
    assert client.get("/metrics", headers=through_proxy).status_code == 200
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}, environ_base={"REMOTE_ADDR": OUTSIDER}).status_code == 200


def test_gunicorn_workers_add_up_their_metrics(widget, database_url, instance_path):
    """Two workers, one open socket and several requests: /metrics reports the server's totals."""
    with gunicorn_server(database_url, instance_path, workers=2) as base_url:

        def scrape() -> str:
            with urllib.request.urlopen(base_url + "/metrics", timeout=10) as response:
                return response.read().decode()

        for _ in range(6):
            urllib.request.urlopen(base_url + "/healthz", timeout=10).close()
        # Whichever worker answers a scrape, it reports both workers' requests.
        totals = {sample_value(scrape(), "aurion_http_requests_total", route="/healthz", method="GET", status="200") for _ in range(6)}
        assert totals == {6}

        def open_sockets_become(count: int) -> bool:
            # The server counts a socket from its handler's start to its end, a moment after the client's.
            deadline = time.monotonic() + 10
            while sample_value(scrape(), "aurion_open_sockets", kind="chat") != count:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.1)
            return True

        session = start_session_over_http(base_url, widget)
        with widget_socket(base_url, session["token"]):
            assert open_sockets_become(1)
        assert open_sockets_become(0)


def test_the_broker_counts_each_reconnect_to_redis(make_app, private_redis):
    from aurion.engines.broker import broker

    app = make_app(AURION_BROKER_URL=private_redis.url)
    client = app.test_client()

    def reconnects() -> float:
        return sample_value(client.get("/metrics").get_data(as_text=True), "aurion_broker_reconnects_total")

    with app.app_context():
        assert broker().ready()
        before = reconnects()
        private_redis.restart(down_seconds=0.5)
        deadline = time.monotonic() + 15
        while reconnects() < before + 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        try:
            # The first connection is not a reconnect; the one after the restart is.
            assert reconnects() == before + 1
        finally:
            broker().close()
