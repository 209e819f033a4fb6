"""Widgets: creation, their public config, validated changes, key rotation."""

import secrets
from collections.abc import Mapping
from typing import Any

from aurion.engines.broker import broker
from aurion.extensions import db
from aurion.models import (
    Article,
    ArticlePassage,
    Conversation,
    Tenant,
    Visitor,
    Widget,
)
from aurion.problems import NotFoundProblem, ValidationProblem
from aurion.schemas.fields import is_public_id, parse
from aurion.schemas.widgets import WidgetConfigUpdate
from aurion.services.business_hours import availability
from aurion.services.colors import widget_colors
from aurion.services.domains import DomainError, host_allowed, normalize_domain
from aurion.services.retention import erase_conversations
from aurion.services.widget_strings import choose_locale, widget_strings
from aurion.timestamps import isoformat_utc, utcnow

DEFAULTS = {
    "name": "Website widget",
    "greeting": "Hi! How can I help you today?",
    "primary_color": "#6366F1",
    "position": "bottom-right",
    "allowed_domains": [],
    "modes": ["voice", "chat"],
    "allow_anonymous": False,
    "record_calls": False,
    "recording_retention_days": 30,
    "business_hours": None,
    "locale": "auto",
    "greetings": {},
    "transcript_auto": False,
}


def new_public_id() -> str:
    return "wgt_" + secrets.token_urlsafe(12)


def new_identity_secret() -> str:
    return secrets.token_urlsafe(32)


def clean_config_changes(changes: WidgetConfigUpdate | Mapping[str, Any]) -> dict[str, Any]:
    """The changes as the widget stores them, or a 422 naming the field.

    The model checks each field's type and length; allowed domains are then reduced
    to the hosts they name (a pasted URL becomes its host), which may still fail.
    """
    cleaned = parse(WidgetConfigUpdate, changes).changes()
    if "allowed_domains" in cleaned:
        cleaned["allowed_domains"] = _normalized_domains(cleaned["allowed_domains"])
    return cleaned


def _normalized_domains(entries: list[str]) -> list[str]:
    normalized: list[str] = []
    for index, entry in enumerate(entries):
        try:
            domain = normalize_domain(entry)
        except DomainError as exc:
            raise ValidationProblem("allowed_domains", f"allowed_domains[{index}]: {exc}") from exc
        if domain not in normalized:
            normalized.append(domain)
    return normalized


def create_widget(tenant: Tenant, **settings: Any) -> Widget:
    """A new widget for `tenant`, with defaults for whatever `settings` leaves out."""
    values = {**DEFAULTS, **clean_config_changes(settings)}
    widget = Widget(
        tenant=tenant,
        public_id=new_public_id(),
        identity_secret=new_identity_secret(),
        **values,
    )
    db.session.add(widget)
    db.session.commit()
    return widget


def update_widget(widget: Widget, changes: WidgetConfigUpdate | Mapping[str, Any]) -> Widget:
    """Apply a partial update; nothing is stored unless every field is valid."""
    for field, value in clean_config_changes(changes).items():
        setattr(widget, field, value)
    db.session.commit()
    return widget


def regenerate_widget_key(widget: Widget) -> Widget:
    """A new public id and identity secret; the old id stops working at once, and every
    process closes the sockets of the sessions issued for it (through the broker)."""
    old_public_id = widget.public_id
    widget.public_id = new_public_id()
    widget.identity_secret = new_identity_secret()
    db.session.commit()
    broker().revoke_widget_sessions(old_public_id)
    return widget


def _look(widget: Widget, greeting: str) -> dict[str, Any]:
    """What both the public config and the config API show (`WidgetLook`)."""
    return {
        "widget_id": widget.public_id,
        "name": widget.name,
        "greeting": greeting,
        "primary_color": widget.primary_color,
        "position": widget.position,
        "modes": widget.modes,
        "allow_anonymous": widget.allow_anonymous,
        "transcript_auto": widget.transcript_auto,
    }


