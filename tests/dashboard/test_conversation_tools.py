"""The conversation page's tools: replying in place, typing, internal notes (never the
visitor's), saved replies and the visitor's details; tenant isolation of each."""

import json

import pytest

from aurion.engines.broker import broker
from aurion.extensions import db
from aurion.models import Admin, ConversationNote, OutgoingEmail, SavedReply, Webhook, WebhookDelivery
from aurion.schemas.webhooks import WEBHOOK_EVENTS
from aurion.services.conversations import close
from aurion.services.messages import add_visitor_message, history_page, team_channel, visitor_typing
from aurion.services.sessions import session_from_bearer
from tests.support.dashboard import Dashboard, make_admin
from tests.support.visitors import HISTORY_URL, bearer, start_session

JSON = {"Accept": "application/json"}
CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"


def _url(conversation, tail: str = "") -> str:
    return f"/dashboard/inbox/{conversation.public_id}{tail}"


def _drain(subscription) -> list[dict]:
    frames = []
    while (frame := subscription.get(timeout=0.05)) is not None:
        frames.append(frame)
    return frames


def test_a_reply_asked_for_as_json_is_sent_without_a_page(client, dashboard, waiting):
    session, conversation = waiting
    response = dashboard.post(_url(conversation, "/reply"), {"content": "Hi Jane, Sam here."}, headers=JSON)
    assert response.status_code == 204 and response.data == b""
    last = client.get(HISTORY_URL, headers=bearer(session)).get_json()["messages"][-1]
    assert last["content"] == "Hi Jane, Sam here." and last["author"]["name"] == "ada"


def test_an_empty_json_reply_is_a_problem_not_a_page(dashboard, waiting):
    _, conversation = waiting
    response = dashboard.post(_url(conversation, "/reply"), {"content": " "}, headers=JSON)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json" and response.get_json()["field"] == "content"


def test_a_teammate_typing_reaches_the_visitors_channel_with_their_card(dashboard, waiting, acme):
    _, conversation = waiting
    acme[2].display_name = "Sam Lee"
    db.session.commit()
    visitor = broker().subscribe(conversation.public_id)
    try:
        assert dashboard.post(_url(conversation, "/typing"), {"active": "1"}).status_code == 204
        assert dashboard.post(_url(conversation, "/typing"), {"active": "0"}).status_code == 204
        frames = _drain(visitor)
    finally:
        visitor.close()
    assert [(f["type"], f["sender"], f["active"], f["author"]["name"]) for f in frames] == [
        ("typing", "human", True, "Sam Lee"),
        ("typing", "human", False, "Sam Lee"),
    ]
    assert "email" not in frames[0]["author"]


@pytest.mark.parametrize("active", ["", "yes", "2"])
def test_typing_needs_active_1_or_0(dashboard, waiting, active):
    _, conversation = waiting
    response = dashboard.post(_url(conversation, "/typing"), {"active": active}, headers=JSON)
    assert response.status_code == 422 and response.get_json()["field"] == "active"


def test_the_conversation_stream_carries_the_team_channel_too(app, dashboard, waiting):
    """The page's event stream reads both channels: the visitor's typing arrives on it."""
    session, conversation = waiting
    latest = history_page(conversation)["messages"][-1]["id"]
    add_visitor_message(session_from_bearer(session["token"]), "One more thing")
    # The test client reads the first chunks at once: the opening comment, then the message replayed since `latest`.
    response = dashboard.get(_url(conversation, f"/events?after={latest}"), buffered=False)
    try:
        visitor_typing(conversation, True)
        chunks = [next(response.response).decode() for _ in range(3)]
    finally:
        response.close()
    assert chunks[0].startswith(":")
    assert "One more thing" in chunks[1]
    assert '"type": "typing"' in chunks[2] and '"sender": "user"' in chunks[2]


def test_a_note_written_while_the_page_reconnected_is_replayed_with_the_messages(app, dashboard, waiting):
    session, conversation = waiting
    latest = history_page(conversation)["messages"][-1]["id"]
    # While the page's stream is away: a teammate's note, then the visitor's message.
    assert dashboard.post(_url(conversation, "/notes"), {"content": "Refund approved"}).status_code == 302
    add_visitor_message(session_from_bearer(session["token"]), "Any news?")
    response = dashboard.get(_url(conversation, f"/events?after={latest}"), buffered=False)
    try:
        assert next(response.response).startswith(b":")  # the opening comment
        replayed = [json.loads(next(response.response).decode().removeprefix("data: ")) for _ in range(2)]
    finally:
        response.close()
    # Both in the same second here, so in either order.
    assert sorted((frame["type"], frame["content"]) for frame in replayed) == [("message", "Any news?"), ("note", "Refund approved")]


