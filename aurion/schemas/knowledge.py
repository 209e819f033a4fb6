"""The knowledge base: articles (API and dashboard editor) and what the agent would retrieve."""

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from aurion.schemas.fields import URL_MAX_LENGTH, Limit, Model, OptionalText, PartialUpdate, Text
from aurion.schemas.messages import CONTENT_MAX_LENGTH
from aurion.schemas.widgets import WidgetQuery

ARTICLE_TITLE_MAX_LENGTH = 200
ARTICLE_BODY_MAX_LENGTH = 50_000
SEARCH_DEFAULT_LIMIT = 5
SEARCH_MAX_LIMIT = 20


def _http_url(value: str | None) -> str | None:
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PydanticCustomError("http_url", "must start with http:// or https://")
    return value


Title = Text(ARTICLE_TITLE_MAX_LENGTH)
Body = Text(ARTICLE_BODY_MAX_LENGTH)
Link = Annotated[
    OptionalText(URL_MAX_LENGTH),
    AfterValidator(_http_url),
    Field(json_schema_extra={"format": "uri"}, description="Where visitors can read the whole article; empty or null for none."),
]


class ArticleInput(Model):
    title: Title
    body: Body
    url: Link = None


class ArticleUpdate(PartialUpdate):
    """Some of an article's fields; the others stay as they are."""

    title: Title = None
    body: Body = None
    url: Link = None


class Article(Model):
    id: int
    title: str
    body: str
    url: str | None
    created_at: datetime
    updated_at: datetime


class ArticleList(Model):
    articles: list[Article]


class SearchQuery(WidgetQuery):
    q: Text(CONTENT_MAX_LENGTH) = Field(description="The question, as a visitor would ask it.")
    limit: Limit(SEARCH_MAX_LIMIT) = SEARCH_DEFAULT_LIMIT


class SearchResult(Model):
    id: int
    title: str
    score: float
    snippet: str = Field(description="The article's passage that best answers the question.")


class Handoff(Model):
    wanted: bool = Field(description="Whether a visitor sending `q` as a message would be handed to a person.")
    reason: str = Field(description="Why, in a few words.")


class ArticleSearch(Model):
    results: list[SearchResult]
    handoff: Handoff = Field(description="The agent's hand-off decision for `q`, the same the live agent takes.")
