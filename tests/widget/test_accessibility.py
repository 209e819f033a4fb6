"""The widget on the demo page passes axe-core, closed and open (axe reads its open shadow root)."""

import pytest

from aurion.services.demo import setup_demo
from tests.support.browser import AXE_CORE, axe_violations, widget_part

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def test_the_widget_on_the_demo_page_passes_axe_core_closed_and_open(open_page, live_server):
    if not AXE_CORE.exists():
        pytest.skip("axe-core is not installed: make widget (npm ci in widget_src/)")
    setup_demo()
    # The demo page's CSP allows only its own and Aurion's scripts; Playwright injects axe inline.
    page = open_page(bypass_csp=True)
    page.goto(live_server.replace("127.0.0.1", "localhost") + "/demo")
    launcher = widget_part(page, ".launcher")
    expect(launcher).to_be_visible()
    assert axe_violations(page) == [], "closed"
    launcher.click()
    expect(widget_part(page, "[role=dialog] .msg.agent").first).to_be_visible()
    # With a conversation in it: the visitor's question and the agent's answer.
    widget_part(page, "textarea").fill("How do I add the widget to my website?")
    widget_part(page, "textarea").press("Enter")
    expect(widget_part(page, ".msg.user")).to_contain_text("How do I add the widget")
    expect(widget_part(page, ".msg.agent")).to_have_count(2)
    assert axe_violations(page) == [], "open"