def test_a_note_shows_to_the_team_and_goes_only_to_the_team_channel(client, dashboard, waiting):
    session, conversation = waiting
    visitor, team = broker().subscribe(conversation.public_id), broker().subscribe(team_channel(conversation))
    try:
        response = dashboard.post(_url(conversation, "/notes"), {"content": "VIP customer, refund approved"})
        visitor_frames, team_frames = _drain(visitor), _drain(team)
    finally:
        visitor.close()
        team.close()
    assert response.status_code == 302 and response.headers["Location"].endswith("#notes")
    assert visitor_frames == []
    assert [(f["type"], f["content"], f["author"]["name"]) for f in team_frames] == [("note", "VIP customer, refund approved", "ada")]
    page = dashboard.get(_url(conversation)).text
    assert 'class="message note"' in page and "VIP customer, refund approved" in page
    # The note sits after the message it followed in the timeline.
    assert page.index("Can I talk to a human?") < page.index("VIP customer, refund approved")


def test_a_note_never_reaches_the_visitor_history_transcript_or_webhooks(app, client, dashboard, waiting, acme, monkeypatch):
    session, conversation = waiting
    monkeypatch.setitem(app.config, "AURION_SMTP_URL", "smtp://127.0.0.1:1")  # queued, never delivered in tests
    tenant, widget = acme[0], acme[1]
    widget.transcript_auto = True
    db.session.add(Webhook(public_id="wh_notes", tenant=tenant, url="https://hooks.example.com/x", events=list(WEBHOOK_EVENTS), secret_salt="s"))
    db.session.commit()
    assert dashboard.post(_url(conversation, "/notes"), {"content": "Secret: the visitor is a reseller"}, headers=JSON).status_code == 204
    dashboard.post(_url(conversation, "/reply"), {"content": "Here is your refund."})
    close(conversation)

    history = client.get(HISTORY_URL, headers=bearer(session)).get_json()
    assert "reseller" not in str(history)
    transcripts = db.session.execute(db.select(OutgoingEmail).filter_by(kind="transcript")).scalars().all()
    assert transcripts and all("reseller" not in email.text_body + email.html_body for email in transcripts)
    assert "Here is your refund." in transcripts[0].text_body  # the transcript was written after the note
    deliveries = db.session.execute(db.select(WebhookDelivery)).scalars().all()
    assert deliveries and all("reseller" not in delivery.body for delivery in deliveries)


def test_an_empty_note_is_refused_beside_its_box(dashboard, waiting):
    _, conversation = waiting
    response = dashboard.post(_url(conversation, "/notes"), {"content": "  "})
    assert response.status_code == 422 and 'aria-describedby="note-content-error"' in response.text
    assert dashboard.post(_url(conversation, "/notes"), {"content": ""}, headers=JSON).get_json()["field"] == "content"
    assert db.session.execute(db.select(ConversationNote)).first() is None


def test_saved_replies_are_added_edited_and_deleted(dashboard):
    response = dashboard.post("/dashboard/saved-replies", {"shortcut": "/refund", "content": "Refunds take 5 days."})
    assert response.status_code == 302
    page = dashboard.get("/dashboard/saved-replies").text
    assert "/refund" in page and "Refunds take 5 days." in page
    saved = db.session.execute(db.select(SavedReply)).scalar_one()
    assert saved.shortcut == "refund"
    dashboard.post(f"/dashboard/saved-replies/{saved.public_id}", {"shortcut": "refunds", "content": "Refunds take 3 days."})
    db.session.refresh(saved)
    assert (saved.shortcut, saved.content) == ("refunds", "Refunds take 3 days.")
    dashboard.post(f"/dashboard/saved-replies/{saved.public_id}/delete")
    assert "No saved reply yet" in dashboard.get("/dashboard/saved-replies").text


@pytest.mark.parametrize(
    ("shortcut", "says"),
    [("Refund!", "lower-case letters"), ("", "must not be empty"), ("a" * 40, "at most"), ("-x", "lower-case letters")],
)
def test_a_bad_shortcut_is_said_beside_its_field(dashboard, shortcut, says):
    response = dashboard.post("/dashboard/saved-replies", {"shortcut": shortcut, "content": "Hello"})
    assert response.status_code == 422
    assert 'id="shortcut-error"' in response.text and says in response.text


