"""Fixtures for the dashboard: a tenant with a signed-in admin."""

import pytest

from tests.support.dashboard import Dashboard, make_admin


@pytest.fixture
def acme(make_tenant):
    """(tenant, default widget, admin) of tenant acme."""
    tenant, widget, _ = make_tenant("acme", allowed_domains=["shop.example.com"])
    return tenant, widget, make_admin(tenant)


@pytest.fixture
def dashboard(app, acme) -> Dashboard:
    """Acme's admin, signed in."""
    session = Dashboard(app.test_client())
    assert session.sign_in(acme[2].email).status_code == 302
    return session


@pytest.fixture
def admin_page(chromium, live_server):
    """A fresh browser tab (clipboard allowed) on the live server; closed after the test."""
    context = chromium.new_context(base_url=live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    yield page
    context.close()
