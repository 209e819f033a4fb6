"""The Webhooks page: add an endpoint (its secret shown once), watch deliveries, resend, delete."""

import re

import pytest

from tests.support.visitors import MESSAGES_URL, bearer, start_session
from tests.support.webhook_receiver import WebhookReceiver

WEBHOOKS = "/dashboard/webhooks"


@pytest.fixture
def app(make_app):
    """An app whose webhooks may call a receiver on loopback (the development setting)."""
    app = make_app(AURION_WEBHOOKS_ALLOW_PRIVATE=True)
    with app.app_context():
        yield app


def _secret(page: str) -> str:
    return re.search(r'id="new-secret" class="code" readonly value="([^"]+)"', page).group(1)


def test_an_admin_adds_a_webhook_and_sees_its_deliveries_and_resends_one(app, client, dashboard, acme):
    _, widget, _ = acme
    with WebhookReceiver() as receiver:
        added = dashboard.post(WEBHOOKS, {"url": receiver.url, "events": ["message.created", "conversation.closed"]})
        assert added.status_code == 201 and "shown only this once" in added.text
        receiver.secret = _secret(added.text)
        listing = dashboard.get(WEBHOOKS).text
        assert receiver.secret not in listing and receiver.url in listing
        assert "message.created, conversation.closed" in listing

        session = start_session(client, widget)
        client.post(MESSAGES_URL, json={"content": "Do you ship to Norway?"}, headers=bearer(session))
        app.extensions["aurion_agent"].drain()
        app.extensions["aurion_webhooks"].deliver_due()
        assert receiver.events("message.created")[0]["data"]["message"]["content"] == "Do you ship to Norway?"
        assert all(request["valid"] for request in receiver.received)

        page = dashboard.get(WEBHOOKS).text
        assert "delivered" in page and "<td>204" in page
        resend_path = re.search(r'action="(/dashboard/webhooks/[^"]+/resend)"', page).group(1)
        assert dashboard.post(resend_path).status_code == 302
        app.extensions["aurion_webhooks"].deliver_due()
        sent = len(receiver.received)
        assert receiver.received[-1]["event"]["id"] in {event["id"] for event in receiver.events()[:-1]}

        delete_path = re.search(r'action="(/dashboard/webhooks/[^"]+/delete)"', page).group(1)
        assert dashboard.post(delete_path).status_code == 302
        assert "No webhook yet" in dashboard.get(WEBHOOKS).text
        client.post(MESSAGES_URL, json={"content": "Hello?"}, headers=bearer(session))
        app.extensions["aurion_webhooks"].deliver_due()
        assert len(receiver.received) == sent


def test_a_private_address_is_refused_with_the_form_kept(app, dashboard):
    app.config["AURION_WEBHOOKS_ALLOW_PRIVATE"] = False
    response = dashboard.post(WEBHOOKS, {"url": "https://192.168.0.10/hook", "events": ["rating.created"]})
    assert response.status_code == 422
    assert "private, loopback, link-local or reserved" in response.text
    assert 'value="https://192.168.0.10/hook"' in response.text
    assert 'value="rating.created"\n        checked' in response.text


def test_the_nav_links_the_webhooks_page(dashboard):
    page = dashboard.get(WEBHOOKS).text
    assert '<a href="/dashboard/webhooks" aria-current="page">Webhooks</a>' in page
