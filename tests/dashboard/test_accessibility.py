"""Accessibility of the whole dashboard: axe-core finds no violation on any page, and an
admin can work by keyboard alone.

Every GET route of the dashboard blueprint must be in `PAGES` (a page to check) or in
`NOT_PAGES` (a download, an event stream): a new route in neither fails
`test_every_dashboard_get_route_is_in_the_page_table`, so each new page gets checked.
"""

import hashlib
from datetime import timedelta

import pytest

from aurion.dashboard.base import PUBLIC_ENDPOINTS, bp
from aurion.extensions import db
from aurion.models import ConversationNote, Invitation, SavedReply
from aurion.schemas.webhooks import WebhookInput
from aurion.services.conversations import close, human_reply, request_handoff, store_message
from aurion.services.knowledge import create_article
from aurion.services.messages import add_visitor_message
from aurion.services.public_ids import new_public_id
from aurion.services.sessions import session_from_bearer
from aurion.services.webhooks import create_webhook
from aurion.timestamps import utcnow
from tests.support.attachments import tiny_png
from tests.support.browser import axe_violations
from tests.support.calls import seed_call
from tests.support.dashboard import PASSWORD, make_admin, sign_in
from tests.support.visitors import MESSAGES_URL, bearer, start_session, upload

expect = pytest.importorskip("playwright.sync_api").expect

# Each dashboard page to check → its path, or several paths (one per state worth checking);
# `{name}` is filled from the `seeded` fixture below (widget, conversation, closed, call,
# article, saved_reply, invitation). Adding a page is one line: "dashboard.<endpoint>": "/dashboard/<path>".
PAGES = {
    "dashboard.login": "/dashboard/login",
    "dashboard.home": "/dashboard/",
    "dashboard.inbox": ("/dashboard/inbox", "/dashboard/inbox?status=human&view=all", "/dashboard/inbox?status=closed", "/dashboard/inbox?q=error"),
    "dashboard.conversation": ("/dashboard/inbox/{conversation}", "/dashboard/inbox/{closed}"),
    "dashboard.calls": "/dashboard/calls",
    "dashboard.call": "/dashboard/calls/{call}",
    "dashboard.analytics": "/dashboard/analytics",
    "dashboard.widget_analytics_page": "/dashboard/widgets/{widget}/analytics",
    "dashboard.widgets": "/dashboard/widgets",
    "dashboard.builder": "/dashboard/widgets/{widget}",
    "dashboard.preview": "/dashboard/widgets/{widget}/preview",
    "dashboard.delete": "/dashboard/widgets/{widget}/delete",
    "dashboard.identity": "/dashboard/widgets/{widget}/identity",
    "dashboard.regenerate": "/dashboard/widgets/{widget}/regenerate",
    "dashboard.readiness": "/dashboard/widgets/{widget}/readiness",
    "dashboard.articles": "/dashboard/widgets/{widget}/articles",
    "dashboard.edit_article": "/dashboard/widgets/{widget}/articles/{article}",
    "dashboard.keys": "/dashboard/keys",
    "dashboard.webhooks": "/dashboard/webhooks",
    "dashboard.saved_replies": "/dashboard/saved-replies",
    "dashboard.saved_reply": "/dashboard/saved-replies/{saved_reply}",
    "dashboard.team": "/dashboard/team",
    "dashboard.profile": "/dashboard/profile",
    "dashboard.invitation": "/dashboard/invitations/{invitation}",
}
# GET routes that are not pages → what they answer instead.
NOT_PAGES = {
    "dashboard.analytics_export": "a CSV download",
    "dashboard.widget_analytics_export": "a CSV download",
    "dashboard.conversation_events": "server-sent events",
    "dashboard.inbox_events": "server-sent events",
    "dashboard.attachment": "a visitor's file",
    "dashboard.call_recording": "an audio file",
}


def _paths(endpoint: str) -> tuple[str, ...]:
    paths = PAGES[endpoint]
    return (paths,) if isinstance(paths, str) else paths


def test_every_dashboard_get_route_is_in_the_page_table(app):
    get_routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith(bp.name + ".") and "GET" in rule.methods}
    unlisted = sorted(get_routes - PAGES.keys() - NOT_PAGES.keys())
    assert not unlisted, f"dashboard GET routes missing from PAGES (or NOT_PAGES) in {__name__}: {unlisted}"
    assert sorted((PAGES.keys() | NOT_PAGES.keys()) - get_routes) == [], "entries for routes that no longer exist"
    # Each path leads to the route it is listed under (a typo would check another page).
    urls = app.url_map.bind("localhost")
    arguments = dict.fromkeys(("widget", "conversation", "closed", "call", "saved_reply", "invitation"), "x_1") | {"article": "1"}
    for endpoint in PAGES:
        for path in _paths(endpoint):
            assert urls.match(path.split("?")[0].format(**arguments), method="GET")[0] == endpoint, path


