"""Turning the dashboard's HTML forms into the payloads that `aurion.schemas` checks."""

import re
from collections.abc import Callable
from typing import Any

from werkzeug.datastructures import MultiDict

from aurion.problems import ValidationProblem
from aurion.schemas.calls import RETENTION_MAX_DAYS
from aurion.schemas.fields import EMAIL_MAX_LENGTH, URL_MAX_LENGTH, parse
from aurion.schemas.keys import API_KEY_NAME_MAX_LENGTH
from aurion.schemas.knowledge import ARTICLE_BODY_MAX_LENGTH, ARTICLE_TITLE_MAX_LENGTH, ArticleInput, ArticleUpdate
from aurion.schemas.messages import CONTENT_MAX_LENGTH
from aurion.schemas.team import ADMIN_NAME_MAX_LENGTH, REPLY_TIME_TEXT_MAX_LENGTH, SHORTCUT_MAX_LENGTH
from aurion.schemas.widgets import (
    ALLOWED_DOMAINS_MAX,
    COLOR_LENGTH,
    GREETING_MAX_LENGTH,
    LOCALES,
    WIDGET_NAME_MAX_LENGTH,
)
from aurion.services.business_hours import DAYS
from aurion.services.widgets import clean_config_changes

# Domains are typed one per line or comma-separated; a space inside an entry is the
# admin's typo, which validation should name rather than split into two entries.
_DOMAIN_SEPARATOR = re.compile(r"[\r\n,]+")
# A day's hours are typed "09:00-12:00, 13:00-17:00"; closed dates one per line.
_INTERVAL_SEPARATOR = re.compile(r"[,;]+")
_LINES = re.compile(r"[\r\n,]+")
# The limits the forms show (`maxlength`, hints) as the template global `field_limits`: the models' own.
FIELD_LIMITS = {
    "widget_name": WIDGET_NAME_MAX_LENGTH,
    "greeting": GREETING_MAX_LENGTH,
    "primary_color": COLOR_LENGTH,
    "article_title": ARTICLE_TITLE_MAX_LENGTH,
    "article_body": ARTICLE_BODY_MAX_LENGTH,
    "url": URL_MAX_LENGTH,
    "reply": CONTENT_MAX_LENGTH,
    "api_key_name": API_KEY_NAME_MAX_LENGTH,
    "allowed_domains": ALLOWED_DOMAINS_MAX,
    "retention_days": RETENTION_MAX_DAYS,
    # With its optional leading slash.
    "shortcut": SHORTCUT_MAX_LENGTH + 1,
    "admin_name": ADMIN_NAME_MAX_LENGTH,
    "email": EMAIL_MAX_LENGTH,
    "reply_time_text": REPLY_TIME_TEXT_MAX_LENGTH,
}
# The settings a visitor sees, which the builder's preview shows before they are saved.
PREVIEW_FIELDS = ("name", "greeting", "primary_color", "position", "modes")


def builder_payload(form: MultiDict) -> dict[str, Any]:
    """The builder form as a config payload: domains one per line (or comma-separated),
    modes as checkboxes, anonymous visitors, call recording and automatic transcripts as
    checkboxes, business hours as one line of intervals per day."""
    payload = {
        "name": form.get("name", ""),
        "greeting": form.get("greeting", ""),
        "primary_color": form.get("primary_color", "").strip(),
        "position": form.get("position", ""),
        "modes": form.getlist("modes"),
        "allowed_domains": [entry.strip() for entry in _DOMAIN_SEPARATOR.split(form.get("allowed_domains", "")) if entry.strip()],
        "allow_anonymous": form.get("allow_anonymous") == "on",
        "record_calls": form.get("record_calls") == "on",
        "locale": form.get("locale", "auto"),
        "greetings": {locale: form[f"greeting_{locale}"] for locale in LOCALES if form.get(f"greeting_{locale}", "").strip()},
        "business_hours": _business_hours(form) if form.get("hours_on") == "on" else None,
        "transcript_auto": form.get("transcript_auto") == "on",
        "reply_time_text": form.get("reply_time_text", ""),
    }
    if "recording_retention_days" in form:
        days = form["recording_retention_days"].strip()
        # A number field sends digits; anything else is passed on for validation to name.
        payload["recording_retention_days"] = int(days) if days.isascii() and days.isdigit() else days
    return payload


def _business_hours(form: MultiDict) -> dict[str, Any]:
    """The hours fields as `BusinessHours`: a zone, "09:00-12:00, 13:00-17:00" per day, closed dates."""
    weekly = {}
    for day in DAYS:
        parts = [part.strip() for part in _INTERVAL_SEPARATOR.split(form.get(f"hours_{day}", "")) if part.strip()]
        if parts:
            weekly[day] = [[start.strip(), end.strip()] for start, _, end in (part.partition("-") for part in parts)]
    return {
        "timezone": form.get("timezone", "").strip(),
        "weekly": weekly,
        "closed_dates": [line.strip() for line in _LINES.split(form.get("closed_dates", "")) if line.strip()],
    }


def field_errors(payload: dict[str, Any], clean: Callable[[dict], Any] = clean_config_changes) -> dict[str, str]:
    """Every invalid field of `payload` with its message, so the form shows them all at once.

    `clean` validates a (partial) payload, raising ValidationProblem; it is given one field at a time.
    """
    errors = {}
    for field, value in payload.items():
        try:
            clean({field: value})
        except ValidationProblem as problem:
            errors[problem.extra.get("field", field)] = problem.detail
    return errors


def article_payload(form: MultiDict) -> dict[str, str]:
    """The article form as an article payload."""
    return {field: form.get(field, "") for field in ArticleInput.model_fields}


def clean_article_field(payload: dict) -> ArticleUpdate:
    """One article field, validated as the API validates it."""
    return parse(ArticleUpdate, payload)


def preview_settings(stored: dict[str, Any], query: MultiDict) -> dict[str, Any]:
    """The settings to preview: the unsaved values in `query` where valid, else the stored ones."""
    settings = {field: stored[field] for field in PREVIEW_FIELDS}
    unsaved = {field: query.get(field) for field in PREVIEW_FIELDS if field != "modes" and field in query}
    if "modes" in query:
        unsaved["modes"] = query["modes"].split()
    for field, value in unsaved.items():
        try:
            settings.update(clean_config_changes({field: value}))
        except ValidationProblem:
            pass  # a half-typed colour keeps the stored one until it is valid
    return settings
