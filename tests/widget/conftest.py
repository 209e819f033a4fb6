"""Fixtures for the widget in headless Chromium: pages that keep what happened."""

import pytest

from tests.support.browser import FAKE_MICROPHONE, BrowserPage, launch_chromium
from tests.support.bundle import built_bundle


@pytest.fixture
def open_page(chromium, live_server):
    """`open_page(**context_options)` → a fresh BrowserPage (own storage) per call.

    Pages close before the server stops, so it need not wait for their sockets.
    """
    contexts = []

    def open_(**options):
        built_bundle()
        context = chromium.new_context(**options)
        contexts.append(context)
        return BrowserPage(context.new_page())

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def mic_browser(chromium):
    """A Chromium with a fake microphone that the page may use without asking."""
    browser = launch_chromium(chromium.browser_type, *FAKE_MICROPHONE)
    yield browser
    browser.close()
