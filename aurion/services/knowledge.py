"""The knowledge base: articles an admin writes, indexed for the agent when saved."""

import threading
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func

from aurion.engines.embedding import decode_vector, encode_vector
from aurion.engines.retrieval import RELEVANCE_THRESHOLD, Hit, Passage, PassageIndex, index_article
from aurion.extensions import db
from aurion.models import Article, ArticlePassage, Widget
from aurion.problems import NotFoundProblem, ValidationProblem
from aurion.timestamps import isoformat_utc

TITLE_MAX = 200
BODY_MAX = 50_000
URL_MAX = 2000
ARTICLE_FIELDS = ("title", "body", "url")
# The agent answers from at most this many articles.
RETRIEVED_ARTICLES = 3


def _clean_title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationProblem("title", "title must be a non-empty string.")
    if len(value.strip()) > TITLE_MAX:
        raise ValidationProblem("title", f"title must be at most {TITLE_MAX} characters.")
    return value.strip()


def _clean_body(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationProblem("body", "body must be a non-empty string.")
    if len(value) > BODY_MAX:
        raise ValidationProblem("body", f"body must be at most {BODY_MAX} characters.")
    return value.strip()


def _clean_url(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > URL_MAX:
        raise ValidationProblem("url", f"url must be an http(s) URL of at most {URL_MAX} characters.")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationProblem("url", "url must start with http:// or https://.")
    return value.strip()


_CLEANERS = {"title": _clean_title, "body": _clean_body, "url": _clean_url}


def clean_article(payload: dict, partial: bool) -> dict[str, Any]:
    """Validated article fields from `payload`; with `partial`, missing fields stay unset."""
    unknown = [field for field in payload if field not in ARTICLE_FIELDS]
    if unknown:
        raise ValidationProblem(unknown[0], f"Unknown field {unknown[0]!r}; articles have {', '.join(ARTICLE_FIELDS)}.")
    if not partial:
        for field in ("title", "body"):
            if field not in payload:
                raise ValidationProblem(field, f"{field} is required.")
    return {field: _CLEANERS[field](value) for field, value in payload.items()}


def _reindex(article: Article) -> None:
    """Embed the article's passages now, so queries never pay for it."""
    article.passages = [
        ArticlePassage(position=position, text=passage.text, vector=encode_vector(passage.vector))
        for position, passage in enumerate(index_article(article.id or 0, article.title, article.body))
    ]


def create_article(widget: Widget, payload: dict) -> Article:
    """A new article in `widget`'s knowledge base, indexed before it is stored."""
    article = Article(widget_id=widget.id, **clean_article(payload, partial=False))
    _reindex(article)
    db.session.add(article)
    db.session.commit()
    return article


def update_article(article: Article, payload: dict) -> Article:
    """A partial update; the article is re-indexed when its words change."""
    changes = clean_article(payload, partial=True)
    for field, value in changes.items():
        setattr(article, field, value)
    if "title" in changes or "body" in changes:
        _reindex(article)
    db.session.commit()
    return article


def delete_article(article: Article) -> None:
    db.session.delete(article)
    db.session.commit()


def find_article(widget: Widget, article_id: int) -> Article:
    """The widget's article `article_id`; another widget's article is reported missing."""
    article = db.session.execute(db.select(Article).filter_by(id=article_id, widget_id=widget.id)).scalar_one_or_none()
    if article is None:
        raise NotFoundProblem(f"No article {article_id} in this widget's knowledge base.", "article_not_found")
    return article


def list_articles(widget: Widget) -> list[Article]:
    return list(db.session.execute(db.select(Article).filter_by(widget_id=widget.id).order_by(Article.id)).scalars())


def article_to_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "url": article.url,
        "created_at": isoformat_utc(article.created_at),
        "updated_at": isoformat_utc(article.updated_at),
    }


def knowledge_revision(widget_id: int) -> tuple:
    """A value that changes whenever the widget's articles do (added, edited or deleted):
    what caches built from the knowledge base are keyed by."""
    return tuple(
        db.session.execute(
            db.select(func.count(Article.id), func.max(Article.id), func.max(Article.updated_at)).filter_by(
                widget_id=widget_id
            )
        ).one()
    )


class _IndexCache:
    """One ranked index per widget and process, rebuilt when its articles change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[tuple, PassageIndex]] = {}

    def get(self, widget_id: int) -> PassageIndex:
        revision = knowledge_revision(widget_id)
        with self._lock:
            cached = self._entries.get(widget_id)
            if cached and cached[0] == revision:
                return cached[1]
        rows = db.session.execute(
            db.select(ArticlePassage.article_id, Article.title, ArticlePassage.text, ArticlePassage.vector)
            .join(Article)
            .filter(Article.widget_id == widget_id)
            .order_by(ArticlePassage.article_id, ArticlePassage.position)
        ).all()
        index = PassageIndex([Passage(row[0], row[1], row[2], decode_vector(row[3])) for row in rows])
        with self._lock:
            self._entries[widget_id] = (revision, index)
        return index


_indexes = _IndexCache()


def search_knowledge(widget: Widget, query: str, limit: int = 5) -> list[Hit]:
    """What the agent would retrieve for `query`, best first."""
    return _indexes.get(widget.id).rank(query, limit)


def relevant_hits(widget: Widget, query: str) -> list[Hit]:
    """The articles an answer to `query` draws on: the best few that are relevant enough."""
    return [hit for hit in search_knowledge(widget, query, RETRIEVED_ARTICLES) if hit.score >= RELEVANCE_THRESHOLD]


def article_sources(widget: Widget, article_ids: list[int]) -> list[dict[str, Any]]:
    """`[{id, title, url}]` for the articles an answer drew on, in the given order."""
    articles = {
        article.id: article
        for article in db.session.execute(
            db.select(Article).filter(Article.widget_id == widget.id, Article.id.in_(article_ids))
        ).scalars()
    }
    return [
        {"id": articles[i].id, "title": articles[i].title, "url": articles[i].url} for i in article_ids if i in articles
    ]
