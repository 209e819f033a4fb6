"""The visitor is told, in words and to screen readers, before a recorded call starts; never when it is not recorded."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import BrowserPage, host_page, snippet
from tests.support.bundle import built_bundle
from tests.support.knowledge import add_help_desk

pytestmark = pytest.mark.browser

NOTICE = "This call is recorded."
# What the notice said when the call's socket was opened, kept by the page.
REMEMBER_NOTICE_AT_CONNECT = """
const Native = window.WebSocket;
window.WebSocket = function (url, ...rest) {
  if (String(url).includes("/widget/voice")) {
    const notice = document.querySelector("aurion-widget").shadowRoot.querySelector(".voice .recorded");
    window.noticeAtConnect = notice ? notice.textContent : null;
  }
  return new Native(url, ...rest);
};
window.WebSocket.prototype = Native.prototype;
"""


@pytest.mark.parametrize("recorded", [True, False])
def test_the_notice_comes_before_a_recorded_call_only(mic_browser, host_site, live_server, make_tenant, recorded):
    widget = make_tenant("acme", allowed_domains=["localhost"], allow_anonymous=True, record_calls=recorded)[1]
    add_help_desk(widget)
    built_bundle()
    context = mic_browser.new_context()
    context.add_init_script(REMEMBER_NOTICE_AT_CONNECT)
    page = BrowserPage(context.new_page())
    try:
        page.goto(host_site.add("/", host_page(snippet(live_server, widget.public_id))))
        widget_element = page.locator("aurion-widget")
        widget_element.locator(".launcher").click()
        panel = widget_element.locator("[role=dialog]")
        panel.locator(".mic").click()
        expect(panel.locator(".voice .state")).to_have_text("Listening…", timeout=30000)

        notice = panel.locator(".voice .recorded")
        assert notice.get_attribute("aria-live") == "polite"
        if recorded:
            expect(notice).to_have_text(NOTICE)
            expect(notice).to_be_visible()
            assert page.evaluate("window.noticeAtConnect") == NOTICE
        else:
            expect(notice).to_have_text("")
            expect(panel).not_to_contain_text("recorded")
            assert page.evaluate("window.noticeAtConnect") == ""
        panel.locator(".voice .hang-up").click()
        expect(panel.locator(".voice")).to_have_count(0)
    finally:
        context.close()
