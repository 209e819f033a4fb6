"""The people behind the widget as a visitor meets them: the team's faces and reply time in the
public config, the page and browser kept with a session, and the visitor's earlier conversations."""

from datetime import timedelta

import pytest

from aurion.extensions import db
from aurion.models import Conversation, Message, WidgetSession
from aurion.services.conversations import close, human_reply, request_handoff
from aurion.services.team_presence import reply_time_key
from aurion.timestamps import utcnow
from tests.support.dashboard import make_admin
from tests.support.visitors import HISTORY_URL, SESSION_URL, bearer, email_token, start_session

EARLIER_URL = "/api/v1/widget/conversations"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def config_of(client, widget) -> dict:
    response = client.get(f"/api/v1/voice-widget/embed/config/{widget.public_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def talk_messages(talk: Conversation):
    return db.session.execute(db.select(Message).filter_by(conversation_id=talk.id)).scalars()


def conversation(session: dict) -> Conversation:
    return db.session.execute(db.select(Conversation).filter_by(public_id=session["conversation_id"])).scalar_one()


def test_a_session_keeps_the_page_time_zone_and_browser(client, widget):
    body = {"email_token": email_token(widget), "page_url": "https://shop.example/pricing?plan=pro", "time_zone": "Europe/Berlin"}
    response = client.post(SESSION_URL, json=body, headers={"User-Agent": CHROME + " " + "x" * 600})
    assert response.status_code == 201, response.get_json()
    stored = db.session.execute(db.select(WidgetSession).filter_by(public_id=response.get_json()["session_id"])).scalar_one()
    assert (stored.page_url, stored.time_zone) == ("https://shop.example/pricing?plan=pro", "Europe/Berlin")
    assert stored.user_agent.startswith(CHROME) and len(stored.user_agent) == 512


@pytest.mark.parametrize(
    ("page_url", "time_zone"), [("javascript:alert(1)", "Mars/Olympus"), ("", "../../etc/passwd"), (None, None)]
)
def test_an_odd_page_or_time_zone_is_dropped_never_refused(client, widget, page_url, time_zone):
    body = {"email_token": email_token(widget), "page_url": page_url, "time_zone": time_zone}
    response = client.post(SESSION_URL, json=body)
    assert response.status_code == 201, response.get_json()
    stored = db.session.execute(db.select(WidgetSession).filter_by(public_id=response.get_json()["session_id"])).scalar_one()
    assert (stored.page_url, stored.time_zone) == (None, None)


def test_a_page_address_over_2000_characters_is_a_422(client, widget):
    body = {"email_token": email_token(widget), "page_url": "https://shop.example/" + "a" * 2000}
    response = client.post(SESSION_URL, json=body)
    assert response.status_code == 422
    assert response.get_json()["field"] == "page_url"


def test_earlier_conversations_are_the_visitors_own_newest_first(client, make_tenant):
    _, widget, _ = make_tenant("acme")
    first = start_session(client, widget)
    client.post("/api/v1/widget/messages", json={"content": "My first question"}, headers=bearer(first))
    close(conversation(first))
    second = start_session(client, widget)
    client.post("/api/v1/widget/messages", json={"content": "My second question"}, headers=bearer(second))
    close(conversation(second))
    third = start_session(client, widget)
    # Another visitor of the same widget, and the same email on another tenant's widget.
    stranger = start_session(client, widget, "bob@example.com")
    close(conversation(stranger))
    _, other_widget, _ = make_tenant("globex")
    elsewhere = start_session(client, other_widget)
    close(conversation(elsewhere))

    history = client.get(HISTORY_URL, headers=bearer(third)).get_json()
    assert history["earlier_conversations"] == 2
    page = client.get(EARLIER_URL, headers=bearer(third)).get_json()
    assert [c["id"] for c in page["conversations"]] == [second["conversation_id"], first["conversation_id"]]
    assert [m["content"] for m in page["conversations"][1]["messages"]][:1] == ["My first question"]
    assert page["conversations"][0]["status"] == "closed"

    one = client.get(EARLIER_URL + "?limit=1", headers=bearer(third)).get_json()
    assert ([c["id"] for c in one["conversations"]], one["has_more"]) == ([second["conversation_id"]], True)
    older = client.get(f"{EARLIER_URL}?limit=1&before={one['next_cursor']}", headers=bearer(third)).get_json()
    assert ([c["id"] for c in older["conversations"]], older["has_more"]) == ([first["conversation_id"]], False)

    # Another visitor's conversation as the cursor pages nothing of theirs.
    foreign = client.get(f"{EARLIER_URL}?before={stranger['conversation_id']}", headers=bearer(third)).get_json()
    assert stranger["conversation_id"] not in [c["id"] for c in foreign["conversations"]]
    assert client.get(EARLIER_URL, headers=bearer(elsewhere)).get_json()["conversations"] == []
    assert client.get(HISTORY_URL, headers=bearer(elsewhere)).get_json()["earlier_conversations"] == 0


@pytest.mark.parametrize("query", ["?limit=0", "?limit=21", "?limit=x", '?before="*', "?before=" + "a" * 300])
def test_bad_earlier_queries_are_4xx(client, widget, query):
    session = start_session(client, widget)
    response = client.get(EARLIER_URL + query, headers=bearer(session))
    assert response.status_code in (200, 422), response.get_json()
    assert response.status_code == 200 or response.mimetype == "application/problem+json"


def test_earlier_conversations_need_the_visitors_token(client, widget):
    assert client.get(EARLIER_URL).status_code == 401
    assert client.get(EARLIER_URL, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_the_header_shows_the_latest_repliers_and_never_their_email(client, make_tenant):
    tenant, widget, _ = make_tenant("acme", allowed_domains=["localhost"])
    ada = make_admin(tenant, "ada@acme.test")
    sam = make_admin(tenant, "sam.lee@acme.test")
    sam.display_name = "Sam Lee"
    make_admin(tenant, "cy@acme.test")
    make_admin(tenant, "dee@acme.test")
    other, _, _ = make_tenant("globex")
    make_admin(other, "eve@globex.test")
    session = start_session(client, widget)
    human_reply(conversation(session), "Hello, Sam here.", sam)

    team = config_of(client, widget)["team"]
    assert [person["name"] for person in team] == ["Sam Lee", "ada", "cy"]
    assert team[0] == {"name": "Sam Lee", "initials": "SL", "color": team[0]["color"], "avatar_url": None}
    assert "acme.test" not in str(team)
    assert ada  # the oldest account comes right after the latest to reply


def test_reply_time_is_the_owners_words_or_the_measured_median_in_words(client, make_tenant):
    tenant, widget, key = make_tenant("acme")
    fresh = make_tenant("initech")[1]
    assert config_of(client, fresh)["reply_time"] is None  # nothing measured yet
    sam = make_admin(tenant, "sam@acme.test")
    session = start_session(client, widget)
    talk = conversation(session)
    request_handoff(talk)
    reply = human_reply(talk, "Here now.", sam)
    handed = min(m.created_at for m in talk_messages(talk) if m.sender == "agent")
    reply.created_at = handed + timedelta(minutes=40)
    db.session.commit()
    assert config_of(client, widget)["reply_time"] == "under an hour"

    response = client.put(
        "/api/v1/voice-widget/config", json={"reply_time_text": "a few hours"}, headers={"X-API-Key": key}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reply_time_text"] == "a few hours"
    assert config_of(client, widget)["reply_time"] == "a few hours"


@pytest.mark.parametrize(
    ("seconds", "key"),
    [(30, "reply_minutes"), (600, "reply_minutes"), (601, "reply_hour"), (3600, "reply_hour"), (3601, "reply_hours"),
     (6 * 3600, "reply_hours"), (6 * 3600 + 1, "reply_day"), (3 * 86400, "reply_day")],
)
def test_reply_times_in_rough_words(seconds, key):
    assert reply_time_key(seconds) == key


def test_the_measured_reply_time_only_counts_the_last_30_days(client, make_tenant):
    tenant, widget, _ = make_tenant("acme")
    sam = make_admin(tenant, "sam@acme.test")
    talk = conversation(start_session(client, widget))
    request_handoff(talk)
    human_reply(talk, "Here now.", sam)
    talk.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert config_of(client, widget)["reply_time"] is None
