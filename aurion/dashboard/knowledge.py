"""The knowledge base editor of a widget, with a "try the agent" box."""

from flask import flash, redirect, render_template, request, url_for

from aurion.agent.preview import try_the_agent
from aurion.dashboard.base import bp, tenant_id
from aurion.dashboard.forms import article_payload, clean_article_field, field_errors
from aurion.services.knowledge import (
    create_article,
    delete_article,
    find_article,
    list_articles,
    update_article,
)
from aurion.services.knowledge_gaps import knowledge_gaps
from aurion.services.widgets import find_tenant_widget

# How many ranked articles "try the agent" lists.
TRY_RESULTS = 5


def _widget(widget_id: str):
    return find_tenant_widget(tenant_id(), widget_id)


def _articles_page(widget, form_values: dict | None = None, errors: dict | None = None, status: int = 200):
    question = request.args.get("q", "").strip()
    preview = try_the_agent(widget, question, TRY_RESULTS) if question else None
    page = render_template(
        "dashboard/articles.html",
        widget=widget,
        articles=list_articles(widget),
        question=question,
        preview=preview,
        gaps=knowledge_gaps(widget),
        # "Write an article" on a knowledge gap links here with the question as `?title=`.
        values=form_values or {"title": request.args.get("title", "")},
        errors=errors or {},
    )
    return page, status


@bp.get("/widgets/<widget_id>/articles")
def articles(widget_id: str):
    """The widget's articles, the form to add one (titled `?title=`), the questions the agent
    could not answer, and what a visitor asking `?q=` would get."""
    return _articles_page(_widget(widget_id))


@bp.post("/widgets/<widget_id>/articles")
def add_article(widget_id: str):
    """Add an article; the agent can use it as soon as this returns."""
    widget = _widget(widget_id)
    payload = article_payload(request.form)
    errors = field_errors(payload, clean_article_field)
    if errors:
        return _articles_page(widget, payload, errors, 422)
    article = create_article(widget, payload)
    flash(f"Article \u201c{article.title}\u201d added; the agent answers from it now.")
    return redirect(url_for("dashboard.articles", widget_id=widget.public_id))


@bp.route("/widgets/<widget_id>/articles/<int:article_id>", methods=["GET", "POST"])
def edit_article(widget_id: str, article_id: int):
    """Edit an article (POST saves it)."""
    widget = _widget(widget_id)
    article = find_article(widget, article_id)
    values = {"title": article.title, "body": article.body, "url": article.url or ""}
    errors = {}
    if request.method == "POST":
        values = article_payload(request.form)
        errors = field_errors(values, clean_article_field)
        if not errors:
            update_article(article, values)
            flash(f"Article \u201c{article.title}\u201d saved.")
            return redirect(url_for("dashboard.articles", widget_id=widget.public_id))
    page = render_template("dashboard/article.html", widget=widget, article=article, values=values, errors=errors)
    return page, 422 if errors else 200


@bp.post("/widgets/<widget_id>/articles/<int:article_id>/delete")
def remove_article(widget_id: str, article_id: int):
    """Delete an article; the agent stops using it at once."""
    widget = _widget(widget_id)
    article = find_article(widget, article_id)
    title = article.title
    delete_article(article)
    flash(f"Article \u201c{title}\u201d deleted.")
    return redirect(url_for("dashboard.articles", widget_id=widget.public_id))
