"""Away mode, ratings and the widget in the visitor's language, in headless Chromium."""

import pytest
from playwright.sync_api import expect

from aurion.extensions import db
from aurion.models import Conversation
from tests.support.browser import SLOW_MS, host_page, say, snippet, widget_part
from tests.support.bundle import GZIP_BUDGET_BYTES, built_bundle, bundle_sizes

pytestmark = pytest.mark.browser

# Open one minute a week: away whenever the test runs (almost surely), back next Monday.
ONE_MINUTE_A_WEEK = {"timezone": "Europe/Berlin", "weekly": {"monday": [["09:00", "09:01"]]}, "closed_dates": []}


@pytest.fixture
def shop(make_tenant):
    """(widget, conversations API key) of a shop on localhost that takes anonymous visitors."""
    _, widget, key = make_tenant(
        "acme", scopes=("conversations:write",), allowed_domains=["localhost"], allow_anonymous=True, modes=["chat"]
    )
    return widget, {"X-API-Key": key}


def open_panel(page, url: str):
    page.goto(url)
    widget_part(page, ".launcher").click()
    panel = widget_part(page, "[role=dialog]")
    expect(panel.locator(".status")).to_be_empty()
    return panel


def conversation_of(widget) -> Conversation:
    db.session.expire_all()
    return db.session.execute(db.select(Conversation).filter_by(widget_id=widget.id)).scalar_one()


def test_away_header_and_a_hand_off_that_asks_for_a_valid_email(open_page, host_site, live_server, shop):
    widget, _ = shop
    widget.business_hours = ONE_MINUTE_A_WEEK
    db.session.commit()
    # The time is shown on the visitor's clock: a visitor in Berlin reads the team's own nine o'clock.
    page = open_page(locale="en-US", timezone_id="Europe/Berlin")
    panel = open_panel(page, host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    expect(panel.locator("header small")).to_have_text("We're away · back Monday 9:00 AM")
    say(panel, "My order never arrived")
    panel.get_by_role("button", name="Talk to a person").click()
    expect(panel.locator(".msg.agent").last).to_contain_text("Our team is away right now.", timeout=SLOW_MS)
    expect(panel.locator(".status")).to_have_text("Waiting for a person from the team to join…")

    ask = panel.locator("form.ask")
    expect(ask).to_contain_text("Leave your email and a person will reply by Monday 9:00 AM.", timeout=SLOW_MS)
    ask.get_by_label("Your email").fill("sam@localhost")  # the browser takes it; the server wants a domain
    ask.get_by_role("button", name="Send").click()
    expect(panel.locator(".status")).to_contain_text("email must be an email address")
    ask.get_by_label("Your email").fill("sam@example.org")
    ask.get_by_role("button", name="Send").click()
    expect(panel.locator(".note")).to_have_text("Thanks! A person will reply to sam@example.org.")
    conversation = conversation_of(widget)
    assert conversation.arrived_while_away and conversation.contact_email == "sam@example.org"


def test_the_visitor_ends_the_conversation_rates_it_and_changes_the_rating(page, host_site, live_server, shop, client):
    widget, headers = shop
    panel = open_panel(page, host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    say(panel, "Hello there")
    panel.get_by_role("button", name="End chat").click()
    expect(panel.locator(".status")).to_have_text(
        "This conversation has ended. Write again to start a new one.", timeout=SLOW_MS
    )
    rate = panel.get_by_role("form", name="How was this conversation?")
    rate.get_by_label("A comment (optional)").fill("Quick and clear")
    rate.get_by_role("button", name="Good").click()
    expect(rate.get_by_role("status")).to_have_text("Thank you for your rating. You can change it for a day.")
    expect(rate.get_by_role("button", name="Good")).to_have_attribute("aria-pressed", "true")
    conversation_id = conversation_of(widget).public_id
    shown = client.get(f"/api/v1/conversations/{conversation_id}", headers=headers).get_json()["rating"]
    assert (shown["score"], shown["comment"]) == ("good", "Quick and clear")

    rate.get_by_role("button", name="Okay").click()
    expect(rate.get_by_role("button", name="Okay")).to_have_attribute("aria-pressed", "true")
    assert client.get(f"/api/v1/conversations/{conversation_id}", headers=headers).get_json()["rating"]["score"] == "okay"

    page.reload()  # the ended conversation still asks for its rating
    widget_part(page, ".launcher").click()
    expect(widget_part(page, "form.ask")).to_contain_text("How was this conversation?", timeout=SLOW_MS)


def test_the_widget_speaks_german_from_the_browser_and_french_when_set(open_page, host_site, live_server, shop):
    widget, _ = shop
    widget.greetings = {"de": "Hallo! Wie können wir helfen?"}
    db.session.commit()
    url = host_site.add("/", host_page(snippet(live_server, widget.public_id)))

    german = open_page(locale="de-DE")
    german.goto(url)
    expect(widget_part(german, ".launcher")).to_have_accessible_name("Chat öffnen")
    widget_part(german, ".launcher").click()
    panel = widget_part(german, "[role=dialog]")
    expect(panel).to_have_accessible_name("Chat mit Website widget")
    expect(panel.locator(".msg.agent").first).to_contain_text("Hallo! Wie können wir helfen?")
    expect(panel.get_by_role("button", name="Mit einem Menschen sprechen")).to_be_visible()
    expect(panel.get_by_role("textbox", name="Nachricht")).to_have_attribute("placeholder", "Nachricht schreiben…")

    widget.locale = "fr"
    db.session.commit()
    french = open_page(locale="de-DE")  # the widget's setting wins over the browser
    french.goto(url)
    widget_part(french, ".launcher").click()
    panel = widget_part(french, "[role=dialog]")
    expect(panel).to_have_accessible_name("Discuter avec Website widget")
    expect(panel.locator(".msg.agent").first).to_contain_text("Hi! How can I help you today?")  # no French greeting
    expect(panel.get_by_role("button", name="Parler à une personne")).to_be_visible()
    expect(panel.get_by_role("button", name="Fermer le chat")).to_be_visible()

    raw, gzipped = bundle_sizes(built_bundle())
    assert gzipped <= GZIP_BUDGET_BYTES, f"static/aurion.js is {gzipped} bytes gzipped ({raw} raw)"
