"""The knowledge-base API: the articles a widget's agent answers from."""

from flask import Blueprint, request

from aurion.api import spec
from aurion.api.requests import api_key_required, json_object, limit_arg, requested_widget
from aurion.problems import ValidationProblem
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

SEARCH_LIMIT_MAX = 20


@bp.get("")
@api_key_required("voice-widget:read")
def get_articles():
    """Every article of the widget's knowledge base."""
    return {"articles": [article_to_dict(a) for a in list_articles(requested_widget())]}


@bp.post("")
@api_key_required("voice-widget:write")
def post_article():
    """Add an article; it is indexed for the agent before this returns."""
    return article_to_dict(create_article(requested_widget(), json_object())), 201


@bp.get("/<int:article_id>")
@api_key_required("voice-widget:read")
def get_article(article_id: int):
    """One article."""
    return article_to_dict(find_article(requested_widget(), article_id))


@bp.put("/<int:article_id>")
@api_key_required("voice-widget:write")
def put_article(article_id: int):
    """Change some of an article's fields."""
    article = find_article(requested_widget(), article_id)
    return article_to_dict(update_article(article, json_object()))


@bp.delete("/<int:article_id>")
@api_key_required("voice-widget:write")
def remove_article(article_id: int):
    """Delete an article; the agent stops using it at once."""
    delete_article(find_article(requested_widget(), article_id))
    return "", 204


@bp.get("/search")
@api_key_required("voice-widget:read")
def search_articles():
    """The articles the agent would retrieve for `q`, ranked, with their best passage."""
    query = request.args.get("q", "").strip()
    if not query:
        raise ValidationProblem("q", "Give the question to search for in q.")
    hits = search_knowledge(requested_widget(), query, limit_arg(5, SEARCH_LIMIT_MAX))
    return {
        "results": [
            {"id": hit.article_id, "title": hit.title, "score": round(hit.score, 4), "snippet": hit.snippet}
            for hit in hits
        ]
    }


_ARTICLE_ID = {"name": "article_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ERRORS = spec.problems(401, 403, 404)
_BODY_ERRORS = spec.problems(400, 413, 415, 422)

OPENAPI_PATHS = {
    "/api/v1/voice-widget/articles": {
        "get": spec.operation(
            "List the knowledge base's articles",
            spec.API_KEY,
            {"200": spec.response("The articles", spec.ref("ArticleList")), **_ERRORS},
            scope="voice-widget:read",
            parameters=[spec.widget_id_query()],
        ),
        "post": spec.operation(
            "Add an article",
            spec.API_KEY,
            {"201": spec.response("The stored article", spec.ref("Article")), **_ERRORS, **_BODY_ERRORS},
            scope="voice-widget:write",
            parameters=[spec.widget_id_query()],
            requestBody=spec.json_request(spec.ref("ArticleInput")),
        ),
    },
    "/api/v1/voice-widget/articles/{article_id}": {
        "get": spec.operation(
            "Read an article",
            spec.API_KEY,
            {"200": spec.response("The article", spec.ref("Article")), **_ERRORS},
            scope="voice-widget:read",
            parameters=[_ARTICLE_ID, spec.widget_id_query()],
        ),
        "put": spec.operation(
            "Change an article (partial update)",
            spec.API_KEY,
            {"200": spec.response("The article after the change", spec.ref("Article")), **_ERRORS, **_BODY_ERRORS},
            scope="voice-widget:write",
            parameters=[_ARTICLE_ID, spec.widget_id_query()],
            requestBody=spec.json_request(spec.ref("ArticleInput")),
        ),
        "delete": spec.operation(
            "Delete an article",
            spec.API_KEY,
            {"204": spec.response("Deleted"), **_ERRORS},
            scope="voice-widget:write",
            parameters=[_ARTICLE_ID, spec.widget_id_query()],
        ),
    },
    "/api/v1/voice-widget/articles/search": {
        "get": spec.operation(
            "What the agent would retrieve for a question",
            spec.API_KEY,
            {"200": spec.response("Ranked results", spec.ref("ArticleSearch")), **_ERRORS, **spec.problems(422)},
            scope="voice-widget:read",
            parameters=[
                {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": SEARCH_LIMIT_MAX, "default": 5}},
                spec.widget_id_query(),
            ],
        ),
    },
}

_ARTICLE_FIELDS = {
    "title": {"type": "string", "maxLength": 200},
    "body": {"type": "string", "maxLength": 50000},
    "url": {"type": ["string", "null"], "format": "uri"},
}
OPENAPI_SCHEMAS = {
    "ArticleInput": {"type": "object", "additionalProperties": False, "properties": _ARTICLE_FIELDS},
    "Article": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            **_ARTICLE_FIELDS,
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "ArticleList": {"type": "object", "properties": {"articles": {"type": "array", "items": spec.ref("Article")}}},
    "ArticleSearch": {
        "type": "object",
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "score": {"type": "number"},
                        "snippet": {"type": "string"},
                    },
                },
            }
        },
    },
}
