"""Webhooks: signed deliveries of real events, retries, restarts, several servers, and the SSRF guard.

The receiver (tests/support/webhook_receiver.py) verifies signatures as the issue
describes the scheme, not as Aurion's code computes it.
"""

import time
from datetime import timedelta

import pytest

from aurion.extensions import db
from aurion.models import WebhookDelivery
from aurion.services.conversations import assign, find_conversation
from tests.support.live_server import gunicorn_server
from tests.support.visitors import MESSAGES_URL, bearer, post_json, start_session, start_session_over_http
from tests.support.webhook_receiver import WebhookReceiver

WEBHOOKS_URL = "/api/v1/webhooks"
SCOPES = ("voice-widget:read", "webhooks:write")
FAST_RETRIES = {
    "AURION_WEBHOOKS_DELIVER": True,
    "AURION_WEBHOOKS_ALLOW_PRIVATE": True,
    "AURION_WEBHOOKS_POLL_SECONDS": 0.1,
    "AURION_WEBHOOKS_FIRST_RETRY_SECONDS": 0.2,
}


@pytest.fixture
def loops():
    """Delivery loops to stop before the tables are emptied."""
    started = []
    yield started
    for app in started:
        app.extensions["aurion_webhooks"].stop()


@pytest.fixture
def app(make_app, loops):
    """An app that may call loopback receivers, and retries within a second; its loop is not started."""
    app = make_app(**{**FAST_RETRIES, "AURION_WEBHOOKS_DELIVER": False})
    with app.app_context():
        yield app


def start_delivering(make_app, loops):
    """A second app on the same database (a restarted process) that delivers."""
    app = make_app(**FAST_RETRIES)
    loops.append(app)
    app.extensions["aurion_webhooks"].start()
    return app


@pytest.fixture
def tenant(make_tenant):
    """(widget, API key headers) of a tenant allowed to manage webhooks."""
    _, widget, key = make_tenant("acme", scopes=SCOPES)
    return widget, {"X-API-Key": key}


def add_webhook(client, headers, receiver: WebhookReceiver, events: list[str]) -> dict:
    response = client.post(WEBHOOKS_URL, json={"url": receiver.url, "events": events}, headers=headers)
    assert response.status_code == 201, response.get_json()
    webhook = response.get_json()
    receiver.secret = webhook["secret"]
    return webhook


def test_a_visitor_message_and_a_handoff_arrive_signed(client, tenant, make_app, loops):
    widget, headers = tenant
    with WebhookReceiver() as receiver:
        add_webhook(client, headers, receiver, ["conversation.created", "message.created", "conversation.waiting"])
        start_delivering(make_app, loops)
        session = start_session(client, widget)
        assert client.post(MESSAGES_URL, json={"content": "Where is my parcel?"}, headers=bearer(session)).status_code == 201
        assert client.post(MESSAGES_URL, json={"content": "I want to talk to a person"}, headers=bearer(session)).status_code == 201

        waiting = receiver.wait_for(1, "conversation.waiting")[0]
        created = receiver.wait_for(1, "conversation.created")[0]
        # The two questions and the hand-off notice; the agent's answer to the first may come between.
        messages = [event["data"]["message"] for event in receiver.wait_for(3, "message.created")]
        said = [message["content"] for message in messages if message["sender"] == "user"]

    assert all(request["valid"] for request in receiver.received)
    assert waiting["id"].startswith("evt_") and waiting["created_at"].endswith("Z")
    assert waiting["data"]["conversation"]["id"] == session["conversation_id"]
    assert waiting["data"]["conversation"]["status"] == "waiting"
    assert created["data"]["conversation"]["visitor"]["email"] == "jane@example.com"
    assert said == ["Where is my parcel?", "I want to talk to a person"]


def test_a_wrong_secret_fails_the_receivers_check(client, tenant, make_app, loops):
    widget, headers = tenant
    with WebhookReceiver() as receiver:
        add_webhook(client, headers, receiver, ["conversation.created"])
        receiver.secret = "whsec_not-the-one"
        start_delivering(make_app, loops)
        start_session(client, widget)
        receiver.wait_for(1)
    assert [request["valid"] for request in receiver.received] == [False]


