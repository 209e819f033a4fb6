"""The snippet on a host page, in headless Chromium: launcher, panel, origins, CSP, mobile, JS API.

These need only the embed surface (script and public config).
"""

import json
from html import escape

import pytest
from playwright.sync_api import expect

from aurion.services.colors import widget_colors
from aurion.services.widget_strings import widget_strings
from tests.support.browser import host_page, snippet, widget_part

pytestmark = pytest.mark.browser

OTHER_PAGE_STYLES = "<style>button { background: red; color: white; font: 30px serif; }</style><button id=own>Own</button>"


@pytest.fixture
def widget(make_tenant):
    _, widget, _ = make_tenant(
        "acme", allowed_domains=["localhost"], allow_anonymous=True, greeting="Hi from Acme!", primary_color="#FACC15"
    )
    return widget


def test_launcher_appears_opens_and_closes(page, host_site, live_server, widget):
    page.goto(host_site.add("/", host_page(OTHER_PAGE_STYLES, snippet(live_server, widget.public_id))))
    launcher = widget_part(page, ".launcher")
    expect(launcher).to_have_accessible_name("Open chat")
    # The widget's colour, with black text on yellow; the page's own button styles stay out and in.
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(250, 204, 21)"
    assert launcher.evaluate("b => getComputedStyle(b).color") == "rgb(0, 0, 0)"
    assert page.locator("#own").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 0, 0)"
    box, viewport = launcher.bounding_box(), page.viewport_size
    assert box["x"] + box["width"] > viewport["width"] - 40 and box["y"] + box["height"] > viewport["height"] - 40

    launcher.click()
    panel = widget_part(page, "[role=dialog]")
    expect(panel).to_have_accessible_name(f"Chat with {widget.name}")
    expect(panel.locator(".msg.agent").first).to_contain_text("Hi from Acme!")
    expect(widget_part(page, "textarea")).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "true")

    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(launcher).to_be_focused()


def test_bottom_left_position(page, host_site, live_server, widget, app):
    from aurion.extensions import db

    widget.position = "bottom-left"
    db.session.commit()
    page.goto(host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    assert widget_part(page, ".launcher").bounding_box()["x"] < 40


def test_disallowed_origin_gets_no_widget_and_a_clear_console_message(page, host_site, live_server, make_tenant):
    make_tenant("shop", allowed_domains=["localhost"])  # so the script itself loads
    _, elsewhere, _ = make_tenant("elsewhere", allowed_domains=["elsewhere.example.com"])
    statuses = page.watch_api()
    with page.expect_console_message(lambda message: "Aurion:" in message.text) as message:
        page.goto(host_site.add("/", host_page(snippet(live_server, elsewhere.public_id))))
    assert message.value.type == "error"
    assert "not an allowed domain" in message.value.text and '"localhost"' in message.value.text
    assert statuses[f"/voice-widget/embed/config/{elsewhere.public_id}"] == 403
    expect(page.locator("aurion-widget")).to_have_count(0)


def test_script_is_refused_where_no_widget_allows_the_page(page, host_site, live_server, make_tenant):
    _, elsewhere, _ = make_tenant("elsewhere", allowed_domains=["elsewhere.example.com"])
    statuses = page.watch_api()
    page.goto(host_site.add("/", host_page(snippet(live_server, elsewhere.public_id))))
    assert statuses["/voice-widget/embed/aurion.js"] == 403
    expect(page.locator("aurion-widget")).to_have_count(0)
    assert page.evaluate("typeof window.Aurion") == "undefined"


def test_works_under_a_strict_content_security_policy(page, host_site, live_server, widget):
    sockets = live_server.replace("http", "ws", 1)
    policy = f"default-src 'none'; script-src {live_server}; connect-src {live_server} {sockets}; img-src {live_server} blob:"
    page.add_init_script(
        "window.violations = [];"
        "addEventListener('securitypolicyviolation', e => violations.push(e.violatedDirective + ' ' + e.blockedURI), true);"
    )
    page.goto(host_site.add("/", host_page(snippet(live_server, widget.public_id)), **{"Content-Security-Policy": policy}))
    launcher = widget_part(page, ".launcher")
    launcher.click()
    expect(widget_part(page, "[role=dialog]")).to_be_visible()
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(250, 204, 21)"
    assert widget_part(page, "[role=dialog]").evaluate("p => getComputedStyle(p).position") == "absolute"
    assert page.evaluate("violations") == []
    assert not [line for line in page.console if "Content Security Policy" in line]


def test_full_screen_on_a_375_px_wide_viewport_without_motion(open_page, host_site, live_server, widget):
    page = open_page(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, reduced_motion="reduce")
    page.goto(host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    widget_part(page, ".launcher").tap()
    panel = widget_part(page, "[role=dialog]")
    expect(panel).to_be_visible()
    assert panel.evaluate("p => getComputedStyle(p).animationName") == "none"
    assert panel.bounding_box() == {"x": 0, "y": 0, "width": 375, "height": 667}
    widget_part(page, "header .close").tap()
    expect(panel).to_have_count(0)


QUEUE_STUB = """<script>
window.Aurion = window.Aurion || function () { (Aurion.q = Aurion.q || []).push(arguments); };
window.events = [];
["ready", "open", "close"].forEach(function (name) { Aurion("on", name, function () { events.push(name); }); });
Aurion("open");
</script>"""


def test_the_js_api_queue_and_commands(page, host_site, live_server, widget):
    page.goto(host_site.add("/", host_page(QUEUE_STUB, snippet(live_server, widget.public_id))))
    panel = widget_part(page, "[role=dialog]")
    expect(panel).to_be_visible()  # the queued open ran
    page.wait_for_function("() => events.includes('ready')")
    assert page.evaluate("events") == ["open", "ready"]

    page.evaluate("Aurion('close')")
    expect(panel).to_have_count(0)
    page.evaluate("Aurion('toggle')")
    expect(panel).to_be_visible()
    page.evaluate("Aurion('toggle')")
    expect(panel).to_have_count(0)
    assert page.evaluate("events") == ["open", "ready", "close", "open", "close"]

    page.evaluate("Aurion('on', 'ready', () => events.push('late ready'))")  # already past: runs at once
    assert page.evaluate("events").pop() == "late ready"
    with page.expect_console_message(lambda message: 'unknown command "boot"' in message.text):
        page.evaluate("Aurion('boot')")


def test_preview_mode_renders_the_given_settings_and_sends_nothing(page, host_site, live_server, widget):
    # The dashboard's builder previews unsaved settings with data-preview (templates/dashboard/preview.html).
    statuses = page.watch_api()
    tag = snippet(
        live_server,
        widget.public_id,
        data_colors=escape(json.dumps(widget_colors("#0EA5E9"))),
        data_strings=escape(json.dumps(widget_strings("en"))),
        data_preview="true",
        data_open="true",
        data_name="Unsaved name",
        data_greeting="Unsaved greeting",
        data_primary_color="#0EA5E9",
        data_position="bottom-left",
        data_modes="chat",
    )
    page.goto(host_site.add("/", host_page(tag)))
    panel = widget_part(page, "[role=dialog]")
    expect(panel).to_have_accessible_name("Chat with Unsaved name")
    expect(panel.locator(".msg.agent")).to_contain_text("Unsaved greeting")
    assert widget_part(page, ".launcher").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(14, 165, 233)"
    panel.locator("textarea").fill("Hello?")
    panel.locator("textarea").press("Enter")
    expect(panel.locator(".status")).to_have_text("This is a preview: messages are not sent.")
    assert list(statuses) == ["/voice-widget/embed/aurion.js"]
