"""Away mode through the API: outside business hours a hand-off is marked, the visitor is told
when a person will reply, and an anonymous visitor may leave a validated email address."""

import time

import pytest

from aurion.extensions import db
from tests.support.visitors import bearer

CONVERSATIONS = "/api/v1/conversations"
# Open one minute a week: away now (almost surely), back next Monday at nine.
ONE_MINUTE_A_WEEK = {"timezone": "Europe/Berlin", "weekly": {"monday": [["09:00", "09:01"]]}, "closed_dates": []}


@pytest.fixture
def away_shop(make_tenant):
    _, widget, key = make_tenant("shop", scopes=["conversations:write"], allow_anonymous=True, allowed_domains=["localhost"])
    return widget, {"X-API-Key": key}


def anonymous_session(client, widget) -> dict:
    response = client.post("/api/v1/widget/session", json={"widget_id": widget.public_id})
    assert response.status_code == 201
    return response.get_json()


def waiting(client, headers, conversation_id, timeout=60.0) -> dict:
    """The conversation once the agent handed it off (its embedding model loads slowly on a busy machine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        detail = client.get(f"{CONVERSATIONS}/{conversation_id}", headers=headers).get_json()
        if detail["status"] == "waiting" and len(detail["messages"]) >= 2:
            return detail
        time.sleep(0.05)
    raise AssertionError("the conversation never waited for a person")


def test_a_hand_off_outside_hours_is_marked_and_says_when_a_person_replies(client, away_shop):
    widget, headers = away_shop
    widget.business_hours = {"timezone": "UTC", "weekly": {}, "closed_dates": []}  # never in
    db.session.commit()
    config = client.get(f"/api/v1/voice-widget/embed/config/{widget.public_id}").get_json()
    assert (config["team_in"], config["next_in"]) == (False, None)

    widget.business_hours = ONE_MINUTE_A_WEEK
    db.session.commit()
    config = client.get(f"/api/v1/voice-widget/embed/config/{widget.public_id}").get_json()
    assert config["team_in"] is False and config["next_in"].endswith("Z")

    session = anonymous_session(client, widget)
    client.post("/api/v1/widget/messages", json={"content": "Can I talk to a human?"}, headers=bearer(session))
    detail = waiting(client, headers, session["conversation_id"])
    assert detail["arrived_while_away"] is True
    notice = detail["messages"][-1]["content"]
    assert notice.startswith("Our team is away right now.") and "Monday 09:00 (Europe/Berlin)" in notice

    bad = client.post("/api/v1/widget/contact", json={"email": "not an address"}, headers=bearer(session))
    assert bad.status_code == 422 and bad.get_json()["field"] == "email"
    injected = client.post("/api/v1/widget/contact", json={"email": "a@b.example\r\nBcc: x@y.example"}, headers=bearer(session))
    assert injected.status_code == 422
    left = client.post("/api/v1/widget/contact", json={"email": " sam@example.org "}, headers=bearer(session))
    assert left.get_json() == {"contact_email": "sam@example.org"}
    assert client.get(f"{CONVERSATIONS}/{session['conversation_id']}", headers=headers).get_json()["contact_email"] == (
        "sam@example.org"
    )


def test_a_hand_off_in_hours_is_not_marked(client, away_shop):
    widget, headers = away_shop
    session = anonymous_session(client, widget)
    client.post("/api/v1/widget/messages", json={"content": "Can I talk to a human?"}, headers=bearer(session))
    detail = waiting(client, headers, session["conversation_id"])
    assert detail["arrived_while_away"] is False
    assert not detail["messages"][-1]["content"].startswith("Our team is away")