def test_retries_until_the_receiver_accepts(client, tenant, make_app, loops):
    widget, headers = tenant
    with WebhookReceiver(failures=2) as receiver:
        webhook = add_webhook(client, headers, receiver, ["conversation.created"])
        start_delivering(make_app, loops)
        start_session(client, widget)
        attempts = receiver.wait_for(3)
        time.sleep(0.3)  # the outcome is recorded just after the receiver answers

    assert len({event["id"] for event in attempts}) == 1
    assert all(request["valid"] for request in receiver.received)
    deliveries = client.get(f"{WEBHOOKS_URL}/{webhook['id']}/deliveries", headers=headers).get_json()["deliveries"]
    assert [(d["status"], d["attempts"], d["last_response_code"]) for d in deliveries] == [("delivered", 3, 204)]


def test_a_delivery_queued_before_a_restart_is_sent_after_it(client, tenant, make_app, loops):
    widget, headers = tenant
    with WebhookReceiver() as receiver:
        webhook = add_webhook(client, headers, receiver, ["conversation.created"])
        start_session(client, widget)  # queued; this app never delivers
        time.sleep(0.3)
        assert receiver.events() == []
        start_delivering(make_app, loops)
        event = receiver.wait_for(1)[0]
    assert event["type"] == "conversation.created"
    deliveries = client.get(f"{WEBHOOKS_URL}/{webhook['id']}/deliveries", headers=headers).get_json()["deliveries"]
    assert deliveries[0]["event_id"] == event["id"]


def test_resend_sends_the_same_event_again(client, tenant, make_app, loops):
    widget, headers = tenant
    with WebhookReceiver() as receiver:
        webhook = add_webhook(client, headers, receiver, ["conversation.created"])
        start_delivering(make_app, loops)
        start_session(client, widget)
        first = receiver.wait_for(1)[0]
        deliveries_url = f"{WEBHOOKS_URL}/{webhook['id']}/deliveries"
        delivery_id = client.get(deliveries_url, headers=headers).get_json()["deliveries"][0]["id"]
        response = client.post(f"{deliveries_url}/{delivery_id}/resend", headers=headers)
        assert response.status_code == 202
        again = receiver.wait_for(2)[1]
    assert again == first