@pytest.fixture
def seeded(app, client, acme, monkeypatch) -> dict:
    """Something on every page: Jane's conversation with a person (an attachment, a voice
    turn, an internal note, assigned, her page and browser) after her closed one; a
    teammate, a saved reply and a pending invitation; a call, an article, a webhook with
    a delivery. Their ids (and the invitation's token) by name."""
    tenant, widget, admin = acme
    admin.display_name = "Ada Lovelace"
    teammate = make_admin(tenant, "sam@acme.test")
    teammate.display_name, teammate.role = "Sam Lee", "agent"
    db.session.commit()  # SQLite: no write left pending while the app's own sessions write
    monkeypatch.setitem(app.config, "AURION_WEBHOOKS_ALLOW_PRIVATE", True)
    create_webhook(tenant, WebhookInput(url="https://127.0.0.1/hooks/aurion", events=["message.created"]))

    first = start_session(client, widget, display_name="Jane Smith")
    earlier = session_from_bearer(first["token"]).conversation
    add_visitor_message(session_from_bearer(first["token"]), "Thanks, that is all.")
    close(earlier)
    session = start_session(client, widget, display_name="Jane Smith")
    file = upload(client, session, tiny_png(), "screenshot.png")
    assert client.post(MESSAGES_URL, json={"content": "Here is the error", "attachment_ids": [file["id"]]}, headers=bearer(session)).status_code == 201
    app.extensions["aurion_agent"].drain()
    widget_session = session_from_bearer(session["token"])
    widget_session.page_url = "https://shop.example.com/checkout"
    widget_session.user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
    widget_session.time_zone = "Europe/Berlin"
    conversation = widget_session.conversation
    store_message(conversation, "user", "Can I speak to someone?", mode="voice")
    request_handoff(conversation)
    human_reply(conversation, "Hi Jane, Sam here.", teammate)
    conversation.assignee = teammate
    db.session.add(ConversationNote(public_id=new_public_id("note_"), conversation=conversation, admin=admin, content="VIP customer."))
    saved_reply = SavedReply(public_id=new_public_id("sr_"), tenant_id=tenant.id, shortcut="refund", content="Your refund is on its way.")
    db.session.add(saved_reply)
    token = "invitation-token-of-the-accessibility-test"
    db.session.add(Invitation(
        public_id=new_public_id("inv_"), tenant=tenant, email="new@acme.test", role="agent", invited_by_id=admin.id,
        token_hash=hashlib.sha256(token.encode()).hexdigest(), expires_at=utcnow() + timedelta(days=7),
    ))
    call = seed_call(widget)
    article = create_article(widget, {"title": "Shipping", "body": "We ship worldwide within 5 days."})
    db.session.commit()
    return {
        "widget": widget.public_id,
        "conversation": conversation.public_id,
        "closed": earlier.public_id,
        "call": call.public_id,
        "article": article.id,
        "saved_reply": saved_reply.public_id,
        "invitation": token,
    }


@pytest.mark.browser
def test_every_dashboard_page_passes_axe_core(axe_page, acme, seeded):
    page = axe_page
    found = {}
    # The pages a signed-out visitor may open, as they see them.
    for endpoint in sorted(PUBLIC_ENDPOINTS):
        for path in _paths(endpoint):
            url = path.format(**seeded)
            assert page.goto(url).ok, url
            found[f"{url} (signed out)"] = axe_violations(page)
    sign_in(page, acme[2].email)
    for endpoint in PAGES:
        for path in _paths(endpoint):
            url = path.format(**seeded)
            response = page.goto(url)
            assert response.ok, (url, response.status)
            found[url] = axe_violations(page)
    # A teammate with the agent role: their own nav, and the page refusing what they may not open.
    page.context.clear_cookies()
    sign_in(page, "sam@acme.test")
    for url in ("/dashboard/inbox", f"/dashboard/inbox/{seeded['conversation']}", "/dashboard/keys"):
        response = page.goto(url)
        assert response.status in (200, 403), (url, response.status)
        found[f"{url} (agent)"] = axe_violations(page)
    failing = [f"{url}: {violation}" for url, violations in found.items() for violation in violations]
    assert not failing, "axe-core violations:\n" + "\n".join(failing)


