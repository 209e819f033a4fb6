"""The call page in Debian's Chromium: axe-core finds no accessibility violation, and the player plays."""

import pytest

from tests.support.browser import axe_violations
from tests.support.calls import seed_call
from tests.support.dashboard import sign_in

pytestmark = pytest.mark.browser


def test_the_calls_pages_pass_axe_core_and_the_recording_loads(axe_page, acme):
    _, widget, admin = acme
    call = seed_call(widget, seconds=3.0)
    page = axe_page
    sign_in(page, admin.email)
    page.goto("/dashboard/calls")
    assert axe_violations(page) == [], "/dashboard/calls"
    page.get_by_role("link", name=call.started_at.strftime("%Y-%m-%d")).first.click()
    page.wait_for_url(f"**/dashboard/calls/{call.public_id}")
    player = page.get_by_role("region", name="Recording").locator("audio")
    assert player.get_attribute("controls") is not None
    # The browser reads the recording's length from the file itself.
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1", timeout=10000)
    assert abs(page.evaluate("document.querySelector('audio').duration") - 3.0) < 0.5
    assert axe_violations(page) == [], f"/dashboard/calls/{call.public_id}"
