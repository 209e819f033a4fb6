"""The config API: a tenant's widgets, read and changed with an API key."""

from flask import Blueprint, current_app

from aurion.api import spec
from aurion.api.requests import api_key_required, json_object, requested_widget
from aurion.services.readiness import ga_readiness
from aurion.services.widgets import regenerate_widget_key, update_widget, widget_config

bp = Blueprint("config_api", __name__, url_prefix="/api/v1/voice-widget")


@bp.get("/config")
@api_key_required("voice-widget:read")
def get_config():
    """The widget's configuration."""
    return widget_config(requested_widget())


@bp.put("/config")
@api_key_required("voice-widget:write")
def put_config():
    """Change some of the widget's settings; the rest stay as they are."""
    widget = requested_widget()
    return widget_config(update_widget(widget, json_object()))


@bp.post("/config/regenerate-key")
@api_key_required("voice-widget:write")
def regenerate_key():
    """A new widget id and identity secret; the old id stops working at once."""
    widget = regenerate_widget_key(requested_widget())
    return {"widget_id": widget.public_id, "message": "Widget key regenerated. Update your embed snippet."}


@bp.get("/ga-readiness")
@api_key_required("voice-widget:read")
def get_ga_readiness():
    """What still stands between this widget and going live."""
    return ga_readiness(requested_widget(), current_app.config)


_WIDGET_ERRORS = spec.problems(401, 403, 404)

OPENAPI_PATHS = {
    "/api/v1/voice-widget/config": {
        "get": spec.operation(
            "Read the widget configuration",
            spec.API_KEY,
            {"200": spec.response("The configuration", spec.ref("WidgetConfig")), **_WIDGET_ERRORS},
            scope="voice-widget:read",
            parameters=[spec.widget_id_query()],
        ),
        "put": spec.operation(
            "Change the widget configuration (partial update)",
            spec.API_KEY,
            {
                "200": spec.response("The configuration after the change", spec.ref("WidgetConfig")),
                **_WIDGET_ERRORS,
                **spec.problems(400, 413, 415, 422),
            },
            scope="voice-widget:write",
            parameters=[spec.widget_id_query()],
            requestBody=spec.json_request(spec.ref("WidgetConfigUpdate")),
        ),
    },
    "/api/v1/voice-widget/config/regenerate-key": {
        "post": spec.operation(
            "Give the widget a new id and identity secret",
            spec.API_KEY,
            {
                "200": spec.response(
                    "The new widget id",
                    {
                        "type": "object",
                        "required": ["widget_id", "message"],
                        "properties": {"widget_id": {"type": "string"}, "message": {"type": "string"}},
                    },
                ),
                **_WIDGET_ERRORS,
            },
            scope="voice-widget:write",
            parameters=[spec.widget_id_query()],
        ),
    },
    "/api/v1/voice-widget/ga-readiness": {
        "get": spec.operation(
            "Checklist before going live",
            spec.API_KEY,
            {"200": spec.response("The checklist", spec.ref("GaReadiness")), **_WIDGET_ERRORS},
            scope="voice-widget:read",
            parameters=[spec.widget_id_query()],
        ),
    },
}

_DOMAINS = {
    "type": "array",
    "items": {"type": "string"},
    "maxItems": 100,
    "description": "Hosts the widget may load on: `example.com`, `*.example.com`. A pasted URL is reduced to its host.",
}
_EDITABLE = {
    "name": {"type": "string", "maxLength": 120},
    "greeting": {"type": "string", "maxLength": 500},
    "primary_color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
    "position": {"type": "string", "enum": ["bottom-right", "bottom-left"]},
    "allowed_domains": _DOMAINS,
    "modes": {"type": "array", "items": {"type": "string", "enum": ["voice", "chat"]}, "minItems": 1},
    "allow_anonymous": {"type": "boolean"},
}
OPENAPI_SCHEMAS = {
    "WidgetConfigUpdate": {"type": "object", "additionalProperties": False, "properties": _EDITABLE},
    "WidgetConfig": {
        "type": "object",
        "properties": {
            "widget_id": {"type": "string", "readOnly": True},
            **_EDITABLE,
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "GaReadiness": {
        "type": "object",
        "required": ["ready", "checks"],
        "properties": {
            "widget_id": {"type": "string"},
            "ready": {"type": "boolean"},
            "checks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "ok", "detail"],
                    "properties": {"name": {"type": "string"}, "ok": {"type": "boolean"}, "detail": {"type": "string"}},
                },
            },
        },
    },
}
