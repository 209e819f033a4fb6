"""The knowledge-base API: articles per widget, indexed on save, searched like the agent."""

import pytest

from tests.support.knowledge import HELP_DESK, REFUND, SHIPPING

ARTICLES = "/api/v1/voice-widget/articles"


def test_create_read_update_delete(client, headers):
    created = client.post(ARTICLES, json=REFUND, headers=headers)
    assert created.status_code == 201
    article = created.get_json()
    assert article["title"] == "Refund policy" and article["url"] == REFUND["url"]
    path = f"{ARTICLES}/{article['id']}"
    assert client.get(path, headers=headers).get_json()["body"] == REFUND["body"]
    changed = client.put(path, json={"title": "Refunds"}, headers=headers)
    assert changed.get_json()["title"] == "Refunds" and changed.get_json()["body"] == REFUND["body"]
    assert [a["id"] for a in client.get(ARTICLES, headers=headers).get_json()["articles"]] == [article["id"]]
    assert client.delete(path, headers=headers).status_code == 204
    assert client.get(path, headers=headers).status_code == 404


def test_search_ranks_by_meaning(client, headers):
    for article in HELP_DESK:
        client.post(ARTICLES, json=article, headers=headers)
    response = client.get(f"{ARTICLES}/search?q=I forgot my login credentials&limit=2", headers=headers)
    results = response.get_json()["results"]
    assert len(results) == 2
    assert results[0]["title"] == "Resetting your password"
    assert results[0]["score"] > results[1]["score"]
    assert set(results[0]) == {"id", "title", "score", "snippet"}


def test_search_follows_edits_and_deletes(client, headers):
    refund = client.post(ARTICLES, json=REFUND, headers=headers).get_json()
    client.post(ARTICLES, json=SHIPPING, headers=headers)
    query = f"{ARTICLES}/search?q=how do I get my money back"
    assert client.get(query, headers=headers).get_json()["results"][0]["id"] == refund["id"]
    client.delete(f"{ARTICLES}/{refund['id']}", headers=headers)
    assert refund["id"] not in [r["id"] for r in client.get(query, headers=headers).get_json()["results"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "no title"}, "title"),
        ({"title": "no body"}, "body"),
        ({"title": "", "body": "x"}, "title"),
        ({"title": "x", "body": "y", "url": "javascript:alert(1)"}, "url"),
        ({"title": "x", "body": "y", "tags": []}, "tags"),
        ({"title": 5, "body": "y"}, "title"),
    ],
)
def test_invalid_article_is_422(client, headers, body, field):
    response = client.post(ARTICLES, json=body, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["field"] == field
    assert client.get(ARTICLES, headers=headers).get_json()["articles"] == []


@pytest.mark.parametrize("query", ["", "?q=", "?q=refund&limit=0", "?q=refund&limit=abc", "?q=refund&limit=500"])
def test_bad_search_is_422(client, headers, query):
    assert client.get(f"{ARTICLES}/search{query}", headers=headers).status_code == 422


def test_scopes(client, make_tenant):
    _, _, read_key = make_tenant("reader", scopes=["voice-widget:read"])
    assert client.post(ARTICLES, json=REFUND, headers={"X-API-Key": read_key}).status_code == 403
    assert client.get(ARTICLES, headers={"X-API-Key": read_key}).status_code == 200


def test_tenant_isolation(client, make_tenant):
    _, widget_a, key_a = make_tenant("tenant-a")
    _, widget_b, key_b = make_tenant("tenant-b")
    article_b = client.post(ARTICLES, json=REFUND, headers={"X-API-Key": key_b}).get_json()
    a = {"X-API-Key": key_a}
    assert client.get(f"{ARTICLES}/{article_b['id']}", headers=a).status_code == 404
    assert client.put(f"{ARTICLES}/{article_b['id']}", json={"title": "mine"}, headers=a).status_code == 404
    assert client.delete(f"{ARTICLES}/{article_b['id']}", headers=a).status_code == 404
    assert client.get(f"{ARTICLES}?widget_id={widget_b.public_id}", headers=a).status_code == 404
    assert client.get(f"{ARTICLES}/search?q=refund", headers=a).get_json()["results"] == []
    assert client.get(f"{ARTICLES}/{article_b['id']}", headers={"X-API-Key": key_b}).get_json()["title"] == "Refund policy"
