"""Configuration > Voice Widget: list, create, the builder, preview, identity, regenerate, delete, readiness."""

import re

import pytest

from aurion.dashboard.minting import EXAMPLES
from aurion.extensions import db
from aurion.models import Conversation, ConversationNote, Rating, Widget
from aurion.services.knowledge import create_article
from aurion.services.knowledge_gaps import record_unanswered
from aurion.services.widgets import find_widget
from tests.support import ROOT
from tests.support.visitors import start_session

BUILDER_FORM = {
    "name": "Shop widget",
    "greeting": "Hello from the shop!",
    "primary_color": "#0ea5e9",
    "position": "bottom-left",
    "modes": ["chat"],
    "allowed_domains": "shop.example.com\n*.shop.example.com, https://Help.Example.com/faq",
    "allow_anonymous": "on",
}


def _builder(widget) -> str:
    return f"/dashboard/widgets/{widget.public_id}"


def test_widget_list_shows_each_widget_with_its_snippet(dashboard, acme):
    page = dashboard.get("/dashboard/widgets").text
    widget = acme[1]
    assert "Configuration › Voice Widget" in page and "Create Widget" in page
    snippet = (
        f'&lt;script src=&#34;http://localhost/api/v1/voice-widget/embed/aurion.js&#34; '
        f'data-widget-id=&#34;{widget.public_id}&#34; async&gt;&lt;/script&gt;'
    )
    assert snippet in page


def test_create_widget_opens_the_builder(dashboard, acme):
    response = dashboard.post("/dashboard/widgets", {"name": "Support site"})
    assert response.status_code == 302
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    widget = find_widget(public_id)
    assert widget.tenant_id == acme[0].id and widget.name == "Support site"
    assert "created" in dashboard.get(response.headers["Location"]).text


def test_create_widget_with_an_empty_name_says_why(dashboard):
    response = dashboard.post("/dashboard/widgets", {"name": "  "})
    assert response.status_code == 422
    assert 'id="new-name-error"' in response.text and "name must not be empty" in response.text


def test_builder_saves_every_setting(dashboard, acme):
    widget = acme[1]
    response = dashboard.post(_builder(widget), BUILDER_FORM)
    assert response.status_code == 302
    db.session.refresh(widget)
    assert widget.name == "Shop widget"
    assert widget.greeting == "Hello from the shop!"
    assert widget.primary_color == "#0EA5E9"
    assert widget.position == "bottom-left"
    assert widget.modes == ["chat"]
    assert widget.allowed_domains == ["shop.example.com", "*.shop.example.com", "help.example.com"]
    assert widget.allow_anonymous is True
    page = dashboard.get(_builder(widget)).text
    assert "Widget saved" in page and "shop.example.com\n*.shop.example.com\nhelp.example.com</textarea>" in page


RUNNING_SUPPORT_FORM = {
    **BUILDER_FORM,
    "locale": "de",
    "greeting_de": "Hallo aus dem Laden!",
    "greeting_fr": "  ",
    "hours_on": "on",
    "timezone": "Europe/Berlin",
    "hours_monday": "09:00-12:00, 13:00-17:00",
    "hours_friday": "09:00-15:00",
    "closed_dates": "2026-12-24\n2026-12-25",
    "transcript_auto": "on",
}


def test_builder_saves_language_greetings_business_hours_and_transcripts(dashboard, acme):
    widget = acme[1]
    assert dashboard.post(_builder(widget), RUNNING_SUPPORT_FORM).status_code == 302
    db.session.refresh(widget)
    assert widget.locale == "de"
    assert widget.greetings == {"de": "Hallo aus dem Laden!"}
    assert widget.business_hours == {
        "timezone": "Europe/Berlin",
        "weekly": {"monday": [["09:00", "12:00"], ["13:00", "17:00"]], "friday": [["09:00", "15:00"]]},
        "closed_dates": ["2026-12-24", "2026-12-25"],
    }
    assert widget.transcript_auto is True
    page = dashboard.get(_builder(widget)).text
    assert 'value="09:00-12:00, 13:00-17:00"' in page and "2026-12-24\n2026-12-25</textarea>" in page

    assert dashboard.post(_builder(widget), BUILDER_FORM).status_code == 302  # hours unchecked: always in
    db.session.refresh(widget)
    assert widget.business_hours is None and widget.locale == "auto"


