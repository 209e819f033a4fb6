"""The analytics pages in Debian's Chromium: axe-core finds no accessibility violation."""

import pytest

from aurion.services.widgets import create_widget
from aurion.timestamps import utcnow
from tests.support.analytics import seed_month
from tests.support.browser import axe_violations
from tests.support.dashboard import sign_in

pytestmark = pytest.mark.browser


def test_analytics_pages_pass_axe_core(axe_page, acme, make_tenant):
    tenant, shop, admin = acme
    seed_month(shop, create_widget(tenant, name="Docs"), make_tenant("other")[1], utcnow().date())
    page = axe_page
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
