"""The knowledge-base API: the articles a widget's agent answers from."""

from flask import Blueprint

from aurion.agent.handoff import visitor_wants_person
from aurion.api.operations import Reply, operation
from aurion.api.requests import api_key_required, requested_widget
from aurion.schemas.knowledge import Article, ArticleInput, ArticleList, ArticleSearch, ArticleUpdate, SearchQuery
from aurion.schemas.widgets import WidgetQuery
from aurion.services.knowledge import (
    article_to_dict,
    create_article,
    delete_article,
    find_article,
    list_articles,
    search_knowledge,
    update_article,
)

bp = Blueprint("knowledge_api", __name__, url_prefix="/api/v1/voice-widget/articles")


@bp.get("")
@api_key_required("voice-widget:read")
@operation(
    "List the knowledge base's articles",
    query=WidgetQuery,
    responses={200: Reply("The articles", ArticleList)},
    problems=[404],
)
def get_articles(query: WidgetQuery):
    """Every article of the widget's knowledge base."""
    return {"articles": [article_to_dict(a) for a in list_articles(requested_widget(query.widget_id))]}


@bp.post("")
@api_key_required("voice-widget:write")
@operation(
    "Add an article",
    query=WidgetQuery,
    body=ArticleInput,
    responses={201: Reply("The stored article", Article)},
    problems=[404],
)
def post_article(query: WidgetQuery, body: ArticleInput):
    """Add an article; it is indexed for the agent before this returns."""
    return article_to_dict(create_article(requested_widget(query.widget_id), body)), 201


@bp.get("/<int:article_id>")
@api_key_required("voice-widget:read")
@operation("Read an article", query=WidgetQuery, responses={200: Reply("The article", Article)})
def get_article(article_id: int, query: WidgetQuery):
    """One article."""
    return article_to_dict(find_article(requested_widget(query.widget_id), article_id))


@bp.put("/<int:article_id>")
@api_key_required("voice-widget:write")
@operation(
    "Change an article (partial update)",
    query=WidgetQuery,
    body=ArticleUpdate,
    responses={200: Reply("The article after the change", Article)},
)
def put_article(article_id: int, query: WidgetQuery, body: ArticleUpdate):
    """Change some of an article's fields."""
    article = find_article(requested_widget(query.widget_id), article_id)
    return article_to_dict(update_article(article, body))


@bp.delete("/<int:article_id>")
@api_key_required("voice-widget:write")
@operation("Delete an article", query=WidgetQuery, responses={204: Reply("Deleted")})
def remove_article(article_id: int, query: WidgetQuery):
    """Delete an article; the agent stops using it at once."""
    delete_article(find_article(requested_widget(query.widget_id), article_id))
    return "", 204


@bp.get("/search")
@api_key_required("voice-widget:read")
@operation(
    "What the agent would retrieve for a question, and whether it would hand off",
    query=SearchQuery,
    responses={200: Reply("Ranked results", ArticleSearch)},
    problems=[404],
)
def search_articles(query: SearchQuery):
    """The articles the agent would retrieve for `q`, ranked, with their best passage, and whether it would hand off."""
    widget = requested_widget(query.widget_id)
    hits = search_knowledge(widget, query.q, query.limit)
    handoff = visitor_wants_person(widget, query.q, ranked=hits)
    return {
        "results": [
            {"id": hit.article_id, "title": hit.title, "score": round(hit.score, 4), "snippet": hit.snippet}
            for hit in hits
        ],
        "handoff": {"wanted": handoff.wanted, "reason": handoff.reason},
    }
