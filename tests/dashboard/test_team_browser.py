"""The team in Debian's Chromium: an owner invites, the invited agent joins through the
link and sees only the inbox's side of the dashboard, their picture shows under the
dashboard's CSP, and the team pages pass axe-core."""

import re

import pytest

from tests.support.attachments import tiny_png
from tests.support.browser import AXE_CORE, axe_violations
from tests.support.dashboard import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def owner_page(chromium, live_server):
    """The owner's tab, which may inject axe-core (the dashboard's CSP allows only its own scripts)."""
    if not AXE_CORE.exists():
        pytest.skip("axe-core is not installed: make widget (npm ci in widget_src/)")
    context = chromium.new_context(base_url=live_server, bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    yield context.new_page()
    context.close()


def _invite(page, email: str) -> str:
    page.goto("/dashboard/team")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role", exact=True).select_option("agent")
    page.get_by_role("button", name="Create invitation link").click()
    link = page.get_by_label("One-time link")
    expect(link).to_have_value(re.compile(r".*/dashboard/invitations/.+"))
    return link.input_value()


def test_an_invited_agent_joins_and_sees_only_the_inbox_side(owner_page, admin_page, acme, live_server, tmp_path):
    owner = owner_page
    sign_in(owner, acme[2].email)
    owner.get_by_role("link", name="Team").click()
    link = _invite(owner, "bo@acme.test")
    assert axe_violations(owner) == [], "/dashboard/team with a new link"
    owner.get_by_role("button", name="Copy link").click()
    assert owner.evaluate("navigator.clipboard.readText()") == link

    # The invitee's browser runs under the dashboard's real CSP.
    page = admin_page
    page.goto(link.replace("http://127.0.0.1:5000", live_server))
    expect(page.get_by_role("heading", name="Join the acme team")).to_be_visible()
    page.get_by_label("Your name").fill("Bo Agent")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Join the team").click()
    page.wait_for_url("**/dashboard/inbox")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    expect(nav.get_by_role("link", name="Voice Widget")).to_have_count(0)
    expect(nav.get_by_role("link", name="Team")).to_have_count(0)
    page.goto("/dashboard/keys")
    expect(page.get_by_role("heading", name="403 · Forbidden")).to_be_visible()

    page.get_by_role("link", name="Bo Agent (your profile)").click()
    picture = tmp_path / "me.png"
    picture.write_bytes(tiny_png())
    page.get_by_label("Upload a picture").set_input_files(str(picture))
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_role("status")).to_contain_text("Your picture is saved.")
    # Every avatar on the page shows the 1x1 picture, read from outside the page: a string
    # predicate (wait_for_function) needs eval, which the page's CSP refuses once it polls.
    avatars = page.locator("img.avatar")
    expect(avatars.first).to_be_visible()
    for avatar in avatars.all():
        expect(avatar).to_have_js_property("naturalWidth", 1)

    # The owner sees the new teammate with their picture.
    owner.goto("/dashboard/team")
    row = owner.get_by_role("row", name=re.compile("Bo Agent"))
    expect(row.locator("img.avatar")).to_have_count(1)
    expect(owner.get_by_label("Role of Bo Agent", exact=True)).to_have_value("agent")
    owner.goto("/dashboard/profile")
    assert axe_violations(owner) == [], "/dashboard/profile"
    owner.goto(_invite(owner, "cy@acme.test").replace("http://127.0.0.1:5000", live_server))
    assert axe_violations(owner) == [], "/dashboard/invitations/<token>"
