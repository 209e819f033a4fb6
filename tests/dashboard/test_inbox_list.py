"""The inbox list: rows (who, last message, unread, status, assignee), tab counts, the
Mine / Unassigned / All views, assignment, the live tenant channel, full-text search;
tenant isolation of each. Runs on SQLite and on PostgreSQL (AURION_TEST_DATABASE_URL)."""

import json
import re
import time

import pytest

from aurion.engines.broker import broker
from aurion.extensions import db
from aurion.models import Conversation
from aurion.services.conversations import request_handoff, store_message
from aurion.services.messages import add_visitor_message
from aurion.services.sessions import session_from_bearer
from tests.support.dashboard import Dashboard, make_admin
from tests.support.live_server import gunicorn_server
from tests.support.visitors import MESSAGES_URL, bearer, post_json, start_session, start_session_over_http

ANONYMOUS_SESSION = "/api/v1/widget/session"


def _visitor_writes(client, widget, *messages: str, email: str = "jane@example.com", name: str | None = "Jane Smith"):
    """A visitor's session with their messages stored; returns (session body, conversation)."""
    session = start_session(client, widget, email=email, **({"display_name": name} if name else {}))
    widget_session = session_from_bearer(session["token"])
    for content in messages:
        add_visitor_message(widget_session, content)
    return session, widget_session.conversation


def _waiting(client, widget, *messages: str, **who):
    session, conversation = _visitor_writes(client, widget, *messages, **who)
    request_handoff(conversation)
    return session, conversation


def _row(page: str, conversation: Conversation) -> str:
    """The HTML of the conversation's row in an inbox page ("" if it is not listed)."""
    match = re.search(rf'<li data-id="{conversation.public_id}".*?</li>', page, re.S)
    return match.group(0) if match else ""


def _count(page: str, status: str) -> int:
    return int(re.search(rf'data-count-for="{status}">(\d+)<', page).group(1))


@pytest.fixture
def teammate(app, acme):
    """A second admin of acme, signed in: (admin, dashboard)."""
    admin = make_admin(acme[0], "sam@acme.test")
    admin.display_name = "Sam Lee"
    db.session.commit()
    session = Dashboard(app.test_client())
    assert session.sign_in(admin.email).status_code == 302
    return admin, session


def test_a_row_names_the_visitor_and_shows_the_last_message_status_and_assignee(client, dashboard, acme):
    _, conversation = _waiting(client, acme[1], "My order 1234 never arrived, can a person help?")
    row = _row(dashboard.get("/dashboard/inbox").text, conversation)
    assert "Jane Smith" in row and "jane@example.com" in row
    # The last message is the agent's hand-off notice, with its time for the browser to localise.
    assert "Agent:</span> I&#39;ve asked a person from our team to join." in row
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">', row)
    assert "Waiting for a person" in row and "Unassigned" in row


def test_an_anonymous_visitor_is_named_by_the_page_they_wrote_from(client, dashboard, acme):
    widget = acme[1]
    widget.allow_anonymous = True
    db.session.commit()
    body = client.post(ANONYMOUS_SESSION, json={"widget_id": widget.public_id}).get_json()
    widget_session = session_from_bearer(body["token"])
    widget_session.page_url = "https://shop.example.com/checkout?step=2"
    add_visitor_message(widget_session, "Hello?")
    page = dashboard.get("/dashboard/inbox?status=agent").text
    assert "Visitor from shop.example.com" in _row(page, widget_session.conversation)


def test_rows_are_ordered_by_their_last_message_whoever_wrote_it(client, dashboard, acme):
    _, older = _visitor_writes(client, acme[1], "First", email="one@example.com", name="Older")
    _visitor_writes(client, acme[1], "Second", email="two@example.com", name="Newer")
    store_message(older, "agent", "An answer comes later.")
    page = dashboard.get("/dashboard/inbox?status=agent").text
    assert page.index("Older") < page.index("Newer")