def test_a_shortcut_is_unique_per_tenant(app, dashboard, make_tenant):
    dashboard.post("/dashboard/saved-replies", {"shortcut": "hello", "content": "Hi!"})
    response = dashboard.post("/dashboard/saved-replies", {"shortcut": "hello", "content": "Hi again"})
    assert response.status_code == 422 and "/hello is already a saved reply" in response.text
    # Another tenant may use the same shortcut.
    make_admin(make_tenant("tenant-b")[0], "bob@b.test")
    other = Dashboard(app.test_client())
    other.sign_in("bob@b.test")
    assert other.post("/dashboard/saved-replies", {"shortcut": "hello", "content": "B's hello"}).status_code == 302


def test_the_reply_box_offers_the_tenants_saved_replies(app, dashboard, waiting, make_tenant):
    _, conversation = waiting
    dashboard.post("/dashboard/saved-replies", {"shortcut": "hello", "content": "Hi, how can I help?"})
    make_admin(make_tenant("tenant-b")[0], "bob@b.test")
    other = Dashboard(app.test_client())
    other.sign_in("bob@b.test")
    other.post("/dashboard/saved-replies", {"shortcut": "secret", "content": "B's own words"})
    page = dashboard.get(_url(conversation)).text
    assert "Hi, how can I help?" in page and "B&#39;s own words" not in page and "B's own words" not in page


def test_the_visitor_details_sit_beside_the_conversation(client, dashboard, waiting, acme):
    session, conversation = waiting
    widget_session = session_from_bearer(session["token"])
    widget_session.page_url = "https://shop.example.com/pricing?plan=pro"
    widget_session.user_agent = CHROME_MAC
    widget_session.time_zone = "Asia/Tokyo"
    db.session.commit()
    close(conversation)
    later = start_session(client, acme[1], display_name="Jane Smith")
    page = dashboard.get(f"/dashboard/inbox/{later['conversation_id']}").text
    assert "jane@example.com" in page and "Jane Smith" in page
    assert "Unknown page" in page  # the new session has not said where it is
    past = dashboard.get(_url(conversation)).text
    assert 'href="https://shop.example.com/pricing?plan=pro"' in past
    assert "Chrome 120 on macOS" in past and "(Asia/Tokyo)" in past
    assert f'href="/dashboard/inbox/{later["conversation_id"]}"' in past  # the visitor's other conversation, linked
    assert f'href="/dashboard/inbox/{conversation.public_id}"' in page


def test_a_page_address_that_is_not_http_is_not_a_link(dashboard, waiting):
    session, conversation = waiting
    widget_session = session_from_bearer(session["token"])
    widget_session.page_url = "javascript:alert(1)"
    widget_session.time_zone = "Not/AZone"
    db.session.commit()
    page = dashboard.get(_url(conversation)).text
    assert "javascript:alert" not in page and "Unknown page" in page


@pytest.fixture
def tenant_b(client, make_tenant):
    """Tenant B's conversation and saved reply ids."""
    tenant, widget, _ = make_tenant("tenant-b")
    session = start_session(client, widget)
    saved = SavedReply(public_id="sr_tenantb", tenant_id=tenant.id, shortcut="b", content="B's secret")
    db.session.add(saved)
    db.session.commit()
    return {"conversation": session["conversation_id"], "saved": saved.public_id}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/dashboard/inbox/{conversation}/typing"),
        ("post", "/dashboard/inbox/{conversation}/notes"),
        ("get", "/dashboard/saved-replies/{saved}"),
        ("post", "/dashboard/saved-replies/{saved}"),
        ("post", "/dashboard/saved-replies/{saved}/delete"),
    ],
)
def test_another_tenants_records_are_not_found(dashboard, tenant_b, method, path):
    url = path.format(**tenant_b)
    data = {"data": {"content": "x", "active": "1", "shortcut": "x"}} if method == "post" else {}
    response = getattr(dashboard, method)(url, **data)
    assert response.status_code == 404, url
    assert "B&#39;s secret" not in response.text
    assert db.session.execute(db.select(ConversationNote)).first() is None
    assert db.session.execute(db.select(SavedReply).filter_by(public_id="sr_tenantb")).scalar_one().content == "B's secret"


def test_a_removed_teammates_note_stays_without_a_name(dashboard, waiting, acme):
    _, conversation = waiting
    other = make_admin(acme[0], "kim@acme.test")
    colleague = Dashboard(dashboard.client.application.test_client())
    colleague.sign_in("kim@acme.test")
    colleague.post(_url(conversation, "/notes"), {"content": "Left a note before leaving"})
    db.session.delete(db.session.get(Admin, other.id))
    db.session.commit()
    page = dashboard.get(_url(conversation)).text
    assert "Left a note before leaving" in page and "A former teammate" in page