def test_builder_names_bad_business_hours(dashboard, acme):
    widget = acme[1]
    bad = {**RUNNING_SUPPORT_FORM, "timezone": "Mars/Olympus"}
    response = dashboard.post(_builder(widget), bad)
    assert response.status_code == 422 and "IANA time zone" in response.text
    late = {**RUNNING_SUPPORT_FORM, "hours_monday": "17:00-09:00"}
    assert "must start before it ends" in dashboard.post(_builder(widget), late).text


def test_unchecked_anonymous_box_turns_anonymous_visitors_off(dashboard, acme):
    widget = acme[1]
    dashboard.post(_builder(widget), BUILDER_FORM)
    dashboard.post(_builder(widget), {k: v for k, v in BUILDER_FORM.items() if k != "allow_anonymous"})
    db.session.refresh(widget)
    assert widget.allow_anonymous is False


def test_builder_shows_every_invalid_field_beside_it_and_saves_nothing(dashboard, acme):
    widget = acme[1]
    bad = {**BUILDER_FORM, "primary_color": "blue", "modes": [], "allowed_domains": "shop.example.com\nnot a domain!", "greeting": ""}
    response = dashboard.post(_builder(widget), bad)
    assert response.status_code == 422
    page = response.text
    for field, words in [
        ("primary_color", "hex colour"),
        ("modes", "at least one"),
        ("allowed_domains", "allowed_domains[1]"),
        ("greeting", "must not be empty"),
    ]:
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(words)}', page), field
        assert f'aria-describedby="{field}-error"' in page
    assert 'value="blue"' in page  # what the admin typed stays in the form
    db.session.refresh(widget)
    assert widget.greeting != "" and widget.primary_color == "#6366F1"


def test_preview_renders_the_real_script_with_unsaved_settings(dashboard, acme):
    widget = acme[1]
    response = dashboard.get(
        f"/dashboard/widgets/{widget.public_id}/preview",
        query_string={"greeting": "Unsaved hello", "primary_color": "#ff0000", "position": "bottom-left", "modes": "voice"},
    )
    page = response.text
    assert '<script src="/api/v1/voice-widget/embed/aurion.js"' in page
    assert 'data-preview="true"' in page and f'data-widget-id="{widget.public_id}"' in page
    assert 'data-greeting="Unsaved hello"' in page and 'data-primary-color="#FF0000"' in page
    assert 'data-position="bottom-left"' in page and 'data-modes="voice"' in page
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_preview_keeps_the_stored_value_of_a_half_typed_field(dashboard, acme):
    widget = acme[1]
    page = dashboard.get(f"/dashboard/widgets/{widget.public_id}/preview", query_string={"primary_color": "#ff0", "modes": ""}).text
    assert 'data-primary-color="#6366F1"' in page and 'data-modes="voice chat"' in page


def test_identity_secret_is_shown_only_when_asked(dashboard, acme):
    widget = acme[1]
    path = f"/dashboard/widgets/{widget.public_id}/identity"
    page = dashboard.get(path).text
    assert widget.identity_secret not in page and "Reveal identity secret" in page
    for label, _, _ in EXAMPLES:
        assert label in page
    assert "hash_hmac(&#39;sha256&#39;" in page and "crypto.createHmac" in page and "hmac.new(" in page
    revealed = dashboard.post(path).text
    assert f'value="{widget.identity_secret}"' in revealed


def test_readme_shows_the_same_minting_code_as_the_dashboard():
    readme = (ROOT / "README.md").read_text()
    for label, marker, code in EXAMPLES:
        assert f"<!-- {marker} -->\n```" in readme, marker
        assert code in readme, label


def test_regenerate_says_what_breaks_then_replaces_id_and_secret(dashboard, acme):
    widget = acme[1]
    old_id, old_secret = widget.public_id, widget.identity_secret
    page = dashboard.get(f"/dashboard/widgets/{old_id}/regenerate").text
    assert "stops working" in page and "visitor session ends" in page and "AURION_IDENTITY_SECRET" in page
    response = dashboard.post(f"/dashboard/widgets/{old_id}/regenerate")
    db.session.refresh(widget)
    assert widget.public_id != old_id and widget.identity_secret != old_secret
    assert response.headers["Location"] == f"/dashboard/widgets/{widget.public_id}"
    assert dashboard.get(f"/dashboard/widgets/{old_id}").status_code == 404


