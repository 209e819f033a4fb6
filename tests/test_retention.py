"""Data hygiene from the command line and the API: `prune`, `forget-visitor`, `DELETE /api/v1/visitors`.

Files are checked on disk, and another tenant's visitor with the same email is untouched.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from aurion.extensions import db
from aurion.models import (
    Attachment,
    Call,
    Conversation,
    Message,
    UnansweredQuestion,
    Visitor,
    WebhookDelivery,
    WidgetSession,
)
from aurion.schemas.webhooks import WebhookInput
from aurion.services.api_keys import create_api_key
from aurion.services.tenants import create_tenant
from aurion.services.uploads import recording_path, upload_dir
from aurion.services.webhooks import create_webhook
from aurion.timestamps import utcnow
from tests.support.calls import seed_call
from tests.support.visitors import bearer, say_with_file, start_session, upload

VISITORS = "/api/v1/visitors"
EMAIL = "jane@example.com"


def last_line(result) -> str:
    return result.output.strip().splitlines()[-1]


def _files_of(conversation_public_id: str) -> list[Path]:
    conversation = db.session.execute(db.select(Conversation).filter_by(public_id=conversation_public_id)).scalar_one()
    rows = db.session.execute(db.select(Attachment).filter_by(conversation_id=conversation.id)).scalars()
    return [upload_dir() / row.storage_name for row in rows]


def _count(model, **filters) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model).filter_by(**filters)).scalar_one()


@pytest.fixture
def two_tenants(app, client, make_tenant):
    """Jane visits acme (two widgets' worth: one here) and globex, each time with a file; returns their sessions."""
    acme = make_tenant("acme", scopes=["conversations:write"])
    globex = make_tenant("globex", scopes=["conversations:write"])
    sessions = {}
    for name, (_, widget, key) in (("acme", acme), ("globex", globex)):
        session = start_session(client, widget, EMAIL)
        say_with_file(client, session)
        sessions[name] = {"session": session, "key": key, "widget": widget}
    app.extensions["aurion_agent"].drain()
    return sessions


def _assert_erased(sessions: dict, name: str, files: list[Path]) -> None:
    conversation_id = sessions[name]["session"]["conversation_id"]
    assert _count(Conversation, public_id=conversation_id) == 0
    assert _count(Visitor, public_id=sessions[name]["session"]["visitor_id"]) == 0
    assert _count(WidgetSession, public_id=sessions[name]["session"]["session_id"]) == 0
    assert files and not any(path.exists() for path in files)


def _assert_kept(sessions: dict, name: str, files: list[Path]) -> None:
    assert _count(Visitor, public_id=sessions[name]["session"]["visitor_id"]) == 1
    assert files and all(path.exists() for path in files)


def test_forget_visitor_over_the_api_erases_only_this_tenants_visitor(client, two_tenants):
    acme_files = _files_of(two_tenants["acme"]["session"]["conversation_id"])
    globex_files = _files_of(two_tenants["globex"]["session"]["conversation_id"])
    response = client.delete(f"{VISITORS}?email=Jane@Example.com", headers={"X-API-Key": two_tenants["acme"]["key"]})
    assert response.status_code == 200, response.get_json()
    erased = response.get_json()
    assert erased["visitors"] == 1 and erased["conversations"] == 1 and erased["files"] == 1
    assert erased["messages"] >= 2  # the visitor's and the agent's answer
    _assert_erased(two_tenants, "acme", acme_files)
    _assert_kept(two_tenants, "globex", globex_files)
    # The erased session's bearer no longer works; erasing again finds nothing.
    history = client.get("/api/v1/widget/history", headers=bearer(two_tenants["acme"]["session"]))
    assert history.status_code == 401
    again = client.delete(f"{VISITORS}?email={EMAIL}", headers={"X-API-Key": two_tenants["acme"]["key"]})
    assert again.get_json() == {"visitors": 0, "conversations": 0, "messages": 0, "files": 0}


def test_forget_visitor_needs_the_scope_an_email_and_a_widget_of_the_tenant(client, make_tenant, two_tenants):
    reader = make_tenant("initech", scopes=["conversations:read"])[2]
    assert client.delete(f"{VISITORS}?email={EMAIL}", headers={"X-API-Key": reader}).status_code == 403
    key = {"X-API-Key": two_tenants["acme"]["key"]}
    for query in ("", "?email=", "?email=jane", "?email=ja%00ne@example.com", "?email=" + "a" * 250 + "@example.com"):
        response = client.delete(VISITORS + query, headers=key)
        assert response.status_code == 422 and response.get_json()["field"] == "email", query
    other_widget = two_tenants["globex"]["widget"].public_id
    assert client.delete(f"{VISITORS}?email={EMAIL}&widget_id={other_widget}", headers=key).status_code == 404
    assert _count(Visitor, email=EMAIL) == 2


def test_forget_visitor_on_the_command_line_reaches_every_tenant_or_one_widget(runner, two_tenants):
    globex_files = _files_of(two_tenants["globex"]["session"]["conversation_id"])
    acme_files = _files_of(two_tenants["acme"]["session"]["conversation_id"])
    widget = two_tenants["globex"]["widget"].public_id
    result = runner.invoke(args=["aurion", "forget-visitor", "--email", EMAIL, "--widget-id", widget])
    assert result.exit_code == 0, result.output
    assert json.loads(last_line(result))["visitors"] == 1
    _assert_erased(two_tenants, "globex", globex_files)
    _assert_kept(two_tenants, "acme", acme_files)
    everywhere = runner.invoke(args=["aurion", "forget-visitor", "--email", EMAIL])
    assert json.loads(last_line(everywhere))["visitors"] == 1
    assert _count(Visitor, email=EMAIL) == 0 and _count(Message) == 0 and _count(UnansweredQuestion) == 0
    assert not any(path.exists() for path in acme_files)


@pytest.mark.parametrize("args", [["--email", "not-an-address"], ["--email", EMAIL, "--widget-id", "wgt_nothing"]])
def test_forget_visitor_refuses_bad_input_clearly(runner, args):
    result = runner.invoke(args=["aurion", "forget-visitor", *args])
    assert result.exit_code != 0 and "Error" in result.output


def test_prune_deletes_expired_sessions_and_day_old_orphan_uploads_with_their_files(app, client, runner, make_tenant):
    widget = make_tenant("acme")[1]
    expired, live = start_session(client, widget, "old@example.com"), start_session(client, widget, "new@example.com")
    sent = say_with_file(client, live)
    old_orphan, fresh_orphan = upload(client, expired, b"never sent"), upload(client, live, b"a draft")
    app.extensions["aurion_agent"].drain()
    day_ago = utcnow() - timedelta(days=1, minutes=1)
    db.session.execute(db.update(WidgetSession).filter_by(public_id=expired["session_id"]).values(expires_at=utcnow()))
    db.session.execute(db.update(Attachment).values(created_at=day_ago))
    db.session.execute(db.update(Attachment).filter_by(public_id=fresh_orphan["id"]).values(created_at=utcnow()))
    db.session.commit()
    paths = {
        row.public_id: upload_dir() / row.storage_name for row in db.session.execute(db.select(Attachment)).scalars()
    }
    stray = upload_dir() / ("0" * 32)
    stray.write_bytes(b"left by a crash")
    os.utime(stray, (day_ago.timestamp(), day_ago.timestamp()))

    result = runner.invoke(args=["aurion", "prune"])
    assert result.exit_code == 0, result.output
    assert json.loads(last_line(result)) == {"sessions": 1, "uploads": 1, "stray_files": 1, "call_recordings": 0}
    assert not paths[old_orphan["id"]].exists() and not stray.exists()
    assert paths[fresh_orphan["id"]].exists() and paths[sent["attachments"][0]["id"]].exists()
    assert _count(WidgetSession, public_id=expired["session_id"]) == 0
    assert _count(WidgetSession, public_id=live["session_id"]) == 1
    assert _count(Attachment) == 2
    assert json.loads(last_line(runner.invoke(args=["aurion", "prune"]))) == {"sessions": 0, "uploads": 0, "stray_files": 0, "call_recordings": 0}


def test_forgetting_a_visitor_drops_the_stored_webhook_bodies_about_them(make_app):
    app = make_app(AURION_WEBHOOKS_ALLOW_PRIVATE=True)
    with app.app_context():
        tenant = create_tenant("acme")
        _, key = create_api_key(tenant, ["conversations:write"])
        events = ["conversation.created", "message.created"]
        create_webhook(tenant, WebhookInput(url="https://127.0.0.1/hooks", events=events))
        client = app.test_client()
        jane = start_session(client, tenant.widgets[0], EMAIL)
        bob = start_session(client, tenant.widgets[0], "bob@example.com")
        app.extensions["aurion_agent"].drain()

        def bodies_naming(session) -> int:
            deliveries = db.session.execute(db.select(WebhookDelivery.body)).scalars()
            return sum(f'"{session["conversation_id"]}"' in body for body in deliveries)

        assert bodies_naming(jane) >= 1 and bodies_naming(bob) >= 1
        assert client.delete(f"{VISITORS}?email={EMAIL}", headers={"X-API-Key": key}).status_code == 200
        assert bodies_naming(jane) == 0 and bodies_naming(bob) >= 1


def test_forgetting_a_visitor_erases_their_calls_and_recordings(app, runner, make_tenant):
    _, widget, _ = make_tenant("acme")
    call = seed_call(widget, recorded=True)
    recording = recording_path(call)
    db.session.get(Conversation, call.conversation_id).visitor.email = EMAIL
    db.session.commit()
    assert recording.exists()
    result = runner.invoke(args=["aurion", "forget-visitor", "--email", EMAIL])
    assert result.exit_code == 0, result.output
    assert _count(Call) == 0 and not recording.exists()
