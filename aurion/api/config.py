"""The config API: a tenant's widgets, read and changed with an API key."""

from flask import Blueprint, current_app

from aurion.api.operations import Reply, operation
from aurion.api.requests import api_key_required, requested_widget
from aurion.schemas.widgets import GaReadiness, RegeneratedKey, WidgetConfig, WidgetConfigUpdate, WidgetQuery
from aurion.services.readiness import ga_readiness
from aurion.services.widgets import regenerate_widget_key, update_widget, widget_config

bp = Blueprint("config_api", __name__, url_prefix="/api/v1/voice-widget")


@bp.get("/config")
@api_key_required("voice-widget:read")
@operation(
    "Read the widget configuration",
    query=WidgetQuery,
    responses={200: Reply("The configuration", WidgetConfig)},
    problems=[404],
)
def get_config(query: WidgetQuery):
    """The widget's configuration."""
    return widget_config(requested_widget(query.widget_id))


@bp.put("/config")
@api_key_required("voice-widget:write")
@operation(
    "Change the widget configuration (partial update)",
    query=WidgetQuery,
    body=WidgetConfigUpdate,
    responses={200: Reply("The configuration after the change", WidgetConfig)},
    problems=[404],
)
def put_config(query: WidgetQuery, body: WidgetConfigUpdate):
    """Change some of the widget's settings; the rest stay as they are."""
    return widget_config(update_widget(requested_widget(query.widget_id), body))


@bp.post("/config/regenerate-key")
@api_key_required("voice-widget:write")
@operation(
    "Give the widget a new id and identity secret",
    query=WidgetQuery,
    responses={200: Reply("The new widget id", RegeneratedKey)},
    problems=[404],
)
def regenerate_key(query: WidgetQuery):
    """A new widget id and identity secret; the old id stops working at once."""
    widget = regenerate_widget_key(requested_widget(query.widget_id))
    return {"widget_id": widget.public_id, "message": "Widget key regenerated. Update your embed snippet."}


@bp.get("/ga-readiness")
@api_key_required("voice-widget:read")
@operation(
    "Checklist before going live",
    query=WidgetQuery,
    responses={200: Reply("The checklist", GaReadiness)},
    problems=[404],
)
def get_ga_readiness(query: WidgetQuery):
    """What still stands between this widget and going live."""
    return ga_readiness(requested_widget(query.widget_id), current_app.config)
