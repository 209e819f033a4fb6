"""The people behind the widget, as the visitor sees them in headless Chromium: a person's name and
face on their replies and while they type, the team in the header, message times, earlier
conversations after a close, the offline line clearing, and the visitor's typing reaching the team."""

import re

import pytest
from playwright.sync_api import expect

from aurion.engines import frames
from aurion.engines.broker import broker
from aurion.extensions import db
from aurion.models import Admin, Conversation, WidgetSession
from aurion.services.conversations import close, human_reply
from aurion.services.messages import team_channel
from aurion.services.team import person_card
from tests.support.browser import SLOW_MS, host_page, say, snippet, widget_part
from tests.support.dashboard import make_admin
from tests.support.live_server import gunicorn_server

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def broker_url(redis_url) -> str:
    """A Redis both the live server and the test publish through (a person's replies and typing)."""
    return redis_url


@pytest.fixture
def app(make_app, broker_url):
    app = make_app(AURION_BROKER_URL=broker_url)
    with app.app_context():
        yield app


@pytest.fixture
def live_server(app, database_url, instance_path, broker_url):
    with gunicorn_server(database_url, instance_path, AURION_BROKER_URL=broker_url) as base_url:
        yield base_url


@pytest.fixture
def shop(make_tenant):
    """(tenant, widget) of a shop on localhost that takes anonymous visitors, with Sam (a picture) and Ada."""
    tenant, widget, _ = make_tenant("acme", allowed_domains=["localhost"], allow_anonymous=True, modes=["chat"])
    widget.reply_time_text = "a few hours"
    sam = make_admin(tenant, "sam@acme.test")
    sam.display_name = "Sam Lee"
    sam.avatar_storage_name = "a1b2c3.png"
    sam.avatar_content_type = "image/png"
    ada = make_admin(tenant, "ada@acme.test")
    ada.display_name = "Ada King"
    db.session.commit()
    return tenant, widget


def admin(tenant, email: str) -> Admin:
    return db.session.execute(db.select(Admin).filter_by(tenant_id=tenant.id, email=email)).scalar_one()


def open_panel(page, url: str):
    page.goto(url)
    widget_part(page, ".launcher").click()
    panel = widget_part(page, "[role=dialog]")
    expect(panel.locator(".status")).to_be_empty(timeout=SLOW_MS)
    return panel


def conversation_of(widget) -> Conversation:
    db.session.expire_all()
    return db.session.execute(
        db.select(Conversation).filter_by(widget_id=widget.id).order_by(Conversation.id.desc()).limit(1)
    ).scalar_one()


