"""The live inbox in Chromium: a second admin sees a new waiting conversation appear, with
its tab count, a desktop notification when they asked for one, and then searches for it."""

import pytest

from aurion.extensions import db
from tests.support.dashboard import make_admin, sign_in
from tests.support.sockets import frames_until, send, widget_socket
from tests.support.visitors import start_session_over_http

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

# The browser's Notification, recorded instead of shown (headless Chromium has no desktop).
RECORD_NOTIFICATIONS = """
window.shownNotifications = [];
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.shownNotifications.push({ title, body: options && options.body }); }
};
"""


def test_a_new_waiting_conversation_appears_live_in_a_second_admins_inbox(admin_page, acme, live_server):
    page = admin_page
    teammate = make_admin(acme[0], "sam@acme.test")
    teammate.display_name = "Sam Lee"
    db.session.commit()
    page.add_init_script(RECORD_NOTIFICATIONS)
    sign_in(page, teammate.email)
    page.goto("/dashboard/inbox")
    waiting_tab = page.get_by_role("link", name="Waiting for a person")
    expect(waiting_tab).to_contain_text("0")
    expect(page.get_by_text("No conversation here.")).to_be_visible()
    page.get_by_label("Desktop notification and a sound when a conversation starts waiting").check()

    session = start_session_over_http(live_server, acme[1])
    with widget_socket(live_server, session["token"], "https://shop.example.com") as visitor:
        send(visitor, {"type": "message", "content": "Can I talk to a human about order 1234?"})
        frames_until(visitor, lambda f: f.get("type") == "handoff" and f.get("status") == "waiting")

        # No reload: the row and the count arrive over the inbox's event stream.
        row = page.locator("#inbox-rows li", has_text="Jane Smith")
        expect(row).to_be_visible(timeout=10000)
        expect(waiting_tab).to_contain_text("1")
        expect(page.get_by_text("No conversation here.")).to_be_hidden()
        expect(row).to_contain_text("Unassigned")
        expect(row.locator(".last-message")).to_contain_text("asked a person from our team")
        expect(row.locator(".unread-count")).to_have_text("1")
        # A function, evaluated once: an expression would be eval'd at each poll, which the page's CSP refuses.
        page.wait_for_function("() => window.shownNotifications.length === 1")
        assert "Jane Smith is waiting" in page.evaluate("window.shownNotifications[0].title")

        # The visitor writes again: the row stays one row, its unread count grows.
        send(visitor, {"type": "message", "content": "Hello? Anyone?"})
        expect(row.locator(".unread-count")).to_have_text("2")
        expect(row.locator(".last-message")).to_contain_text("Hello? Anyone?")
        expect(page.locator("#inbox-rows li")).to_have_count(1)

    # The search box finds the visitor's words.
    page.get_by_label("Search messages").fill("order 1234")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results li")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Can I talk to a human about order 1234?")
    results.get_by_role("link", name="Jane Smith").click()
    expect(page.locator("#messages")).to_contain_text("Hello? Anyone?")

    # Assigning it to oneself moves it to "Mine".
    page.get_by_role("button", name="Assign to me").click()
    page.goto("/dashboard/inbox?view=mine")
    expect(page.locator("#inbox-rows li", has_text="Jane Smith")).to_contain_text("Assigned to Sam Lee")