def test_tabs_count_conversations_per_status_within_the_view(client, dashboard, acme):
    _waiting(client, acme[1], "One", email="one@example.com")
    _waiting(client, acme[1], "Two", email="two@example.com")
    _visitor_writes(client, acme[1], "Three", email="three@example.com")
    page = dashboard.get("/dashboard/inbox").text
    assert (_count(page, "waiting"), _count(page, "agent"), _count(page, "human"), _count(page, "closed")) == (2, 1, 0, 0)
    assert _count(dashboard.get("/dashboard/inbox?view=mine").text, "waiting") == 0


def test_mine_unassigned_and_all_split_the_conversations(client, dashboard, acme, teammate):
    _, mine = _waiting(client, acme[1], "For Ada", email="a@example.com", name="Alice")
    _, theirs = _waiting(client, acme[1], "For Sam", email="b@example.com", name="Bob")
    _, nobodys = _waiting(client, acme[1], "For nobody", email="c@example.com", name="Carol")
    assert dashboard.post(f"/dashboard/inbox/{mine.public_id}/assignee", {"assignee": "me"}).status_code == 302
    assert dashboard.post(f"/dashboard/inbox/{theirs.public_id}/assignee", {"assignee": str(teammate[0].id)}).status_code == 302

    def listed(view: str) -> set[str]:
        page = dashboard.get(f"/dashboard/inbox?status=waiting&view={view}").text
        return {name for name, c in (("Alice", mine), ("Bob", theirs), ("Carol", nobodys)) if _row(page, c)}

    assert listed("mine") == {"Alice"}
    assert listed("unassigned") == {"Carol"}
    assert listed("all") == {"Alice", "Bob", "Carol"}
    assert "Assigned to Sam Lee" in _row(dashboard.get("/dashboard/inbox").text, theirs)
    # Sam's "Mine" is Bob's conversation.
    assert _row(teammate[1].get("/dashboard/inbox?view=mine").text, theirs)
    assert _count(teammate[1].get("/dashboard/inbox?view=mine").text, "waiting") == 1


def test_the_assign_control_on_the_conversation_assigns_and_unassigns(client, dashboard, acme, teammate):
    _, conversation = _waiting(client, acme[1], "Help")
    url = f"/dashboard/inbox/{conversation.public_id}"
    page = dashboard.get(url).text
    assert 'action="' + url + '/assignee"' in page and "Sam Lee" in page and "Assign to me" in page
    dashboard.post(url + "/assignee", {"assignee": str(teammate[0].id)})
    db.session.refresh(conversation)
    assert conversation.assignee_id == teammate[0].id
    assert re.search(rf'<option value="{teammate[0].id}" selected>Sam Lee</option>', dashboard.get(url).text)
    dashboard.post(url + "/assignee", {"assignee": ""})
    db.session.refresh(conversation)
    assert conversation.assignee_id is None


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "0", "99999999999", "1" * 40, "２"])
def test_assigning_to_someone_not_on_the_team_is_refused(client, dashboard, acme, value):
    _, conversation = _waiting(client, acme[1], "Help")
    response = dashboard.post(f"/dashboard/inbox/{conversation.public_id}/assignee", {"assignee": value})
    assert response.status_code == 422 and "assignee must be" in response.text
    db.session.refresh(conversation)
    assert conversation.assignee_id is None


def test_assigning_to_an_admin_of_another_tenant_is_refused(client, dashboard, acme, make_tenant):
    other = make_admin(make_tenant("tenant-b")[0], "eve@b.test")
    _, conversation = _waiting(client, acme[1], "Help")
    response = dashboard.post(f"/dashboard/inbox/{conversation.public_id}/assignee", {"assignee": str(other.id)})
    assert response.status_code == 422
    db.session.refresh(conversation)
    assert conversation.assignee_id is None