def test_a_persons_reply_and_typing_show_their_name_and_face(page, host_site, live_server, shop):
    tenant, widget = shop
    panel = open_panel(page, host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    header = panel.locator("header")
    expect(header.locator("small")).to_have_text("Typically replies in a few hours")
    expect(header.locator(".av")).to_have_count(2)
    say(panel, "Where is my parcel?")
    expect(panel.locator(".msg.user time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    # The agent's answer first (greeting, then the answer): its own typing line would
    # otherwise end the person's below.
    expect(panel.locator(".msg.agent:not([aria-busy=true])")).to_have_count(2, timeout=SLOW_MS)
    conversation = conversation_of(widget)

    sam = admin(tenant, "sam@acme.test")
    broker().publish(conversation.public_id, frames.typing("human", True, author=person_card(sam)))
    expect(panel.locator(".typing")).to_have_text("Sam Lee is typing")
    human_reply(conversation, "Hi, Sam here: it ships today.", sam)
    reply = panel.locator(".msg.human").last
    expect(reply).to_contain_text("Hi, Sam here: it ships today.")
    expect(panel.locator(".typing")).to_have_count(0)
    expect(reply.locator(".who")).to_have_text(f"Sam Lee · {widget.name}")
    expect(reply.locator("img.av")).to_have_attribute("src", f"{live_server}/api/v1/voice-widget/avatars/a1b2c3.png")

    human_reply(conversation_of(widget), "Ada here too.", admin(tenant, "ada@acme.test"))
    reply = panel.locator(".msg.human").last
    expect(reply.locator(".who")).to_contain_text(f"Ada King · {widget.name}")
    expect(reply.locator("svg.av text")).to_have_text("AK")  # her initials, on her colour
    expect(reply.locator("svg.av circle")).to_have_attribute("fill", person_card(admin(tenant, "ada@acme.test"))["color"])
    expect(reply.locator("time")).to_have_count(1)


def test_the_visitors_earlier_conversation_stays_readable_after_a_close(page, host_site, live_server, shop):
    tenant, widget = shop
    url = host_site.add("/", host_page(snippet(live_server, widget.public_id)))
    panel = open_panel(page, url)
    say(panel, "First question about sizes")
    human_reply(conversation_of(widget), "Sizes run small.", admin(tenant, "sam@acme.test"))
    expect(panel.locator(".msg.human")).to_contain_text("Sizes run small.")
    close(conversation_of(widget))

    say(panel, "A new question about returns")  # the closed conversation is left for a new one
    expect(panel.locator(".log > .msg")).not_to_contain_text(["Sizes run small."])
    expect(panel.locator(".log > .msg.user")).to_have_count(1)
    page.reload()
    widget_part(page, ".launcher").click()
    panel = widget_part(page, "[role=dialog]")
    show = panel.get_by_role("button", name="Show earlier conversations (1)")
    show.click()
    earlier = panel.get_by_role("region", name="Earlier conversations")
    expect(earlier).to_contain_text("First question about sizes", timeout=SLOW_MS)
    expect(earlier.locator(".msg.human")).to_contain_text("Sizes run small.")
    expect(earlier.locator(".msg.human .who")).to_contain_text("Sam Lee")
    expect(earlier.locator("textarea, input")).to_have_count(0)  # read-only
    expect(panel.locator(".log > .msg.user")).to_have_count(1)
    expect(panel.locator(".log > .msg.user")).to_contain_text("A new question about returns")


def test_the_offline_line_clears_when_the_connection_is_back(page, host_site, live_server, shop):
    tenant, widget = shop
    panel = open_panel(page, host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    say(panel, "Hello?")
    page.context.set_offline(True)
    expect(panel.locator(".status")).to_have_text("You are offline. We will reconnect when your connection is back.")
    page.context.set_offline(False)
    expect(panel.locator(".status")).to_be_empty(timeout=SLOW_MS)
    human_reply(conversation_of(widget), "Still here!", admin(tenant, "ada@acme.test"))
    expect(panel.locator(".msg.human")).to_contain_text("Still here!")
    expect(panel.locator(".status")).to_have_text("You are chatting with a person from the team.")


def test_the_session_keeps_the_page_and_the_visitors_typing_reaches_the_team(open_page, host_site, live_server, shop):
    _, widget = shop
    page = open_page(timezone_id="Asia/Tokyo")
    url = host_site.add("/pricing", host_page(snippet(live_server, widget.public_id)))
    panel = open_panel(page, url + "?plan=pro")
    conversation = conversation_of(widget)
    assert broker().ready()  # this process listens to Redis: a subscription made before would be dropped
    team = broker().subscribe(team_channel(conversation))
    try:
        panel.locator("textarea[name=message]").press_sequentially("Hel")
        assert team.get(timeout=10) == frames.typing("user", True)
        assert team.get(timeout=10) == frames.typing("user", False)  # 5 s without a key
    finally:
        team.close()
    db.session.expire_all()
    session = db.session.execute(db.select(WidgetSession).filter_by(widget_id=widget.id)).scalar_one()
    assert (session.page_url, session.time_zone) == (url + "?plan=pro", "Asia/Tokyo")
    assert "HeadlessChrome" in session.user_agent or "Chrome" in session.user_agent


def test_a_phone_sized_message_box_is_16px(open_page, host_site, live_server, shop):
    _, widget = shop
    page = open_page(viewport={"width": 390, "height": 800})
    panel = open_panel(page, host_site.add("/", host_page(snippet(live_server, widget.public_id))))
    assert panel.locator("textarea[name=message]").evaluate("box => getComputedStyle(box).fontSize") == "16px"
