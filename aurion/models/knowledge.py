"""The knowledge base the agent answers from."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurion.extensions import db
from aurion.models.types import UTCDateTime
from aurion.schemas.fields import URL_MAX_LENGTH
from aurion.schemas.knowledge import ARTICLE_TITLE_MAX_LENGTH
from aurion.timestamps import utcnow


class Article(db.Model):
    """A help article or Q&A an admin wrote for one widget."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    widget_id: Mapped[int] = mapped_column(ForeignKey("widgets.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(ARTICLE_TITLE_MAX_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    passages = relationship(
        "ArticlePassage", back_populates="article", order_by="ArticlePassage.position", cascade="all, delete-orphan"
    )


class ArticlePassage(db.Model):
    """A passage of an article with its embedding, computed when the article is saved."""

    __tablename__ = "article_passages"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)

    article = relationship("Article", back_populates="passages")


class UnansweredQuestion(db.Model):
    """A visitor's question the agent could not answer: a gap in the knowledge base."""

    __tablename__ = "unanswered_questions"
    # The dashboard reads one widget's recent questions.
    __table_args__ = (db.Index("ix_unanswered_questions_widget_id_asked_at", "widget_id", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    widget_id: Mapped[int] = mapped_column(ForeignKey("widgets.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    # Its embedding, kept so the dashboard groups questions by meaning without embedding them again.
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
