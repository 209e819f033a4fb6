"""A visitor's conversation through the widget, in headless Chromium.

These need the widget session API, the WebSocket and the agent (issues 3 and 4) and
the conversations API: they pass once those are merged.
"""

import pytest
from playwright.sync_api import expect

from aurion.services.identity import mint_email_token
from tests.support.attachments import tiny_png
from tests.support.browser import host_page, snippet, widget_part
from tests.support.knowledge import REFUND, add_help_desk
from tests.support.visitors import post_json

pytestmark = pytest.mark.browser

ANSWER_TIMEOUT_MS = 20000


@pytest.fixture
def shop(make_tenant):
    """(widget, API key with conversations:write) for a shop on localhost that takes anonymous visitors."""
    _, widget, key = make_tenant(
        "acme", scopes=("conversations:write",), allowed_domains=["localhost"], allow_anonymous=True
    )
    return widget, key


def open_chat(page, url: str):
    """Load `url`, open the widget, wait until it is connected; the panel."""
    page.goto(url)
    widget_part(page, ".launcher").click()
    panel = widget_part(page, "[role=dialog]")
    expect(panel.locator(".status")).to_be_empty()  # no "Connecting…", no error
    return panel


def ask(panel, question: str):
    """Send `question`; the agent's finished answer (the last agent message)."""
    box = panel.locator("textarea")
    # Count the agent's messages (the greeting first) only once the panel is drawn: counted
    # earlier, the greeting would pass for the answer.
    expect(box).to_be_visible()
    before = panel.locator(".msg.agent").count()
    box.fill(question)
    box.press("Enter")
    expect(panel.locator(".msg.user").last).to_contain_text(question)
    expect(box).to_have_value("")
    answer = panel.locator(".msg.agent").nth(before)
    expect(answer).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT_MS)
    return answer


def stored_session(page, widget) -> dict:
    return page.evaluate(f"JSON.parse(localStorage.getItem('aurion:{widget.public_id}'))")


def test_a_question_gets_a_streamed_answer_and_reload_keeps_the_conversation(page, host_site, live_server, shop):
    widget, _ = shop
    url = host_site.add("/", host_page(snippet(live_server, widget.public_id)))
    panel = open_chat(page, url)
    answer = ask(panel, "How do I reset my password?")
    assert [frame for frame in page.frames if frame["type"] == "delta"], "the answer was not streamed"
    text = answer.text_content()
    assert text.strip()

    page.reload()
    widget_part(page, ".launcher").click()
    panel = widget_part(page, "[role=dialog]")
    expect(panel.locator(".msg.user")).to_contain_text("How do I reset my password?")
    expect(panel.locator(".msg.agent").nth(1)).to_have_text(text)


def test_an_answer_names_its_article_as_a_labelled_source(page, host_site, live_server, shop):
    widget, _ = shop
    add_help_desk(widget)
    panel = open_chat(page, host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    answer = ask(panel, "How long do refunds take?")
    expect(answer).to_contain_text("5 to 10 business days")
    expect(answer).not_to_contain_text("person")  # a confident answer needs no offer
    expect(answer.locator(".sources li")).to_have_text("Source: Refund policy")
    expect(answer.get_by_role("link", name="Refund policy")).to_have_attribute("href", REFUND["url"])
    # An article without a URL is named without a link.
    answer = ask(panel, "How do I reset my password?")
    expect(answer.locator(".sources li")).to_have_text("Source: Resetting your password")
    expect(answer.locator(".sources a")).to_have_count(0)


def test_a_keyboard_only_conversation(page, host_site, live_server, shop):
    widget, _ = shop
    page.goto(host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    launcher = widget_part(page, ".launcher")
    expect(launcher).to_be_visible()
    page.keyboard.press("Tab")  # the page's own link
    page.keyboard.press("Tab")
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    box = widget_part(page, "textarea")
    expect(box).to_be_focused()

    page.keyboard.type("first line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    page.keyboard.press("Enter")
    expect(widget_part(page, ".msg.user")).to_contain_text("first line\nsecond line")
    agent_reply = widget_part(page, ".msg.agent").nth(1)
    expect(agent_reply).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT_MS)
    expect(widget_part(page, "[aria-live]")).to_contain_text("Assistant:")  # read out to screen readers

    page.keyboard.press("Escape")
    expect(widget_part(page, "[role=dialog]")).to_have_count(0)
    expect(launcher).to_be_focused()


def test_an_upload_is_previewed_and_sent(page, host_site, live_server, shop):
    widget, _ = shop
    panel = open_chat(page, host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    panel.locator("input[type=file]").set_input_files({"name": "screenshot.png", "mimeType": "image/png", "buffer": tiny_png()})
    chip = panel.locator(".chip")
    expect(chip).to_contain_text("screenshot.png")
    expect(chip).not_to_contain_text("Uploading")
    expect(chip.locator("img")).to_be_visible()  # local preview
    panel.locator("textarea").fill("Here is my screen")
    panel.locator("textarea").press("Enter")
    expect(panel.locator(".msg.user img[alt='screenshot.png']")).to_be_visible()
    expect(chip).to_have_count(0)


def test_a_human_reply_appears_live_with_an_unread_badge(page, host_site, live_server, shop):
    widget, key = shop
    panel = open_chat(page, host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    ask(panel, "Can I talk to someone?")
    widget_part(page, "header .close").click()
    conversation_id = stored_session(page, widget)["conversation_id"]

    reply = {"content": "Hi, this is Sam from support: see https://example.com/help."}
    status, _ = post_json(live_server, f"/api/v1/conversations/{conversation_id}/messages", reply, {"X-API-Key": key})
    assert status == 201

    launcher = widget_part(page, ".launcher")
    expect(launcher).to_have_accessible_name("Open chat, 1 unread")
    expect(launcher.locator(".badge")).to_have_text("1")
    launcher.click()
    reply = widget_part(page, ".msg.human")
    expect(reply).to_contain_text("Hi, this is Sam from support")
    expect(reply.locator(".who")).to_have_text("Support team")
    link = reply.locator("a")
    expect(link).to_have_attribute("href", "https://example.com/help")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(launcher).to_have_accessible_name("Close chat")


def test_identify_through_the_queue_and_shutdown(page, host_site, live_server, shop):
    widget, _ = shop
    token = mint_email_token(widget.public_id, widget.identity_secret, "jane@example.com")
    stub = (
        "<script>window.Aurion = window.Aurion || function () { (Aurion.q = Aurion.q || []).push(arguments); };"
        f"Aurion('identify', {{email_token: '{token}', display_name: 'Jane'}}); window.seen = [];"
        "Aurion('on', 'message', function (m) { seen.push(m.sender); }); Aurion('open');</script>"
    )
    page.goto(host_site.add("/", host_page(stub, snippet(live_server, widget.public_id))))
    panel = widget_part(page, "[role=dialog]")
    ask(panel, "Where is my order?")
    assert stored_session(page, widget)["who"] == "jane@example.com"
    assert set(page.evaluate("seen")) == {"user", "agent"}  # in the order they arrived

    page.evaluate("Aurion('shutdown')")
    expect(panel).to_have_count(0)
    assert stored_session(page, widget) is None
    widget_part(page, ".launcher").click()
    expect(widget_part(page, ".msg")).to_have_count(1)  # only the greeting: the visitor is forgotten
