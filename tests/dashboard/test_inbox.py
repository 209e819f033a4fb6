"""The inbox: filters, the conversation view, replying, hand-off, closing, attachments,
voice transcripts; and tenant isolation of every page that names a record."""

import io
import time

import pytest

from aurion.extensions import db
from aurion.models import Conversation
from aurion.services.conversations import request_handoff, store_message
from aurion.services.knowledge import create_article
from aurion.services.messages import add_visitor_message
from aurion.services.sessions import session_from_bearer
from tests.support.attachments import tiny_png
from tests.support.dashboard import Dashboard, make_admin
from tests.support.visitors import HISTORY_URL, UPLOADS_URL, bearer, start_session


def _history(client, session) -> list[dict]:
    return client.get(HISTORY_URL, headers=bearer(session)).get_json()["messages"]


def test_inbox_filters_by_status(dashboard, waiting):
    _, conversation = waiting
    assert "Jane Smith" in dashboard.get("/dashboard/inbox").text  # waiting is the default tab
    assert "Jane Smith" in dashboard.get("/dashboard/inbox?status=waiting").text
    for other in ("agent", "human", "closed"):
        assert "Jane Smith" not in dashboard.get(f"/dashboard/inbox?status={other}").text


def test_conversation_view_shows_the_thread_and_its_live_feed(dashboard, waiting):
    _, conversation = waiting
    page = dashboard.get(f"/dashboard/inbox/{conversation.public_id}").text
    assert "Can I talk to a human?" in page and "Waiting for a person" in page
    assert f'data-events-url="/dashboard/inbox/{conversation.public_id}/events"' in page


def test_reply_as_a_person_reaches_the_visitor_and_takes_over(client, dashboard, waiting):
    session, conversation = waiting
    response = dashboard.post(f"/dashboard/inbox/{conversation.public_id}/reply", {"content": "Hi Jane, Sam here."})
    assert response.status_code == 302
    last = _history(client, session)[-1]
    assert last["sender"] == "human" and last["content"] == "Hi Jane, Sam here."
    db.session.refresh(conversation)
    assert conversation.status == "human"
    assert "Jane Smith" in dashboard.get("/dashboard/inbox?status=human").text


def test_an_empty_reply_is_refused_beside_the_box(dashboard, waiting):
    _, conversation = waiting
    response = dashboard.post(f"/dashboard/inbox/{conversation.public_id}/reply", {"content": "  "})
    assert response.status_code == 422 and 'id="content-error"' in response.text


def test_take_over_hand_back_and_close(client, dashboard, waiting):
    session, conversation = waiting
    base = f"/dashboard/inbox/{conversation.public_id}"
    dashboard.post(base + "/assign", {"to": "human"})
    db.session.refresh(conversation)
    assert conversation.status == "human"
    assert "Hand back to the agent" in dashboard.get(base).text
    dashboard.post(base + "/assign", {"to": "agent"})
    db.session.refresh(conversation)
    assert conversation.status == "agent"
    assert _history(client, session)[-1]["content"].startswith("You're chatting with our AI assistant again")
    dashboard.post(base + "/close")
    db.session.refresh(conversation)
    assert conversation.status == "closed"
    assert "This conversation is closed" in dashboard.get(base).text


def test_handing_back_leaves_what_a_person_handled_unanswered_by_the_agent(client, dashboard, waiting):
    """The visitor asked for a person and got one: handed back, the agent must not answer that
    old request again (and hand off again) when the visitor comes back."""
    session, conversation = waiting
    base = f"/dashboard/inbox/{conversation.public_id}"
    dashboard.post(base + "/assign", {"to": "human"})
    dashboard.post(base + "/assign", {"to": "agent"})
    client.get(HISTORY_URL, headers=bearer(session))  # the visitor comes back
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        db.session.refresh(conversation)
        assert conversation.status == "agent"
        time.sleep(0.1)
    assert _history(client, session)[-1]["content"].startswith("You're chatting with our AI assistant again")


def test_voice_turns_show_as_transcripts(dashboard, waiting):
    _, conversation = waiting
    store_message(conversation, "agent", "Sure, one moment.", "voice")
    page = dashboard.get(f"/dashboard/inbox/{conversation.public_id}").text
    assert page.count("Voice transcript") == 1
    assert page.index("Voice transcript") > page.index("Can I talk to a human?")


