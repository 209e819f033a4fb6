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
