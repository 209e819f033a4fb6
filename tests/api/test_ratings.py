"""Ratings through the API: the visitor rates an ended conversation; the helpdesk API shows it."""

from datetime import timedelta

import pytest

from aurion.extensions import db
from aurion.models import Rating
from tests.support.visitors import bearer, start_session

CONVERSATIONS = "/api/v1/conversations"
RATING = "/api/v1/widget/rating"


@pytest.fixture
def helpdesk(make_tenant):
    _, widget, key = make_tenant("shop", scopes=["conversations:write"])
    return widget, {"X-API-Key": key}


def test_rating_an_ended_conversation_shows_in_the_conversations_api(client, helpdesk):
    widget, headers = helpdesk
    session = start_session(client, widget)
    refused = client.put(RATING, json={"score": "good"}, headers=bearer(session))
    assert refused.status_code == 409 and refused.get_json()["code"] == "conversation_open"

    ended = client.post("/api/v1/widget/end", headers=bearer(session))
    assert ended.get_json() == {"conversation_id": session["conversation_id"], "status": "closed"}
    rated = client.put(RATING, json={"score": "okay", "comment": "  Slow at first  "}, headers=bearer(session))
    assert rated.status_code == 200
    assert rated.get_json()["score"] == "okay" and rated.get_json()["comment"] == "Slow at first"

    changed = client.put(RATING, json={"score": "good"}, headers=bearer(session))
    assert changed.get_json()["score"] == "good" and changed.get_json()["comment"] == ""
    assert db.session.execute(db.select(db.func.count()).select_from(Rating)).scalar() == 1  # one per conversation

    shown = client.get(f"{CONVERSATIONS}/{session['conversation_id']}", headers=headers).get_json()
    assert shown["rating"]["score"] == "good"
    listed = client.get(f"{CONVERSATIONS}?status=closed", headers=headers).get_json()["conversations"]
    assert listed[0]["rating"]["score"] == "good"


def test_a_rating_is_final_after_a_day(client, helpdesk):
    widget, _ = helpdesk
    session = start_session(client, widget)
    client.post("/api/v1/widget/end", headers=bearer(session))
    client.put(RATING, json={"score": "bad"}, headers=bearer(session))
    rating = db.session.execute(db.select(Rating)).scalar_one()
    rating.created_at -= timedelta(days=1, seconds=1)
    db.session.commit()
    late = client.put(RATING, json={"score": "good"}, headers=bearer(session))
    assert late.status_code == 409 and late.get_json()["code"] == "rating_final"


@pytest.mark.parametrize("body", [{"score": "great"}, {}, {"score": "good", "comment": "x" * 1001}])
def test_bad_ratings_are_422(client, helpdesk, body):
    widget, _ = helpdesk
    session = start_session(client, widget)
    client.post("/api/v1/widget/end", headers=bearer(session))
    assert client.put(RATING, json=body, headers=bearer(session)).status_code == 422


def test_rating_needs_the_visitors_session(client, helpdesk):
    assert client.put(RATING, json={"score": "good"}).status_code == 401


def test_a_person_closing_lets_the_visitor_rate(client, helpdesk):
    widget, headers = helpdesk
    session = start_session(client, widget)
    client.post(f"{CONVERSATIONS}/{session['conversation_id']}/close", headers=headers)
    assert client.put(RATING, json={"score": "good"}, headers=bearer(session)).status_code == 200
