"""The dashboard in Debian's Chromium against a live gunicorn server."""

import re

import pytest

from aurion.extensions import db
from aurion.models import Widget
from tests.support.browser import host_page, widget_part
from tests.support.dashboard import sign_in
from tests.support.sockets import frames_until, send, widget_socket
from tests.support.visitors import start_session_over_http

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def test_admin_creates_configures_saves_and_copies_a_widget(admin_page, acme, live_server, host_site):
    page = admin_page
    sign_in(page, acme[2].email)
    page.get_by_role("link", name="Voice Widget").click()
    page.get_by_label("Widget name").fill("Shop widget")
    page.get_by_role("button", name="Create Widget").click()
    page.wait_for_url(re.compile(r".*/dashboard/widgets/wgt_[^/]+$"))
    public_id = page.url.rsplit("/", 1)[1]

    page.get_by_label("Greeting").fill("Welcome to the shop!")
    page.get_by_label("Primary colour (hex, like #6366F1)").fill("#0EA5E9")
    page.get_by_label("Allowed domains").fill("localhost\nshop.example.com")
    # The preview follows the unsaved settings before anything is saved.
    preview = page.frame_locator("#preview")
    script = preview.locator("script[data-preview]")
    # The frame reloads after a pause in typing; expect() waits for the new document.
    expect(script).to_have_attribute("data-greeting", "Welcome to the shop!")
    expect(script).to_have_attribute("data-primary-color", "#0EA5E9")
    # ...and the real widget in the frame renders them.
    expect(preview.locator("aurion-widget [role=dialog] .msg.agent").first).to_contain_text("Welcome to the shop!")
    expect(preview.locator("aurion-widget .launcher")).to_have_css("background-color", "rgb(14, 165, 233)")
    db.session.expire_all()
    assert db.session.execute(db.select(Widget).filter_by(public_id=public_id)).scalar_one().greeting != "Welcome to the shop!"

    page.get_by_role("button", name="Save widget").click()
    page.wait_for_selector("text=Widget saved")
    db.session.expire_all()
    widget = db.session.execute(db.select(Widget).filter_by(public_id=public_id)).scalar_one()
    assert (widget.greeting, widget.primary_color, widget.allowed_domains) == ("Welcome to the shop!", "#0EA5E9", ["localhost", "shop.example.com"])

    page.locator("#snippet + button").click()
    page.wait_for_selector("text=Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f'<script src="{live_server}/api/v1/voice-widget/embed/aurion.js" data-widget-id="{public_id}" async></script>'

    # The copied snippet on a page of an allowed domain shows the widget as saved.
    page.goto(host_site.add("/", host_page(copied)))
    launcher = widget_part(page, ".launcher")
    expect(launcher).to_have_css("background-color", "rgb(14, 165, 233)")
    launcher.click()
    expect(widget_part(page, "[role=dialog] .msg.agent").first).to_contain_text("Welcome to the shop!")


def test_the_builder_says_what_is_wrong_beside_the_field(admin_page, acme):
    page = admin_page
    sign_in(page, acme[2].email)
    page.goto(f"/dashboard/widgets/{acme[1].public_id}")
    page.get_by_label("Primary colour (hex, like #6366F1)").fill("teal")
    page.get_by_role("button", name="Save widget").click()
    error = page.locator("#primary_color-error")
    assert "hex colour" in error.inner_text()
    assert page.get_by_label("Primary colour (hex, like #6366F1)").get_attribute("aria-describedby") == "primary_color-error"


def test_visitor_asks_for_a_person_and_sees_the_admins_reply_live(admin_page, acme, live_server):
    page = admin_page
    widget = acme[1]
    session = start_session_over_http(live_server, widget)
    with widget_socket(live_server, session["token"], "https://shop.example.com") as visitor:
        send(visitor, {"type": "message", "content": "Can I talk to a human?"})
        frames_until(visitor, lambda f: f.get("type") == "handoff" and f.get("status") == "waiting")

        sign_in(page, acme[2].email)
        page.get_by_role("link", name="Inbox").click()
        page.get_by_role("link", name="Waiting for a person").click()
        page.get_by_role("link", name="Jane Smith").click()
        page.wait_for_selector("text=Can I talk to a human?")

        # The conversation view updates live as the visitor writes.
        send(visitor, {"type": "message", "content": "It's about order 1234."})
        page.wait_for_selector("#messages >> text=It's about order 1234.", timeout=10000)

        page.get_by_label("Your reply").fill("Hi Jane, Sam here. Let me look.")
        page.get_by_role("button", name="Send reply").click()
        reply = frames_until(visitor, lambda f: f.get("type") == "message" and f.get("sender") == "human")[-1]
    assert reply["content"] == "Hi Jane, Sam here. Let me look."
    page.wait_for_selector("#status >> text=With a person")


def test_dashboard_is_usable_by_keyboard_at_a_narrow_width(admin_page, acme):
    page = admin_page
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, acme[2].email)
    page.goto("/dashboard/widgets")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"/dashboard/widgets/{acme[1].public_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select, button')]
              .filter((el) => !el.labels?.length && !el.getAttribute('aria-label') && !el.textContent.trim())
              .map((el) => el.outerHTML)"""
    )
    assert unlabeled == []
