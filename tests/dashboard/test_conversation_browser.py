"""The conversation page in Chromium: replying without a reload, internal notes seen live
by a teammate and never by the visitor, the `/shortcut` picker, typing shown both ways."""

import json
import re
import time

import pytest

from aurion.extensions import db
from aurion.models import Conversation, SavedReply
from tests.support.browser import (
    RECORD_EVENT_SOURCES,
    axe_violations,
    host_page,
    snippet,
    wait_for_live_stream,
    widget_part,
)
from tests.support.bundle import built_bundle
from tests.support.dashboard import make_admin, sign_in
from tests.support.sockets import frames_until, received, send, widget_socket
from tests.support.visitors import start_session_over_http

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def second_admin_page(chromium, live_server):
    """Another teammate's browser on the live server."""
    context = chromium.new_context(base_url=live_server)
    yield context.new_page()
    context.close()


def _waiting(visitor) -> str:
    """Ask for a person over the visitor's socket, and wait until the conversation waits for one."""
    send(visitor, {"type": "message", "content": "Can I talk to a human?"})
    frames_until(visitor, lambda f: f.get("type") == "handoff" and f.get("status") == "waiting")


def test_reply_note_and_saved_reply_without_a_reload(admin_page, second_admin_page, acme, live_server):
    page, widget = admin_page, acme[1]
    db.session.add(SavedReply(public_id="sr_refund", tenant_id=acme[0].id, shortcut="refund", content="Refunds take 5 to 10 days."))
    db.session.add(SavedReply(public_id="sr_hello", tenant_id=acme[0].id, shortcut="hello", content="Hello! How can I help?"))
    db.session.commit()
    make_admin(acme[0], "kim@acme.test")
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"], "https://shop.example.com") as visitor:
        _waiting(visitor)
        url = f"/dashboard/inbox/{session['conversation_id']}"
        sign_in(page, acme[2].email)
        page.goto(url)
        sign_in(second_admin_page, "kim@acme.test")
        second_admin_page.goto(url)
        expect(second_admin_page.locator("#messages")).to_contain_text("Can I talk to a human?")
        page.evaluate("window.stillTheSamePage = true")

        # The picker: "/re" lists /refund; Enter inserts it.
        box = page.get_by_label("Your reply")
        box.press_sequentially("Sure. /re")
        options = page.get_by_role("listbox", name="Saved replies").get_by_role("option")
        expect(options).to_have_count(1)
        expect(options.first).to_contain_text("/refund")
        expect(options.first).to_have_attribute("aria-selected", "true")
        expect(box).to_have_attribute("aria-activedescendant", "saved-reply-0")
        expect(page.locator("#picker-status")).to_contain_text("1 saved reply matches")
        assert axe_violations(page, "#reply-form", "#notes", ".visitor-details") == []
        box.press("Enter")
        expect(box).to_have_value("Sure. Refunds take 5 to 10 days.")
        expect(page.get_by_role("listbox", name="Saved replies")).to_be_hidden()

        page.get_by_role("button", name="Send reply").click()
        reply = frames_until(visitor, lambda f: f.get("type") == "message" and f.get("sender") == "human")[-1]
        assert reply["content"] == "Sure. Refunds take 5 to 10 days."
        sent = page.locator("#messages li.from-human")
        expect(sent).to_have_count(1)
        expect(sent).to_contain_text("Sure. Refunds take 5 to 10 days.")
        expect(box).to_have_value("")
        expect(page.locator("#status")).to_have_text("With a person")
        expect(page.get_by_role("button", name="Hand back to the agent")).to_be_visible()

        page.get_by_label("Note for your team").fill("Order 1234 was refunded already.")
        page.get_by_role("button", name="Add note").click()
        for admin in (page, second_admin_page):
            note = admin.locator("#messages li.note")
            expect(note).to_have_count(1)
            expect(note).to_contain_text("Internal note")
            expect(note).to_contain_text("Order 1234 was refunded already.")
        expect(page.get_by_label("Note for your team")).to_have_value("")
        assert page.evaluate("window.stillTheSamePage") is True  # no reload, no navigation

        # The visitor's socket heard the reply, never the note.
        later = [json.loads(raw) for raw in received(visitor, 1.0)]
    assert all(frame.get("type") != "note" and "refunded already" not in json.dumps(frame) for frame in later)