def test_an_endpoint_that_never_answers_fails_after_a_day(client, tenant, make_app, loops):
    widget, headers = tenant
    with WebhookReceiver(failures=1000) as receiver:
        webhook = add_webhook(client, headers, receiver, ["conversation.created"])
        start_session(client, widget)
        # Its day of retries has passed: the next failure is its last.
        delivery = db.session.execute(db.select(WebhookDelivery)).scalar_one()
        delivery.created_at -= timedelta(days=1)
        db.session.commit()
        start_delivering(make_app, loops)
        receiver.wait_for(1)
        time.sleep(0.5)
    deliveries = client.get(f"{WEBHOOKS_URL}/{webhook['id']}/deliveries", headers=headers).get_json()["deliveries"]
    assert [(d["status"], d["attempts"], d["last_response_code"]) for d in deliveries] == [("failed", 1, 503)]
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hooks",
        "https://192.168.1.20/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[fe80::1]/hooks",
        "https://224.0.0.1/hooks",
        "https://0.0.0.0/hooks",
        "http://93.184.216.34/hooks",
        "ftp://93.184.216.34/hooks",
    ],
)
def test_urls_that_reach_inside_are_refused(app, client, tenant, url):
    app.config["AURION_WEBHOOKS_ALLOW_PRIVATE"] = False
    _, headers = tenant
    response = client.post(WEBHOOKS_URL, json={"url": url, "events": ["message.created"]}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["field"] == "url"
    assert client.get(WEBHOOKS_URL, headers=headers).get_json() == {"webhooks": []}


def test_the_development_setting_allows_only_loopback_over_http(client, tenant):
    _, headers = tenant
    response = client.post(WEBHOOKS_URL, json={"url": "http://10.0.0.5/hooks", "events": ["message.created"]}, headers=headers)
    assert response.status_code == 422 and response.get_json()["field"] == "url"


def test_a_receiver_that_turns_private_after_saving_is_not_called(app, client, tenant, make_app, loops):
    """DNS rebinding in effect: the address is checked again at delivery time."""
    widget, headers = tenant
    with WebhookReceiver() as receiver:
        webhook = add_webhook(client, headers, receiver, ["conversation.created"])
        delivering = make_app(**{**FAST_RETRIES, "AURION_WEBHOOKS_ALLOW_PRIVATE": False})
        loops.append(delivering)
        delivering.extensions["aurion_webhooks"].start()
        start_session(client, widget)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            delivery = client.get(f"{WEBHOOKS_URL}/{webhook['id']}/deliveries", headers=headers).get_json()["deliveries"][0]
            # `attempts` counts from the claim; the outcome is recorded after the attempt.
            if delivery["last_error"]:
                break
            time.sleep(0.1)
    assert receiver.received == []
    assert delivery["status"] == "pending" and "Not sent" in delivery["last_error"]


def test_webhooks_need_the_webhooks_scope(client, make_tenant):
    _, _, key = make_tenant("acme", scopes=("voice-widget:read", "voice-widget:write"))
    assert client.get(WEBHOOKS_URL, headers={"X-API-Key": key}).status_code == 403


def test_another_tenants_webhook_is_not_found(client, tenant, make_tenant):
    _, headers = tenant
    with WebhookReceiver() as receiver:
        webhook = add_webhook(client, headers, receiver, ["message.created"])
    _, _, other_key = make_tenant("globex", scopes=SCOPES)
    assert client.get(f"{WEBHOOKS_URL}/{webhook['id']}", headers={"X-API-Key": other_key}).status_code == 404
    assert client.delete(f"{WEBHOOKS_URL}/{webhook['id']}", headers={"X-API-Key": other_key}).status_code == 404
    assert client.delete(f"{WEBHOOKS_URL}/{webhook['id']}", headers=headers).status_code == 204
    assert client.get(f"{WEBHOOKS_URL}/{webhook['id']}", headers=headers).status_code == 404


def test_two_servers_on_one_database_deliver_each_event_once(app, tenant, database_url, tmp_path):
    """Two hosts of two gunicorn workers each, sharing the queue (PostgreSQL too with AURION_TEST_DATABASE_URL)."""
    widget, headers = tenant
    settings = {"AURION_WEBHOOKS_ALLOW_PRIVATE": "1", "WEB_CONCURRENCY": "2"}
    with WebhookReceiver() as receiver:
        with (
            gunicorn_server(database_url, str(tmp_path / "a"), **settings) as host_a,
            gunicorn_server(database_url, str(tmp_path / "b"), **settings) as host_b,
        ):
            status, webhook = post_json(host_a, WEBHOOKS_URL, {"url": receiver.url, "events": ["message.created"]}, headers)
            assert status == 201, webhook
            receiver.secret = webhook["secret"]
            sessions = [start_session_over_http(host, widget, f"v{i}@example.com") for i, host in enumerate([host_a, host_b] * 3)]
            # People own these conversations, so the only messages are the visitors' (the agent stays quiet).
            for session in sessions:
                assign(find_conversation(widget.tenant_id, session["conversation_id"]), "human")
            for round_ in range(8):
                for i, session in enumerate(sessions):
                    host = host_a if (i + round_) % 2 else host_b
                    status, _ = post_json(host, MESSAGES_URL, {"content": f"message {round_}"}, bearer(session))
                    assert status == 201
            receiver.wait_for(48, timeout=30)
            time.sleep(3)  # room for any second delivery to arrive

    ids = [event["id"] for event in receiver.events()]
    assert len(ids) == len(set(ids)) == 48
    assert sorted(e["data"]["message"]["content"] for e in receiver.events()) == sorted(
        f"message {round_}" for round_ in range(8) for _ in sessions
    )
    assert all(request["valid"] for request in receiver.received)
