"""The dashboard in Debian's Chromium against a live gunicorn server."""

import re
import time

import pytest

from aurion.extensions import db
from aurion.models import Widget
from tests.support.browser import host_page, widget_part
from tests.support.dashboard import sign_in
from tests.support.sockets import frames_until, send, widget_socket
from tests.support.visitors import MESSAGES_URL, history_over_http, post_json, start_session_over_http

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
    # With Voice ticked the preview shows the mic; without, it does not.
    expect(preview.locator("aurion-widget .mic")).to_be_visible()
    page.get_by_label("Voice", exact=True).uncheck()
    expect(script).to_have_attribute("data-modes", "chat")
    expect(preview.locator("aurion-widget .panel .send")).to_be_visible()
    expect(preview.locator("aurion-widget .mic")).to_have_count(0)
    page.get_by_label("Voice", exact=True).check()
    expect(preview.locator("aurion-widget .mic")).to_be_visible()
    # The preview is laid out as on a computer (not the phone's full-screen panel): the
    # launcher and the panel sit on the chosen side.
    for position, side in (("Bottom left", "left"), ("Bottom right", "right")):
        page.get_by_label(position, exact=True).check()
        expect(script).to_have_attribute("data-position", position.lower().replace(" ", "-"))
        frame = page.locator("#preview").bounding_box()
        launcher = preview.locator("aurion-widget .launcher").bounding_box()
        panel = preview.locator("aurion-widget .panel").bounding_box()
        middle = frame["x"] + frame["width"] / 2
        assert panel["width"] < frame["width"] * 0.8, (panel, frame)
        if side == "left":
            assert launcher["x"] + launcher["width"] < middle and panel["x"] + panel["width"] / 2 < middle
        else:
            assert launcher["x"] > middle and panel["x"] + panel["width"] / 2 > middle
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


def visitor_asks(live_server, widget, email: str, *questions: str) -> None:
    """A visitor of `widget` asks `questions` one by one, each time waiting for the agent's answer."""
    session = start_session_over_http(live_server, widget, email)
    for count, question in enumerate(questions, 1):
        status, _ = post_json(live_server, MESSAGES_URL, {"content": question}, {"Authorization": f"Bearer {session['token']}"})
        assert status == 201
        deadline = time.monotonic() + 20
        while sum(m["sender"] == "agent" for m in history_over_http(live_server, session["token"])) < count:
            assert time.monotonic() < deadline, f"no answer to {question!r}"
            time.sleep(0.1)


def test_unanswered_questions_show_as_gaps_with_a_prefilled_article(admin_page, acme, live_server):
    page = admin_page
    widget = acme[1]
    visitor_asks(live_server, widget, "jane@example.com", "Do you ship to Canada?", "Do you offer a student discount?")
    visitor_asks(live_server, widget, "li@example.com", "Can you deliver to Canada?")

    sign_in(page, acme[2].email)
    page.goto(f"/dashboard/widgets/{widget.public_id}/articles")
    gaps = page.get_by_role("list", name="Unanswered questions").get_by_role("listitem")
    expect(gaps).to_have_count(2)
    expect(gaps.nth(0)).to_contain_text("Can you deliver to Canada?")
    expect(gaps.nth(0)).to_contain_text("asked 2 times")
    expect(gaps.nth(1)).to_contain_text("Do you offer a student discount?")
    expect(gaps.nth(1)).to_contain_text("asked 1 time")
    assert "1 times" not in gaps.nth(1).inner_text()

    gaps.nth(0).get_by_role("link", name="Write an article").click()
    expect(page.get_by_label("Title")).to_have_value("Can you deliver to Canada?")
    page.get_by_role("textbox", name=re.compile("^Article")).fill("We ship to Canada in 5 to 8 working days; duties are included.")
    page.get_by_role("button", name="Add article").click()
    page.wait_for_selector("text=the agent answers from it now")
    # The knowledge base answers it now: the gap is closed.
    expect(gaps).to_have_count(1)
    expect(gaps.nth(0)).to_contain_text("Do you offer a student discount?")


def test_an_admin_adds_a_webhook_and_copies_its_secret_at_a_narrow_width(admin_page, acme):
    page = admin_page
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, acme[2].email)
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill("https://93.184.216.34/hooks/aurion")  # a public address, never called here
    page.get_by_label("conversation.waiting").check()
    page.get_by_role("button", name="Add webhook").click()
    secret = page.get_by_role("textbox", name="Signing secret").input_value()
    assert secret.startswith("whsec_")
    page.get_by_role("button", name="Copy secret").click()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto("/dashboard/webhooks")
    assert secret not in page.content()
    assert page.get_by_text("Events: conversation.waiting").is_visible()
