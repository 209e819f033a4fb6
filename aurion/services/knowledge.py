"""The knowledge base: articles an admin writes, indexed for the agent when saved."""

import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import func

from aurion.engines.embedding import decode_vector, encode_vector
from aurion.engines.retrieval import RELEVANCE_THRESHOLD, Hit, Passage, PassageIndex, index_article
from aurion.extensions import db
from aurion.models import Article, ArticlePassage, Widget
from aurion.problems import NotFoundProblem
from aurion.schemas.fields import ROW_ID_MAX, parse
from aurion.schemas.knowledge import ArticleInput, ArticleUpdate
from aurion.timestamps import isoformat_utc

# The agent answers from at most this many articles.
RETRIEVED_ARTICLES = 3


def _reindex(article: Article) -> None:
    """Embed the article's passages now, so queries never pay for it."""
    article.passages = [
        ArticlePassage(position=position, text=passage.text, vector=encode_vector(passage.vector))
        for position, passage in enumerate(index_article(article.id or 0, article.title, article.body))
    ]


def create_article(widget: Widget, fields: ArticleInput | Mapping[str, Any]) -> Article:
    """A new article in `widget`'s knowledge base, indexed before it is stored."""
    article = Article(widget_id=widget.id, **parse(ArticleInput, fields).model_dump())
    _reindex(article)
    db.session.add(article)
    db.session.commit()
    return article


def update_article(article: Article, fields: ArticleUpdate | Mapping[str, Any]) -> Article:
    """A partial update; the article is re-indexed when its words change."""
    changes = parse(ArticleUpdate, fields).model_dump(exclude_unset=True)
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
    article = None
    if 0 < article_id <= ROW_ID_MAX:
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


def search_knowledge(widget: Widget, query: str, limit: int = 5, query_vector: np.ndarray | None = None) -> list[Hit]:
    """What the agent would retrieve for `query` (whose embedding is `query_vector`, if known), best first."""
    return _indexes.get(widget.id).rank(query, limit, query_vector=query_vector)


def answer_hits(ranked: list[Hit]) -> list[Hit]:
    """The articles an answer draws on, from a ranking for its question: the best few that are relevant enough."""
    return [hit for hit in ranked[:RETRIEVED_ARTICLES] if hit.score >= RELEVANCE_THRESHOLD]


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