def test_an_arrow_key_chooses_another_saved_reply_and_escape_closes(admin_page, acme, live_server):
    page, widget = admin_page, acme[1]
    for shortcut in ("hello", "help", "refund"):
        db.session.add(SavedReply(public_id=f"sr_{shortcut}", tenant_id=acme[0].id, shortcut=shortcut, content=f"Text of {shortcut}"))
    db.session.commit()
    session = start_session_over_http(live_server, widget)
    sign_in(page, acme[2].email)
    page.goto(f"/dashboard/inbox/{session['conversation_id']}")
    box = page.get_by_label("Your reply")
    box.press_sequentially("/he")
    options = page.get_by_role("listbox", name="Saved replies").get_by_role("option")
    expect(options).to_have_count(2)
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("Text of help")
    box.press_sequentially(" /zz")
    expect(page.locator("#picker-status")).to_have_text("No saved reply starts with that.")
    box.fill("")
    box.press_sequentially("/r")
    expect(options).to_have_count(1)
    box.press("Escape")
    expect(page.get_by_role("listbox", name="Saved replies")).to_be_hidden()
    expect(box).to_have_value("/r")


def test_typing_shows_both_ways(admin_page, chromium, acme, live_server, host_site):
    page, widget = admin_page, acme[1]
    widget.allowed_domains = ["localhost"]
    widget.allow_anonymous = True
    acme[2].display_name = "Sam Lee"
    db.session.commit()
    built_bundle()
    context = chromium.new_context()
    try:
        visitor_page = context.new_page()
        visitor_page.goto(host_site.add("/", host_page(snippet(live_server, widget.public_id))))
        widget_part(visitor_page, ".launcher").click()
        panel = widget_part(visitor_page, "[role=dialog]")
        expect(panel.locator(".status")).to_be_empty()  # connected: the session exists
        token = visitor_page.evaluate(f"JSON.parse(localStorage.getItem('aurion:{widget.public_id}')).token")
        db.session.expire_all()
        conversation = db.session.execute(db.select(Conversation).filter_by(widget_id=widget.id)).scalar_one()

        sign_in(page, acme[2].email)
        page.add_init_script(RECORD_EVENT_SOURCES)
        page.goto(f"/dashboard/inbox/{conversation.public_id}")
        typing = page.locator("#typing")
        # Typing is not stored: a frame sent before the page's stream is open is not shown.
        wait_for_live_stream(page)

        # The visitor's typing (a frame of their socket) shows in the conversation.
        with widget_socket(live_server, token, host_site.origin) as visitor:
            send(visitor, {"type": "typing", "active": True})
            expect(typing).to_have_text("The visitor is typing…")
            send(visitor, {"type": "typing", "active": False})
            expect(typing).to_have_text("")

        # The teammate's typing shows in the widget, and stops with the reply.
        page.get_by_label("Your reply").press_sequentially("Hello from Sam")
        indicator = panel.locator(".typing")
        expect(indicator).to_be_visible()
        expect(indicator).to_contain_text(re.compile("Sam|person", re.IGNORECASE))
        page.get_by_role("button", name="Send reply").click()
        expect(panel.locator(".msg").last).to_contain_text("Hello from Sam")
        expect(indicator).to_have_count(0)
        expect(typing).to_have_text("")  # one's own typing is not shown to oneself
    finally:
        context.close()


def test_messages_arriving_on_the_open_conversation_page_are_not_counted_unread(admin_page, acme, live_server):
    page = admin_page
    session = start_session_over_http(live_server, acme[1])
    conversation_id = session["conversation_id"]
    with widget_socket(live_server, session["token"], "https://shop.example.com") as visitor:
        _waiting(visitor)
        sign_in(page, acme[2].email)
        page.add_init_script(RECORD_EVENT_SOURCES)
        page.goto(f"/dashboard/inbox/{conversation_id}")
        wait_for_live_stream(page)
        # The same teammate's inbox, in another tab of the same browser.
        inbox = page.context.new_page()
        inbox.goto("/dashboard/inbox")
        unread = inbox.locator(f'#inbox-rows li[data-id="{conversation_id}"] .unread')
        expect(unread).to_be_hidden()

        send(visitor, {"type": "message", "content": "Are you still there?"})
        expect(page.locator("#messages")).to_contain_text("Are you still there?")
        # The page in view told the server it was seen: a fresh inbox, and the open one, count nothing unread.
        fresh = page.context.new_page()
        deadline = time.monotonic() + 10
        while True:
            fresh.goto("/dashboard/inbox")
            if fresh.locator(f'#inbox-rows li[data-id="{conversation_id}"] .unread').is_hidden() or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        expect(fresh.locator(f'#inbox-rows li[data-id="{conversation_id}"] .unread')).to_be_hidden()
        expect(unread).to_be_hidden()