def test_unread_counts_the_visitors_new_messages_per_admin(client, dashboard, acme, teammate):
    session, conversation = _waiting(client, acme[1], "First", "Second")
    assert '<span class="unread-count">2</span>' in _row(dashboard.get("/dashboard/inbox").text, conversation)
    dashboard.get(f"/dashboard/inbox/{conversation.public_id}")  # Ada reads it
    assert "unread-count" in _row(dashboard.get("/dashboard/inbox").text, conversation)
    assert 'class="unread" hidden' in _row(dashboard.get("/dashboard/inbox").text, conversation)
    store_message(conversation, "agent", "The agent's messages are not unread.")
    add_visitor_message(session_from_bearer(session["token"]), "Third")
    assert '<span class="unread-count">1</span>' in _row(dashboard.get("/dashboard/inbox").text, conversation)
    # Sam has read nothing.
    assert '<span class="unread-count">3</span>' in _row(teammate[1].get("/dashboard/inbox").text, conversation)


def test_messages_seen_on_an_open_conversation_page_are_not_unread(app, client, dashboard, acme, teammate, make_tenant):
    session, conversation = _waiting(client, acme[1], "First")
    dashboard.get(f"/dashboard/inbox/{conversation.public_id}")  # Ada opens the page...
    add_visitor_message(session_from_bearer(session["token"]), "Second")  # ...and sees this arrive on it
    assert '<span class="unread-count">1</span>' in _row(dashboard.get("/dashboard/inbox").text, conversation)
    assert dashboard.post(f"/dashboard/inbox/{conversation.public_id}/read").status_code == 204
    assert 'class="unread" hidden' in _row(dashboard.get("/dashboard/inbox").text, conversation)
    assert '<span class="unread-count">2</span>' in _row(teammate[1].get("/dashboard/inbox").text, conversation)
    # Another tenant's admin cannot mark it read, nor can a post without the page's CSRF token.
    make_admin(make_tenant("tenant-b")[0], "eve@b.test")
    eve = Dashboard(app.test_client())
    eve.sign_in("eve@b.test")
    assert eve.post(f"/dashboard/inbox/{conversation.public_id}/read").status_code == 404
    sam = teammate[1].client.post(f"/dashboard/inbox/{conversation.public_id}/read")
    assert sam.status_code in (400, 403)
    assert '<span class="unread-count">2</span>' in _row(teammate[1].get("/dashboard/inbox").text, conversation)


