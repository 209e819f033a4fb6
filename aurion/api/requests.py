"""Parsing what API clients send: credentials and JSON bodies."""

from functools import wraps

from flask import current_app, g, request

from aurion.problems import Problem, ValidationProblem
from aurion.models import Widget
from aurion.services.api_keys import authenticate_api_key, require_scope
from aurion.services.widgets import find_tenant_widget


def api_key_required(scope: str):
    """Authenticate `X-API-Key` and demand `scope`; the key lands in `g.api_key`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            api_key = authenticate_api_key(request.headers.get("X-API-Key"))
            require_scope(api_key, scope)
            g.api_key = api_key
            return view(*args, **kwargs)

        wrapper.required_scope = scope
        return wrapper

    return decorator


def json_body() -> object:
    """The request's JSON body, refused clearly when it is too big, not JSON, or broken."""
    request.max_content_length = current_app.config["AURION_JSON_MAX_BYTES"]
    if not request.is_json:
        raise Problem(415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.")
    payload = request.get_json(silent=True)
    if payload is None:
        raise Problem(400, "malformed_json", "The body is not valid JSON.")
    return payload


def json_object() -> dict:
    """The request's JSON body, which must be an object."""
    payload = json_body()
    if not isinstance(payload, dict):
        raise ValidationProblem("body", "The body must be a JSON object.")
    return payload


def requested_widget() -> Widget:
    """The API key's tenant's widget named by `?widget_id=`, or its default widget."""
    return find_tenant_widget(g.api_key.tenant_id, request.args.get("widget_id"))
