"""Configuration > Voice Widget: the list, the builder with its live preview, the embed
snippet, the identity secret, key regeneration and the GA-readiness checklist."""

from flask import current_app, flash, g, redirect, render_template, request, url_for

from aurion.dashboard.base import bp, tenant_id
from aurion.dashboard.forms import builder_payload, field_errors, preview_settings
from aurion.dashboard.minting import EXAMPLES
from aurion.dashboard.security import PREVIEW_HEADERS
from aurion.problems import ValidationProblem
from aurion.services.business_hours import DAYS
from aurion.services.colors import widget_colors
from aurion.services.readiness import ga_readiness
from aurion.services.widget_strings import LOCALE_NAMES, choose_locale, widget_strings
from aurion.services.widgets import (
    create_widget,
    delete_widget,
    embed_snippet,
    find_tenant_widget,
    list_tenant_widgets,
    regenerate_widget_key,
    update_widget,
    widget_config,
)


def _widget(widget_id: str):
    return find_tenant_widget(tenant_id(), widget_id)


def _snippet(widget) -> str:
    return embed_snippet(request.host_url, widget)


@bp.get("/widgets")
def widgets():
    """The tenant's widgets, each with its embed snippet, and the form to create one."""
    return render_template("dashboard/widgets.html", widgets=list_tenant_widgets(tenant_id()), snippet=_snippet)


@bp.post("/widgets")
def create():
    """Create a widget with default settings and open it in the builder."""
    try:
        widget = create_widget(g.admin.tenant, name=request.form.get("name", ""))
    except ValidationProblem as problem:
        page = render_template(
            "dashboard/widgets.html",
            widgets=list_tenant_widgets(tenant_id()),
            snippet=_snippet,
            name_error=problem.detail,
            name=request.form.get("name", ""),
        )
        return page, 422
    flash(f"Widget \u201c{widget.name}\u201d created. Configure it below, then copy the embed snippet.")
    return redirect(url_for("dashboard.builder", widget_id=widget.public_id))


@bp.route("/widgets/<widget_id>", methods=["GET", "POST"])
def builder(widget_id: str):
    """The widget builder: settings, live preview and embed snippet; POST saves."""
    widget = _widget(widget_id)
    values, errors = widget_config(widget), {}
    if request.method == "POST":
        payload = builder_payload(request.form)
        errors = field_errors(payload)
        if not errors:
            update_widget(widget, payload)
            flash("Widget saved. Sites that embed it show the new settings on their next page load.")
            return redirect(url_for("dashboard.builder", widget_id=widget.public_id))
        values = {**values, **payload}
    page = render_template(
        "dashboard/builder.html",
        widget=widget,
        values=values,
        errors=errors,
        snippet=_snippet(widget),
        locales=LOCALE_NAMES,
        days=DAYS,
    )
    return page, 422 if errors else 200


@bp.get("/widgets/<widget_id>/preview")
def preview(widget_id: str):
    """The real widget, rendering the builder's unsaved settings (framed by the builder)."""
    widget = _widget(widget_id)
    settings = preview_settings(widget_config(widget), request.args)
    page = render_template(
        "dashboard/preview.html",
        widget=widget,
        settings=settings,
        colors=widget_colors(settings["primary_color"]),
        strings=widget_strings(choose_locale(widget.locale, request.accept_languages)),
    )
    return page, 200, PREVIEW_HEADERS


@bp.route("/widgets/<widget_id>/delete", methods=["GET", "POST"])
def delete(widget_id: str):
    """Ask before deleting a widget (GET), then delete it with everything it holds (POST)."""
    widget = _widget(widget_id)
    if request.method == "GET":
        return render_template("dashboard/delete_widget.html", widget=widget)
    name = widget.name
    delete_widget(widget)
    flash(f"Widget \u201c{name}\u201d deleted.")
    return redirect(url_for("dashboard.widgets"))


@bp.route("/widgets/<widget_id>/identity", methods=["GET", "POST"])
def identity(widget_id: str):
    """How a site's backend mints visitors' email tokens; the secret itself only when asked (POST)."""
    widget = _widget(widget_id)
    secret = widget.identity_secret if request.method == "POST" else None
    return render_template("dashboard/identity.html", widget=widget, secret=secret, examples=EXAMPLES)


@bp.route("/widgets/<widget_id>/regenerate", methods=["GET", "POST"])
def regenerate(widget_id: str):
    """Say what breaks (GET), then give the widget a new id and identity secret (POST)."""
    widget = _widget(widget_id)
    if request.method == "GET":
        return render_template("dashboard/regenerate.html", widget=widget)
    regenerate_widget_key(widget)
    flash("New widget id and identity secret issued. Paste the new embed snippet into your site and update your backend's secret.")
    return redirect(url_for("dashboard.builder", widget_id=widget.public_id))


@bp.get("/widgets/<widget_id>/readiness")
def readiness(widget_id: str):
    """The GA-readiness checklist, each check with what to do about it."""
    widget = _widget(widget_id)
    return render_template("dashboard/readiness.html", widget=widget, report=ga_readiness(widget, current_app.config))
