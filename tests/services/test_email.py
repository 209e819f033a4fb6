"""Email through a real SMTP server in the test process: every kind of email that is sent,
and a failing or slow server that neither blocks nor fails a request."""

import time
from datetime import timedelta

import pytest

from aurion.extensions import db
from aurion.models import Admin, Conversation, OutgoingEmail
from aurion.timestamps import utcnow
from tests.support.dashboard import Dashboard, make_admin
from tests.support.smtp_server import body, smtp_server
from tests.support.visitors import bearer, start_session

# The agent decides the hand-off with the embedding model, which a busy machine loads slowly.
HAND_OFF_SECONDS = 60
FAST = {"AURION_EMAIL_POLL_SECONDS": 0.1, "AURION_EMAIL_FIRST_RETRY_SECONDS": 0.2, "AURION_SMTP_TIMEOUT": 5}


@pytest.fixture
def mail():
    with smtp_server() as server:
        yield server


@pytest.fixture
def loops():
    started = []
    yield started
    for app in started:
        app.extensions["aurion_email"].stop()


@pytest.fixture
def app(make_app, mail, loops):
    """An app that sends email to the test's SMTP server from its running loop."""
    app = make_app(AURION_SMTP_URL=mail[0], AURION_EMAIL_DELIVER=True, AURION_EMAIL_FROM="Acme <help@acme.example>", **FAST)
    loops.append(app)
    app.extensions["aurion_email"].start()
    with app.app_context():
        yield app


@pytest.fixture
def shop(make_tenant):
    tenant, widget, key = make_tenant("acme", scopes=["conversations:write"], primary_color="#0EA5E9", allow_anonymous=True)
    widget.name = "Acme help"
    db.session.commit()
    make_admin(tenant, "owner@acme.example")
    make_admin(tenant, "second@acme.example")
    return widget, {"X-API-Key": key}


@pytest.fixture
def admin_client(app, shop):
    """The owner, signed in to the dashboard (which makes them online from then on)."""
    dashboard = Dashboard(app.test_client())
    assert dashboard.sign_in("owner@acme.example").status_code == 302
    return dashboard