def _submit_unchecked(page, button) -> None:
    """Submit `button`'s form skipping the browser's own checks, so the server's messages show."""
    page.evaluate("() => document.querySelectorAll('form').forEach((form) => { form.noValidate = true; })")
    button.click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_forms_pass_axe_core_with_their_errors_and_shown_once_secrets(axe_page, acme, seeded):
    page = axe_page
    widget = seeded["widget"]
    found = {}
    page.goto("/dashboard/login")
    page.get_by_label("Email").fill(acme[2].email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("do not match")).to_be_visible()
    found["sign-in refused"] = axe_violations(page)
    sign_in(page, acme[2].email)

    page.goto("/dashboard/keys")
    _submit_unchecked(page, page.get_by_role("button", name="Create key"))
    expect(page.get_by_role("alert")).to_be_visible()
    found["key without a name"] = axe_violations(page)
    page.get_by_label("Name").fill("CRM")
    page.get_by_role("checkbox", name="voice-widget:read").check()
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_text("shown only this once")).to_be_visible()
    found["new key shown once"] = axe_violations(page)

    page.goto("/dashboard/webhooks")
    page.get_by_label("Endpoint URL").fill("http://example.com/hook")
    page.get_by_role("checkbox", name="message.created").check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found["webhook refused"] = axe_violations(page)

    page.goto(f"/dashboard/widgets/{widget}")
    page.get_by_label("Primary colour (hex, like #6366F1)").fill("#12")
    page.get_by_label("Time zone (IANA, like Europe/Berlin)").fill("Mars/Olympus")
    _submit_unchecked(page, page.get_by_role("button", name="Save widget"))
    expect(page.locator(".field-error").first).to_be_visible()
    found["builder with invalid fields"] = axe_violations(page)

    page.goto(f"/dashboard/widgets/{widget}/identity")
    page.get_by_role("button", name="Reveal identity secret").click()
    expect(page.get_by_label("Identity secret")).to_be_visible()
    found["identity secret revealed"] = axe_violations(page)

    page.goto(f"/dashboard/widgets/{widget}/articles?q=Do+you+ship+abroad")
    found["articles ranked for a question"] = axe_violations(page)
    _submit_unchecked(page, page.get_by_role("button", name="Add article"))
    expect(page.locator(".field-error").first).to_be_visible()
    found["article without a title"] = axe_violations(page)

    page.goto(f"/dashboard/inbox/{seeded['conversation']}")
    _submit_unchecked(page, page.get_by_role("button", name="Send reply"))
    expect(page.locator("#content-error")).to_be_visible()
    found["empty reply refused"] = axe_violations(page)

    failing = [f"{state}: {violation}" for state, violations in found.items() for violation in violations]
    assert not failing, "axe-core violations:\n" + "\n".join(failing)


def _has_focus(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def _focus_is_visible(page) -> bool:
    """The focused element draws a focus ring (an outline at least 2 px wide)."""
    return page.evaluate(
        "() => { const style = getComputedStyle(document.activeElement);"
        " return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2; }"
    )


def tab_to(page, target, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would; its focus ring shows."""
    target.wait_for(state="attached")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _has_focus(target):
            assert _focus_is_visible(page), f"no visible focus on {target}"
            return
    pytest.fail(f"{target} never got the focus in {limit} presses of Tab")


@pytest.mark.browser
def test_an_admin_works_by_keyboard_alone(admin_page, acme, client):
    _, widget, admin = acme
    session = start_session(client, widget, display_name="Jane Smith")
    add_visitor_message(session_from_bearer(session["token"]), "Can I talk to a human?")
    request_handoff(session_from_bearer(session["token"]).conversation)
    page = admin_page
    keys = page.keyboard

    page.goto("/dashboard/login")
    tab_to(page, page.get_by_role("link", name="Skip to content"))
    tab_to(page, page.get_by_label("Email"))
    keys.type(admin.email)
    tab_to(page, page.get_by_label("Password"))
    keys.type(PASSWORD)
    keys.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)

    # The skip link jumps past the top bar.
    tab_to(page, page.get_by_role("link", name="Skip to content"))
    keys.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.goto("/dashboard/")
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox"))
    keys.press("Enter")
    page.wait_for_url("**/dashboard/inbox")
    tab_to(page, page.get_by_role("link", name="Jane Smith"))
    keys.press("Enter")
    page.wait_for_url("**/dashboard/inbox/*")
    tab_to(page, page.get_by_role("textbox", name="Your reply"))
    keys.type("Hi Jane, Sam here. How can I help?")
    tab_to(page, page.get_by_role("button", name="Send reply"))
    keys.press("Enter")
    messages = page.get_by_role("list", name="Messages")
    expect(messages.locator(".from-human")).to_contain_text("Hi Jane, Sam here. How can I help?")
    # Space presses a button too.
    tab_to(page, page.get_by_role("button", name="Close conversation"))
    keys.press("Space")
    expect(page.get_by_role("status").filter(has_text="Conversation closed.")).to_be_visible()

    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Voice Widget"))
    keys.press("Enter")
    page.wait_for_url("**/dashboard/widgets")
    tab_to(page, page.get_by_role("link", name="Configure"))
    keys.press("Enter")
    page.wait_for_url(f"**/dashboard/widgets/{widget.public_id}")
    tab_to(page, page.get_by_label("Greeting"))
    keys.press("ControlOrMeta+a")
    keys.type("Hello from the keyboard!")
    tab_to(page, page.get_by_role("button", name="Save widget"))
    keys.press("Enter")
    expect(page.get_by_text("Widget saved")).to_be_visible()
    db.session.refresh(widget)
    assert widget.greeting == "Hello from the keyboard!"
