"""The knowledge base editor with "try the agent", and API keys made in the dashboard."""

import pytest

from aurion.extensions import db
from aurion.models import Article
from tests.support.knowledge import REFUND
from tests.support.visitors import HISTORY_URL, MESSAGES_URL, bearer, start_session


def _articles(widget) -> str:
    return f"/dashboard/widgets/{widget.public_id}/articles"


def test_admin_adds_an_article_and_a_visitor_gets_the_answer_from_it(app, client, dashboard, acme):
    widget = acme[1]
    response = dashboard.post(_articles(widget), REFUND)
    assert response.status_code == 302
    assert "Refund policy" in dashboard.get(_articles(widget)).text
    session = start_session(client, widget)
    client.post(MESSAGES_URL, json={"content": "How long until I get my money back?"}, headers=bearer(session))
    app.extensions["aurion_agent"].drain()
    messages = client.get(HISTORY_URL, headers=bearer(session)).get_json()["messages"]
    answer = messages[-1]
    assert answer["sender"] == "agent" and "5 to 10 business days" in answer["content"]
    assert answer["sources"][0]["title"] == "Refund policy"


def test_article_form_shows_errors_beside_fields(dashboard, acme):
    response = dashboard.post(_articles(acme[1]), {"title": "", "body": "", "url": "ftp://x"})
    assert response.status_code == 422
    for field in ("title", "body", "url"):
        assert f'id="{field}-error"' in response.text
    assert not db.session.execute(db.select(Article)).first()


def test_edit_and_delete_an_article(dashboard, acme):
    widget = acme[1]
    dashboard.post(_articles(widget), REFUND)
    article = db.session.execute(db.select(Article)).scalar_one()
    path = f"{_articles(widget)}/{article.id}"
    assert "Refund policy" in dashboard.get(path).text
    assert dashboard.post(path, {**REFUND, "title": "Refunds", "url": ""}).status_code == 302
    db.session.refresh(article)
    assert article.title == "Refunds" and article.url is None
    assert dashboard.post(path + "/delete").status_code == 302
    assert db.session.get(Article, article.id) is None


def test_try_the_agent_shows_the_ranked_articles_the_answer_comes_from(dashboard, acme):
    widget = acme[1]
    dashboard.post(_articles(widget), REFUND)
    dashboard.post(_articles(widget), {"title": "Shipping times", "body": "Orders ship within 2 days and arrive in a week."})
    page = dashboard.get(_articles(widget), query_string={"q": "how do I get my money back"}).text
    ranked = page[page.index('aria-label="Articles ranked'):]
    assert ranked.index("Refund policy") < ranked.index("Shipping times")
    assert ranked[: ranked.index("Shipping times")].count(">used<") == 1
    unknown = dashboard.get(_articles(widget), query_string={"q": "weather in Paris tomorrow"}).text
    assert "No article is relevant enough" in unknown


KEYS = "/dashboard/keys"


def _create_key(dashboard, *scopes) -> str:
    response = dashboard.post(KEYS, {"name": "CI", "scopes": list(scopes)})
    assert response.status_code == 201
    assert "shown only this once" in response.text
    start = response.text.index('id="new-key" class="code" readonly value="') + len('id="new-key" class="code" readonly value="')
    return response.text[start : response.text.index('"', start)]


@pytest.mark.parametrize(
    ("scopes", "read", "write", "conversations"),
    [
        (["voice-widget:read"], 200, 403, 403),
        (["voice-widget:write"], 200, 200, 403),
        (["conversations:read"], 403, 403, 200),
    ],
)
def test_a_dashboard_key_works_with_exactly_its_scopes(client, dashboard, scopes, read, write, conversations):
    key = _create_key(dashboard, *scopes)
    headers = {"X-API-Key": key}
    assert client.get("/api/v1/voice-widget/config", headers=headers).status_code == read
    assert client.put("/api/v1/voice-widget/config", json={"greeting": "Hey"}, headers=headers).status_code == write
    assert client.get("/api/v1/conversations", headers=headers).status_code == conversations


def test_keys_are_listed_with_scopes_and_last_use_and_revoked_keys_are_refused(client, dashboard):
    key = _create_key(dashboard, "voice-widget:read", "conversations:write")
    listing = dashboard.get(KEYS).text
    assert key not in listing and key[:14] in listing
    assert "voice-widget:read, conversations:write" in listing
    unused = listing.count("<td>never</td>")
    assert client.get("/api/v1/voice-widget/config", headers={"X-API-Key": key}).status_code == 200
    assert dashboard.get(KEYS).text.count("<td>never</td>") == unused - 1
    from aurion.models import ApiKey

    api_key = db.session.execute(db.select(ApiKey).filter_by(prefix=key[:14])).scalar_one()
    assert dashboard.post(f"{KEYS}/{api_key.id}/revoke").status_code == 302
    assert "revoked" in dashboard.get(KEYS).text
    assert client.get("/api/v1/voice-widget/config", headers={"X-API-Key": key}).status_code == 401


def test_a_key_needs_a_scope(dashboard):
    response = dashboard.post(KEYS, {"name": "nothing"})
    assert response.status_code == 422 and "at least one scope" in response.text