def _events(dashboard: Dashboard):
    """The inbox's event stream, frame by frame."""
    response = dashboard.get("/dashboard/inbox/events", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    chunks = iter(response.response)

    def next_frame() -> dict:
        # A keepalive comes every 15 s, so a frame that never comes fails the test rather than hangs it.
        deadline = time.monotonic() + 40
        for chunk in chunks:
            chunk = chunk.decode() if isinstance(chunk, bytes) else chunk
            if chunk.startswith("data: "):
                return json.loads(chunk[len("data: ") :])
            if time.monotonic() > deadline:
                break
        raise AssertionError("no frame came")

    return response, next_frame


def test_the_event_stream_sends_counts_then_this_tenants_row_changes_only(client, dashboard, acme, make_tenant):
    _, widget_b, _ = make_tenant("tenant-b")
    response, next_frame = _events(dashboard)
    try:
        first = next_frame()
        assert first == {"type": "counts", "counts": []}
        _waiting(client, widget_b, "B's secret question", email="b@example.com")
        _, conversation = _waiting(client, acme[1], "Help me", name="Jane Smith")
        frame = next_frame()
        assert frame["type"] == "inbox" and frame["conversation"]["id"] == conversation.public_id
        assert frame["conversation"]["visitor"] == "Jane Smith"
        while frame["conversation"]["status"] != "waiting":
            frame = next_frame()
            assert frame["conversation"]["id"] == conversation.public_id  # never B's
        assert frame["counts"] == [["waiting", None, 1]]
        assert frame["conversation"]["unread"] == 1  # this admin's own count: "Help me"
    finally:
        response.close()


@pytest.mark.redis
def test_a_message_stored_by_another_worker_reaches_the_inbox_through_redis(
    make_app, acme, database_url, instance_path, redis_url
):
    worker = make_app(AURION_BROKER_URL=redis_url)
    with worker.app_context():
        assert broker().ready()
    admin = Dashboard(worker.test_client())
    admin.sign_in(acme[2].email)
    response, next_frame = _events(admin)
    try:
        assert next_frame()["type"] == "counts"
        with gunicorn_server(database_url, instance_path, AURION_BROKER_URL=redis_url) as other:
            session = start_session_over_http(other, acme[1])
            token = {"Authorization": f"Bearer {session['token']}"}
            assert post_json(other, MESSAGES_URL, {"content": "Hello from another worker"}, token)[0] == 201
            while True:  # the new conversation's row first, then the row with the message
                row = next_frame()["conversation"]
                if row["id"] == session["conversation_id"] and row["last_message"]:
                    break
        assert row["last_message"]["excerpt"] == "Hello from another worker" and row["visitor"] == "Jane Smith"
    finally:
        response.close()


def test_search_finds_messages_by_their_words_tenant_scoped_and_paged(client, dashboard, acme, make_tenant):
    _, conversation = _waiting(client, acme[1], "My parcel to Norway is late", "Order 1234 please")
    _visitor_writes(client, acme[1], "Something unrelated", email="other@example.com", name="Oscar")
    _, widget_b, _ = make_tenant("tenant-b")
    _visitor_writes(client, widget_b, "Norway parcel for tenant B", email="b@example.com", name="Bea")

    page = dashboard.get("/dashboard/inbox?q=norway PARCEL").text
    assert "My parcel to Norway is late" in page and "Jane Smith" in page
    assert "tenant B" not in page and "Bea" not in page and "Oscar" not in page
    assert f'href="/dashboard/inbox/{conversation.public_id}"' in page
    # Words are prefixes; every word must be there.
    assert "Order 1234 please" in dashboard.get("/dashboard/inbox?q=ord 123").text
    assert "No message matches." in dashboard.get("/dashboard/inbox?q=norway 1234").text

    for number in range(25):
        store_message(conversation, "agent", f"Tracking update {number} for Norway")
    first = dashboard.get("/dashboard/inbox?q=tracking").text
    assert first.count('class="last-message"') == 20 and "Tracking update 24" in first
    older = re.search(r'href="(/dashboard/inbox\?q=tracking&amp;before=[^"]+)">Older results', first).group(1)
    second = dashboard.get(older.replace("&amp;", "&")).text
    assert second.count('class="last-message"') == 5 and "Tracking update 0 " in second and "Older results" not in second


@pytest.mark.parametrize("query", ['"', "*", "norway*", "AND OR NOT", "a\"b'c", "(", "NEAR(", ":*", "&|!", "-", "^"])
def test_odd_search_queries_never_fail(client, dashboard, acme, query):
    _waiting(client, acme[1], "Norway")
    response = dashboard.get("/dashboard/inbox", query_string={"q": query})
    assert response.status_code == 200


def test_a_search_cursor_of_another_tenant_is_refused(client, dashboard, acme, make_tenant):
    _, widget_b, _ = make_tenant("tenant-b")
    session_b = start_session(client, widget_b, email="b@example.com")
    message = client.post("/api/v1/widget/messages", json={"content": "Norway"}, headers=bearer(session_b)).get_json()
    response = dashboard.get("/dashboard/inbox", query_string={"q": "norway", "before": message["id"]})
    assert response.status_code == 422 and "before must be" in response.text


@pytest.mark.parametrize("before", ["conv_\x00", "conv/../x", "x" * 5000])
@pytest.mark.parametrize("q", ["", "norway"])
def test_impossible_page_cursors_are_refused_not_failed(dashboard, acme, before, q):
    """Inbox and search pages: a cursor no id could be (NUL, a slash, far too long) is a 422 on both databases."""
    response = dashboard.get("/dashboard/inbox", query_string={"q": q, "before": before})
    assert response.status_code == 422 and "before must be" in response.text
