"""Fixtures for the dashboard: a tenant with a signed-in admin."""

import pytest

from aurion.services.conversations import request_handoff
from aurion.services.messages import add_visitor_message
from aurion.services.sessions import session_from_bearer
from tests.support.browser import AXE_CORE
from tests.support.dashboard import Dashboard, make_admin
from tests.support.visitors import start_session


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
def waiting(client, acme):
    """A visitor who asked for a person: (session body, conversation)."""
    session = start_session(client, acme[1], display_name="Jane Smith")
    widget_session = session_from_bearer(session["token"])
    add_visitor_message(widget_session, "Can I talk to a human?")
    request_handoff(widget_session.conversation)
    return session, widget_session.conversation


@pytest.fixture
def admin_page(chromium, live_server):
    """A fresh browser tab (clipboard allowed) on the live server; closed after the test."""
    context = chromium.new_context(base_url=live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_page(chromium, live_server):
    """A browser tab on the live server that may inject axe-core: the dashboard's CSP allows
    only its own scripts, and Playwright injects a file's script inline."""
    if not AXE_CORE.exists():
        pytest.skip("axe-core is not installed: make widget (npm ci in widget_src/)")
    context = chromium.new_context(base_url=live_server, bypass_csp=True)
    yield context.new_page()
    context.close()