def test_delete_widget_asks_first_then_removes_everything_it_holds(client, dashboard, acme):
    tenant, widget, _ = acme
    other = Widget(tenant=tenant, public_id="wgt_keep", identity_secret="s", name="Keep", greeting="Hi", primary_color="#000000", position="bottom-right", allowed_domains=[], modes=["chat"])
    db.session.add(other)
    db.session.commit()
    create_article(widget, {"title": "Refunds", "body": "Refunds take 5 days."})
    start_session(client, widget)
    conversation = db.session.execute(db.select(Conversation).filter_by(widget_id=widget.id)).scalar_one()
    record_unanswered(conversation, "Do you ship to the moon?")
    db.session.add(Rating(conversation=conversation, score="good"))
    db.session.add(ConversationNote(public_id="note_1", conversation=conversation, content="VIP"))
    db.session.commit()
    public_id, widget_id, conversation_id = widget.public_id, widget.id, conversation.id
    assert "cannot be undone" in dashboard.get(f"/dashboard/widgets/{public_id}/delete").text
    assert dashboard.post(f"/dashboard/widgets/{public_id}/delete").headers["Location"] == "/dashboard/widgets"
    db.session.expire_all()
    assert db.session.get(Widget, widget_id) is None
    # Every table that points at a widget or a conversation: nothing of the deleted one is left
    # (SQLite does not cascade, so a table delete_widget forgets would keep rows here).
    for table in db.metadata.sorted_tables:
        for column, row_id in (("widget_id", widget_id), ("conversation_id", conversation_id)):
            if column in table.c:
                left = db.session.execute(db.select(table).where(table.c[column] == row_id)).first()
                assert left is None, f"{table.name} keeps rows of the deleted widget"
    assert db.session.get(Widget, other.id) is not None


@pytest.mark.parametrize(("domains", "verdict"), [([], "Not ready yet"), (["shop.example.com"], "Not ready yet")])
def test_readiness_page_lists_each_check_with_what_to_do(dashboard, acme, domains, verdict):
    widget = acme[1]
    widget.allowed_domains = domains
    db.session.commit()
    page = dashboard.get(f"/dashboard/widgets/{widget.public_id}/readiness").text
    assert verdict in page
    # Voice runs embedded (offline engines) when no LiveKit server is configured.
    assert "Voice backend" in page and "Embedded voice" in page
    if not domains:
        assert "Add your site&#39;s domain" in page and "#allowed_domains" in page
    assert "Agent" in page and f"/dashboard/widgets/{widget.public_id}/articles" in page


def test_readiness_is_ready_with_domains_articles_and_chat_only(dashboard, acme):
    widget = acme[1]
    widget.modes = ["chat"]
    db.session.commit()
    create_article(widget, {"title": "Refunds", "body": "Refunds take 5 days."})
    assert "Ready to go live." in dashboard.get(f"/dashboard/widgets/{widget.public_id}/readiness").text


def test_builder_sets_and_clears_the_reply_time_the_widget_shows(dashboard, acme, client):
    widget = acme[1]
    assert dashboard.post(_builder(widget), {**BUILDER_FORM, "reply_time_text": " a few hours "}).status_code == 302
    db.session.refresh(widget)
    assert widget.reply_time_text == "a few hours"
    assert 'name="reply_time_text" value="a few hours"' in dashboard.get(_builder(widget)).text
    config = client.get(f"/api/v1/voice-widget/embed/config/{widget.public_id}").get_json()
    assert config["reply_time"] == "a few hours"

    too_long = dashboard.post(_builder(widget), {**BUILDER_FORM, "reply_time_text": "x" * 81})
    assert too_long.status_code == 422 and re.search(r'id="reply_time_text-error">[^<]*at most 80', too_long.text)
    assert dashboard.post(_builder(widget), BUILDER_FORM).status_code == 302  # left empty: measured again
    db.session.refresh(widget)
    assert widget.reply_time_text == ""
