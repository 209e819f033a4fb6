"""Saved replies: the owners' page to create, edit and delete them (the reply box's `/shortcut` picker uses them)."""

from flask import flash, redirect, render_template, request, url_for

from aurion.dashboard.base import bp, tenant_id
from aurion.problems import ValidationProblem
from aurion.schemas.fields import parse
from aurion.schemas.notes import SavedReplyRequest
from aurion.services.saved_replies import delete_saved_reply, find_saved_reply, list_saved_replies, save_reply


def _form() -> dict:
    return {"shortcut": request.form.get("shortcut", ""), "content": request.form.get("content", "")}


def _errors(problem: ValidationProblem) -> dict:
    return {problem.extra["field"]: problem.detail}


def _list_page(form: dict | None = None, errors: dict | None = None, status: int = 200):
    page = render_template(
        "dashboard/saved_replies.html", saved_replies=list_saved_replies(tenant_id()), form=form or {}, errors=errors or {}
    )
    return page, status


@bp.get("/saved-replies")
def saved_replies():
    """The tenant's saved replies and the form to add one."""
    return _list_page()


@bp.post("/saved-replies")
def create_saved_reply():
    """Add a saved reply; a bad or taken shortcut is said beside its field."""
    form = _form()
    try:
        saved = save_reply(tenant_id(), parse(SavedReplyRequest, form))
    except ValidationProblem as problem:
        return _list_page(form, _errors(problem), 422)
    flash(f"Saved reply /{saved.shortcut} added.")
    return redirect(url_for("dashboard.saved_replies"))


@bp.get("/saved-replies/<saved_reply_id>")
def saved_reply(saved_reply_id: str):
    """One saved reply, to edit."""
    saved = find_saved_reply(tenant_id(), saved_reply_id)
    return render_template("dashboard/saved_reply.html", saved=saved, form={"shortcut": saved.shortcut, "content": saved.content}, errors={})


@bp.post("/saved-replies/<saved_reply_id>")
def update_saved_reply(saved_reply_id: str):
    """Change a saved reply's shortcut or text."""
    saved = find_saved_reply(tenant_id(), saved_reply_id)
    form = _form()
    try:
        save_reply(tenant_id(), parse(SavedReplyRequest, form), saved)
    except ValidationProblem as problem:
        return render_template("dashboard/saved_reply.html", saved=saved, form=form, errors=_errors(problem)), 422
    flash(f"Saved reply /{saved.shortcut} updated.")
    return redirect(url_for("dashboard.saved_replies"))


@bp.post("/saved-replies/<saved_reply_id>/delete")
def remove_saved_reply(saved_reply_id: str):
    """Delete a saved reply."""
    saved = find_saved_reply(tenant_id(), saved_reply_id)
    delete_saved_reply(saved)
    flash(f"Saved reply /{saved.shortcut} deleted.")
    return redirect(url_for("dashboard.saved_replies"))
