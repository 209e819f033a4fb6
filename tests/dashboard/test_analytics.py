"""The analytics pages and their CSV, over HTTP, on the hand-built month of tests/support/analytics.py."""

import csv
import io
import re
from datetime import timedelta

import pytest

from aurion.services.widgets import create_widget
from aurion.timestamps import utcnow
from tests.support.analytics import seed_month


@pytest.fixture
def month(acme, make_tenant):
    """Acme's widgets (default, "Docs") and another tenant's widget, with the month stored."""
    tenant, shop, _ = acme
    docs = create_widget(tenant, name="Docs")
    other = make_tenant("other")[1]
    seed_month(shop, docs, other, utcnow().date())
    return shop, docs, other


def summary(html: str) -> dict[str, str]:
    """The summary's terms and their values, tags stripped."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    return {term: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", value)).strip() for term, value in pairs}


def test_widget_page_shows_its_numbers(dashboard, month):
    shop = month[0]
    page = dashboard.get(f"/dashboard/widgets/{shop.public_id}/analytics")
    assert page.status_code == 200
    assert summary(page.text) == {
        "Conversations": "8",
        "Resolved by the agent alone": "25 % (2 of 8)",
        "Median time to a person's first reply": "5 min 0 s (over 3 conversations)",
        "Ratings": "No ratings yet",
        "Busiest hour": "09:00–10:00 UTC",
    }
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    assert f'<tr><th scope="row">{yesterday}</th><td>2</td><td>1</td></tr>' in page.text
    assert '<tr><th scope="row">09:00</th><td>4</td></tr>' in page.text
    assert page.text.count('role="img"') == 2
    assert "Can you deliver to Canada?" in page.text and "student discount" not in page.text
    # The widget's tabs and the top navigation lead here.
    assert f'href="/dashboard/widgets/{shop.public_id}/analytics" aria-current="page"' in page.text
    assert 'href="/dashboard/analytics"' in page.text


def test_tenant_page_counts_every_widget_of_the_tenant_only(dashboard, month):
    page = dashboard.get("/dashboard/analytics")
    assert page.status_code == 200
    numbers = summary(page.text)
    assert numbers["Conversations"] == "10"
    assert numbers["Resolved by the agent alone"] == "30 % (3 of 10)"
    assert numbers["Median time to a person's first reply"] == "3 min 30 s (over 4 conversations)"
    assert "asked 1 time on Docs" in page.text
    assert 'href="/dashboard/analytics" aria-current="page"' in page.text


def test_window_of_seven_days(dashboard, month):
    page = dashboard.get(f"/dashboard/widgets/{month[0].public_id}/analytics?days=7")
    assert summary(page.text)["Conversations"] == "7"
    assert len(re.findall(r'<th scope="row">\d{4}-\d\d-\d\d</th>', page.text)) == 7


def test_csv_export(dashboard, month):
    shop = month[0]
    response = dashboard.get(f"/dashboard/widgets/{shop.public_id}/analytics.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    today = utcnow().date()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="aurion-analytics-{shop.public_id}-{today - timedelta(days=29)}-to-{today}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ["conversations", "8"] in rows and ["median_first_human_response_seconds", "300"] in rows
    assert [(today - timedelta(days=1)).isoformat(), "2", "1"] in rows
    assert rows[-1] == ["Can you deliver to Canada?", "2", "Website widget"]

    tenant = list(csv.reader(io.StringIO(dashboard.get("/dashboard/analytics.csv").text)))
    assert ["conversations", "10"] in tenant


@pytest.mark.parametrize("suffix", ["analytics", "analytics.csv"])
def test_another_tenants_widget_is_missing(dashboard, month, suffix):
    other = month[2]
    assert dashboard.get(f"/dashboard/widgets/{other.public_id}/{suffix}").status_code == 404


@pytest.mark.parametrize("path", ["/dashboard/analytics", "/dashboard/analytics.csv"])
def test_sign_in_required(client, month, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dashboard/login?next=")