def test_admin_opens_a_visitors_attachment(client, dashboard, waiting):
    session, conversation = waiting
    upload = client.post(UPLOADS_URL, data={"file": (io.BytesIO(tiny_png()), "photo.png")}, headers=bearer(session))
    attachment_id = upload.get_json()["id"]
    client.post("/api/v1/widget/messages", json={"content": "Here", "attachment_ids": [attachment_id]}, headers=bearer(session))
    page = dashboard.get(f"/dashboard/inbox/{conversation.public_id}").text
    assert f'href="/dashboard/attachments/{attachment_id}"' in page
    with dashboard.get(f"/dashboard/attachments/{attachment_id}") as response:
        assert response.status_code == 200 and response.data == tiny_png()
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.fixture
def tenant_b(app, client, make_tenant):
    """Tenant B's widget, article, conversation and attachment ids, and B's admin signed in elsewhere."""
    tenant, widget, _ = make_tenant("tenant-b")
    article = create_article(widget, {"title": "B's secret", "body": "Only for B."})
    session = start_session(client, widget)
    upload = client.post(UPLOADS_URL, data={"file": (io.BytesIO(tiny_png()), "b.png")}, headers=bearer(session))
    return {
        "widget": widget.public_id,
        "article": article.id,
        "conversation": session["conversation_id"],
        "attachment": upload.get_json()["id"],
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/dashboard/widgets/{widget}"),
        ("post", "/dashboard/widgets/{widget}"),
        ("get", "/dashboard/widgets/{widget}/preview"),
        ("get", "/dashboard/widgets/{widget}/identity"),
        ("post", "/dashboard/widgets/{widget}/identity"),
        ("post", "/dashboard/widgets/{widget}/regenerate"),
        ("post", "/dashboard/widgets/{widget}/delete"),
        ("get", "/dashboard/widgets/{widget}/readiness"),
        ("get", "/dashboard/widgets/{widget}/articles"),
        ("post", "/dashboard/widgets/{widget}/articles"),
        ("get", "/dashboard/widgets/{widget}/articles/{article}"),
        ("post", "/dashboard/widgets/{widget}/articles/{article}/delete"),
        ("get", "/dashboard/inbox/{conversation}"),
        ("get", "/dashboard/inbox/{conversation}/events"),
        ("post", "/dashboard/inbox/{conversation}/reply"),
        ("post", "/dashboard/inbox/{conversation}/assign"),
        ("post", "/dashboard/inbox/{conversation}/assignee"),
        ("post", "/dashboard/inbox/{conversation}/close"),
        ("get", "/dashboard/attachments/{attachment}"),
    ],
)
def test_an_admin_of_tenant_a_cannot_reach_tenant_b_by_url(dashboard, tenant_b, method, path):
    url = path.format(**tenant_b)
    response = getattr(dashboard, method)(url, **({"data": {"content": "x", "to": "human", "title": "x", "body": "y"}} if method == "post" else {}))
    assert response.status_code == 404, url
    assert "B&#39;s secret" not in response.text and "Only for B" not in response.text


def test_an_article_of_another_widget_is_not_found_under_mine(dashboard, acme, tenant_b):
    response = dashboard.get(f"/dashboard/widgets/{acme[1].public_id}/articles/{tenant_b['article']}")
    assert response.status_code == 404


def test_a_key_of_another_tenant_cannot_be_revoked(app, dashboard, make_tenant):
    from aurion.models import ApiKey

    tenant = make_tenant("tenant-b")[0]
    key_b = db.session.execute(db.select(ApiKey).filter_by(tenant_id=tenant.id)).scalar_one()
    assert dashboard.post(f"/dashboard/keys/{key_b.id}/revoke").status_code == 404
    db.session.refresh(key_b)
    assert key_b.revoked_at is None


def test_inbox_lists_only_my_tenants_conversations(app, dashboard, tenant_b):
    for status in ("agent", "waiting"):
        assert tenant_b["conversation"] not in dashboard.get(f"/dashboard/inbox?status={status}").text
    other = Dashboard(app.test_client())
    tenant = db.session.execute(db.select(Conversation).filter_by(public_id=tenant_b["conversation"])).scalar_one().widget.tenant
    make_admin(tenant, "bob@b.test")
    other.sign_in("bob@b.test")
    assert tenant_b["conversation"] in other.get("/dashboard/inbox?status=agent").text


def test_the_inbox_marks_arrivals_while_away_and_shows_ratings_and_what_email_does_not_send(client, dashboard, acme):
    widget = acme[1]
    widget.business_hours = {"timezone": "UTC", "weekly": {}, "closed_dates": []}  # never in
    db.session.commit()
    session = start_session(client, widget, display_name="Jane Smith")
    widget_session = session_from_bearer(session["token"])
    add_visitor_message(widget_session, "Can I talk to a human?")
    request_handoff(widget_session.conversation)
    waiting = dashboard.get("/dashboard/inbox").text
    assert "Arrived while away" in waiting
    assert "Email is off" in waiting and "conversation transcripts to visitors" in waiting

    client.post("/api/v1/widget/end", headers=bearer(session))
    client.put("/api/v1/widget/rating", json={"score": "bad", "comment": "Nobody came"}, headers=bearer(session))
    assert "Rated bad" in dashboard.get("/dashboard/inbox?status=closed").text
    page = dashboard.get(f"/dashboard/inbox/{session['conversation_id']}").text
    assert "Rated <strong>bad</strong> by the visitor" in page and "Nobody came" in page