def widget_public_config(
    widget: Widget, accept_language: list[tuple[str, float]] = (), transcripts: bool = False
) -> dict[str, Any]:
    """What any page of an allowed domain may know: how the widget looks, what it offers,
    whether a person is in, and every string it shows in the visitor's language.

    `accept_language` is the browser's Accept-Language, (tag, quality) pairs; it decides
    the language when the widget's locale is `auto`. `transcripts`: this server sends
    email, so the widget offers the transcript by email.
    """
    locale = choose_locale(widget.locale, list(accept_language))
    now = availability(widget.business_hours, utcnow())
    return {
        **_look(widget, (widget.greetings or {}).get(locale) or widget.greeting),
        "colors": widget_colors(widget.primary_color),
        "transcripts": transcripts,
        "team_in": now.team_in,
        "next_in": isoformat_utc(now.next_in) if now.next_in else None,
        "locale": locale,
        "strings": widget_strings(locale),
    }


def widget_config(widget: Widget) -> dict[str, Any]:
    """The widget's config as the config API shows it: every setting, including what only its admins see."""
    return {
        **_look(widget, widget.greeting),
        "business_hours": widget.business_hours,
        "locale": widget.locale,
        "greetings": widget.greetings or {},
        "allowed_domains": widget.allowed_domains,
        "record_calls": widget.record_calls,
        "recording_retention_days": widget.recording_retention_days,
        "reply_time_text": widget.reply_time_text,
        "created_at": isoformat_utc(widget.created_at),
        "updated_at": isoformat_utc(widget.updated_at),
    }


def any_widget_allows(host: str | None) -> bool:
    """Whether some widget lists `host` among its allowed domains (the embed script's check)."""
    if not host:
        return False
    every_list = db.session.execute(db.select(Widget.allowed_domains)).scalars()
    return any(host_allowed(host, domains) for domains in every_list)


def find_tenant_widget(tenant_id: int, public_id: str | None = None) -> Widget:
    """The tenant's widget named by `public_id`, or its default (first) widget.

    Another tenant's widget is reported as missing, exactly like one that never existed.
    """
    if public_id is not None and not is_public_id(public_id):
        raise NotFoundProblem(f"No widget {public_id!r} belongs to this tenant.", "widget_not_found")
    query = db.select(Widget).filter_by(tenant_id=tenant_id)
    if public_id is not None:
        query = query.filter_by(public_id=public_id)
    widget = db.session.execute(query.order_by(Widget.id).limit(1)).scalar_one_or_none()
    if widget is None:
        if public_id is None:
            raise NotFoundProblem("This tenant has no widget yet; create one in the dashboard.", "widget_not_found")
        raise NotFoundProblem(f"No widget {public_id!r} belongs to this tenant.", "widget_not_found")
    return widget


def find_widget(public_id: str) -> Widget:
    """The widget with public id `public_id`, for public (visitor-facing) endpoints."""
    widget = None
    if is_public_id(public_id):
        widget = db.session.execute(db.select(Widget).filter_by(public_id=public_id)).scalar_one_or_none()
    if widget is None:
        raise NotFoundProblem(f"No widget {public_id!r}; check the embed snippet.", "widget_not_found")
    return widget


def list_tenant_widgets(tenant_id: int) -> list[Widget]:
    """The tenant's widgets, the default (oldest) first."""
    return list(db.session.execute(db.select(Widget).filter_by(tenant_id=tenant_id).order_by(Widget.id)).scalars())


def embed_snippet(base_url: str, widget: Widget) -> str:
    """The `<script>` tag a site pastes to embed `widget` from the server at `base_url`."""
    return (
        f'<script src="{base_url.rstrip("/")}/api/v1/voice-widget/embed/aurion.js" '
        f'data-widget-id="{widget.public_id}" async></script>'
    )


def delete_widget(widget: Widget) -> None:
    """Delete the widget with its knowledge base, visitors, conversations and their files.

    Rows are deleted explicitly, children first: SQLite does not enforce the schema's
    ON DELETE CASCADE unless every connection turns foreign keys on.
    """
    articles = db.select(Article.id).filter_by(widget_id=widget.id)
    files = erase_conversations(db.select(Conversation.id).filter_by(widget_id=widget.id))
    for statement in (
        db.delete(ArticlePassage).where(ArticlePassage.article_id.in_(articles)),
        db.delete(Article).where(Article.widget_id == widget.id),
        db.delete(Visitor).where(Visitor.widget_id == widget.id),
    ):
        db.session.execute(statement)
    db.session.delete(widget)
    db.session.commit()
    for path in files:
        path.unlink(missing_ok=True)
