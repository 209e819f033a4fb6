"""The analytics pages in Debian's Chromium: axe-core finds no accessibility violation."""

import pytest

from aurion.services.widgets import create_widget
from aurion.timestamps import utcnow
from tests.support.analytics import seed_month
from tests.support.browser import AXE_CORE, axe_violations
from tests.support.dashboard import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def analytics_page(chromium, live_server):
    """A browser tab on the live server that may inject axe-core: the dashboard's CSP allows
    only its own scripts, and Playwright injects a file's script inline."""
    if not AXE_CORE.exists():
        pytest.skip("axe-core is not installed: make widget (npm ci in widget_src/)")
    context = chromium.new_context(base_url=live_server, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_analytics_pages_pass_axe_core(analytics_page, acme, make_tenant):
    tenant, shop, admin = acme
    seed_month(shop, create_widget(tenant, name="Docs"), make_tenant("other")[1], utcnow().date())
    page = analytics_page
    sign_in(page, admin.email)
    for path in (f"/dashboard/widgets/{shop.public_id}/analytics", "/dashboard/analytics"):
        page.goto(path)
        assert page.get_by_role("img", name="Conversations per day").is_visible()
        assert axe_violations(page) == [], path
        # The tables behind the charts, opened, pass too.
        for summary in page.locator("summary").all():
            summary.click()
        assert page.get_by_role("table", name="Conversations per day").is_visible()
        assert axe_violations(page) == [], path