def queued_email(until, timeout: float = 15.0) -> OutgoingEmail:
    """The one queued email, once `until(email)` holds (the loop records attempts in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        email = db.session.execute(db.select(OutgoingEmail)).scalar_one()
        if until(email) or time.monotonic() > deadline:
            return email
        time.sleep(0.1)


def ask_for_a_person(client, session):
    client.post("/api/v1/widget/messages", json={"content": "Can I talk to a human?"}, headers=bearer(session))


def test_a_waiting_conversation_emails_each_admin_once_when_none_is_online(client, shop, mail):
    widget, _ = shop
    _, mailbox = mail
    session = start_session(client, widget, display_name="Jane Smith")
    ask_for_a_person(client, session)
    received = mailbox.wait_for(2, timeout=HAND_OFF_SECONDS)
    assert sorted(message["To"] for message in received) == ["owner@acme.example", "second@acme.example"]
    message = received[0]
    assert message["From"] == "Acme <help@acme.example>"
    assert message["Subject"] == "Jane Smith is waiting for a person on Acme help"
    assert "Can I talk to a human?" in body(message, "plain")
    assert f"/dashboard/inbox/{session['conversation_id']}" in body(message, "plain")
    html = body(message, "html")
    assert "Acme help" in html and "#0EA5E9" in html

    # Handed back and asked again: still one email per conversation and admin.
    client.post(
        f"/api/v1/conversations/{session['conversation_id']}/assign", json={"to": "agent"}, headers=shop[1]
    )
    ask_for_a_person(client, session)
    time.sleep(1)
    assert len(mailbox.messages) == 2


def test_no_waiting_email_while_an_admin_is_online(client, shop, mail):
    widget, _ = shop
    _, mailbox = mail
    admin = db.session.execute(db.select(Admin).filter_by(email="owner@acme.example")).scalar_one()
    admin.last_seen_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    session = start_session(client, widget)
    ask_for_a_person(client, session)
    deadline = time.monotonic() + HAND_OFF_SECONDS
    status = None
    while status != "waiting" and time.monotonic() < deadline:  # the hand-off, and with it the decision to email
        time.sleep(0.1)
        db.session.expire_all()
        status = db.session.execute(db.select(Conversation.status).filter_by(public_id=session["conversation_id"])).scalar()
    assert status == "waiting"
    time.sleep(1)  # longer than the loop's poll
    assert mailbox.messages == [] and db.session.execute(db.select(OutgoingEmail)).first() is None


def test_a_transcript_on_request_and_automatically(client, shop, mail):
    widget, headers = shop
    _, mailbox = mail
    admin = db.session.execute(db.select(Admin).filter_by(email="owner@acme.example")).scalar_one()
    admin.last_seen_at = utcnow()  # online: no waiting email in this test
    db.session.commit()

    session = start_session(client, widget, "jane@example.com")
    client.post("/api/v1/widget/messages", json={"content": "Where is my parcel?"}, headers=bearer(session))
    open_yet = client.post("/api/v1/widget/transcript", headers=bearer(session))
    assert open_yet.status_code == 409
    client.post("/api/v1/widget/end", headers=bearer(session))
    asked = client.post("/api/v1/widget/transcript", headers=bearer(session))
    assert asked.status_code == 202 and asked.get_json() == {"sent_to": "jane@example.com"}
    again = client.post("/api/v1/widget/transcript", headers=bearer(session))
    assert again.status_code == 202
    [transcript] = mailbox.wait_for(1)
    assert transcript["To"] == "jane@example.com"
    assert transcript["Subject"] == "Your conversation with Acme help"
    assert "Where is my parcel?" in body(transcript, "plain")
    assert "Where is my parcel?" in body(transcript, "html") and "#0EA5E9" in body(transcript, "html")

    # Automatically on closing, to the address an anonymous visitor left.
    widget.transcript_auto = True
    db.session.commit()
    anonymous = client.post("/api/v1/widget/session", json={"widget_id": widget.public_id}).get_json()
    client.post("/api/v1/widget/messages", json={"content": "Do you ship to Canada?"}, headers=bearer(anonymous))
    client.post("/api/v1/widget/contact", json={"email": "sam@example.org"}, headers=bearer(anonymous))
    client.post(f"/api/v1/conversations/{anonymous['conversation_id']}/close", headers=headers)
    received = mailbox.wait_for(2)
    assert received[1]["To"] == "sam@example.org" and "Do you ship to Canada?" in body(received[1], "plain")
    time.sleep(0.5)
    assert len(mailbox.messages) == 2  # the on-request transcript went once


def test_an_anonymous_visitor_without_an_address_is_asked_for_one(client, shop):
    widget, _ = shop
    anonymous = client.post("/api/v1/widget/session", json={"widget_id": widget.public_id}).get_json()
    client.post("/api/v1/widget/end", headers=bearer(anonymous))
    refused = client.post("/api/v1/widget/transcript", headers=bearer(anonymous))
    assert refused.status_code == 422 and refused.get_json()["field"] == "email"


def test_a_refusing_then_slow_server_neither_blocks_nor_fails_requests_and_is_retried(client, shop, mail):
    widget, _ = shop
    _, mailbox = mail
    mailbox.refusing = True
    mailbox.delay = 3.0
    session = start_session(client, widget)
    client.post("/api/v1/widget/end", headers=bearer(session))
    started = time.monotonic()
    asked = client.post("/api/v1/widget/transcript", headers=bearer(session))
    other = start_session(client, widget, "sam@example.org")  # while the loop waits on the server
    assert time.monotonic() - started < 2.0
    assert asked.status_code == 202 and other["token"]

    email = queued_email(lambda email: email.last_error)
    assert email.status == "pending" and "451" in email.last_error and email.attempts >= 1

    mailbox.refusing, mailbox.delay = False, 0.0
    [message] = mailbox.wait_for(1)
    assert message["To"] == "jane@example.com"
    email = queued_email(lambda email: email.status == "sent")
    assert email.status == "sent" and email.last_error is None and email.sent_at is not None


def test_an_email_that_keeps_failing_for_a_day_is_marked_failed_and_shown(client, shop, mail, admin_client):
    widget, _ = shop
    _, mailbox = mail
    mailbox.refusing = True
    session = start_session(client, widget)
    client.post("/api/v1/widget/end", headers=bearer(session))
    client.post("/api/v1/widget/transcript", headers=bearer(session))
    email = db.session.execute(db.select(OutgoingEmail)).scalar_one()
    email.created_at -= timedelta(days=1)
    db.session.commit()
    email = queued_email(lambda email: email.status == "failed")
    assert email.status == "failed" and "451" in email.last_error
    inbox = admin_client.get("/dashboard/inbox?status=closed")
    assert "Emails that could not be sent" in inbox.text and "transcript to jane@example.com" in inbox.text


def test_without_smtp_nothing_is_queued(make_app, make_tenant):
    app = make_app()
    with app.app_context():
        _, widget, _ = make_tenant("quiet")
        client = app.test_client()
        config = client.get(f"/api/v1/voice-widget/embed/config/{widget.public_id}").get_json()
        assert config["transcripts"] is False
        session = start_session(client, widget)
        client.post("/api/v1/widget/end", headers=bearer(session))
        refused = client.post("/api/v1/widget/transcript", headers=bearer(session))
        assert refused.status_code == 409 and refused.get_json()["code"] == "email_off"
        assert db.session.execute(db.select(OutgoingEmail)).first() is None


def test_an_invitation_is_emailed_with_its_one_time_link(admin_client, mail):
    _, mailbox = mail
    response = admin_client.post("/dashboard/team/invitations", {"email": "new@acme.example", "role": "agent"})
    assert response.status_code == 201 and "We emailed it too." in response.text
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "new@acme.example"
    assert message["Subject"] == "owner invites you to the acme support team on Aurion"
    link = next(line for line in body(message, "plain").splitlines() if "/dashboard/invitations/" in line)
    assert link in response.text and link in body(message, "html")
    assert "as an agent" in body(message, "plain")
