"""`POST /api/v1/voice-widget/token`: access to a voice call, for the widget or the site's server.

Credentials, as the contract says:
- from the widget: an allowed `Origin` and the visitor's session
  (`Authorization: Bearer <session token>`): the call joins the session's conversation;
- from the site's server: `X-API-Key` with `voice-widget:write`: a new visitor named
  `participant_name` gets a new session and conversation for the call.
The guide's curl carries neither, so as written it gets a 401 naming both; with the
API key its scopes table lists for this endpoint added, it works (see docs/voice.md).

Refusals: 401 without (valid) credentials, 403 for a disallowed Origin or a key
without the scope, 404 for an unknown widget (or another tenant's), 409 when the
widget's modes exclude voice, 422 for a malformed body.
"""

from flask import Blueprint, current_app, request

from aurion.api import spec
from aurion.api.origins import browser_facing, require_allowed_origin
from aurion.api.requests import bearer_token, json_object
from aurion.models import Widget, WidgetSession
from aurion.problems import NotFoundProblem, Problem, ValidationProblem
from aurion.services.api_keys import authenticate_api_key, require_scope
from aurion.services.sessions import (
    DISPLAY_NAME_MAX_LENGTH,
    new_unidentified_visitor,
    session_from_bearer,
    start_session,
)
from aurion.services.widgets import find_widget
from aurion.voice.tokens import call_access

bp = browser_facing(Blueprint("voice_api", __name__, url_prefix="/api/v1/voice-widget"))
TOKEN_FIELDS = ("widget_id", "participant_name")


def _string(payload: dict, field: str, max_length: int, required: bool) -> str | None:
    value = payload.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationProblem(field, f"{field} must be a non-empty string.")
    if len(value.strip()) > max_length:
        raise ValidationProblem(field, f"{field} must be at most {max_length} characters.")
    return value.strip()


def _visitor_session(widget: Widget) -> tuple[WidgetSession, str] | None:
    """The caller's session and bearer; None for the tenant's server (a valid API key); 401/403/404 otherwise."""
    bearer = bearer_token()
    if bearer is not None:
        session = session_from_bearer(bearer)
        if session.widget_id != widget.id:
            raise Problem(401, "session_wrong_widget", "The session belongs to another widget than widget_id.")
        return session, bearer
    if request.headers.get("X-API-Key") is None:
        raise Problem(
            401,
            "credentials_required",
            "Send the visitor's session (Authorization: Bearer <session token>) from the widget, "
            "or an X-API-Key with the voice-widget:write scope from your server.",
        )
    api_key = authenticate_api_key(request.headers["X-API-Key"])
    require_scope(api_key, "voice-widget:write")
    if api_key.tenant_id != widget.tenant_id:
        raise NotFoundProblem(f"No widget {widget.public_id!r} belongs to this tenant.", "widget_not_found")
    return None


@bp.post("/token")
def post_token():
    """Access to a voice call in the visitor's conversation: a LiveKit token, or the embedded voice socket."""
    payload = json_object(TOKEN_FIELDS)
    widget = find_widget(_string(payload, "widget_id", 40, required=True))
    participant_name = _string(payload, "participant_name", DISPLAY_NAME_MAX_LENGTH, required=False)
    require_allowed_origin(widget)
    caller = _visitor_session(widget)
    if "voice" not in widget.modes:
        raise Problem(409, "voice_disabled", "Voice is not among this widget's modes; enable it in the widget's config.")
    if caller is None:
        new = start_session(widget, new_unidentified_visitor(widget), participant_name)
        caller = new.session, new.token
    return call_access(current_app.config, *caller, participant_name, request.host_url)


_TOKEN_BODY = {
    "type": "object",
    "required": ["widget_id"],
    "additionalProperties": False,
    "properties": {
        "widget_id": {"type": "string"},
        "participant_name": {"type": "string", "maxLength": DISPLAY_NAME_MAX_LENGTH, "description": "Shown to the agent and in the helpdesk."},
    },
}
_TOKEN_RESPONSE = {
    "type": "object",
    "required": ["token", "room_name", "ws_url", "transport"],
    "properties": {
        "token": {"type": "string", "description": "LiveKit: a participant token. Embedded: the session bearer for ws_url."},
        "room_name": {"type": "string", "description": "One room per conversation."},
        "ws_url": {"type": "string", "description": "LiveKit: the server. Embedded: the voice socket; connect to ws_url?token=..."},
        "transport": {"type": "string", "enum": ["livekit", "embedded"]},
        "expires_at": {"type": "string", "format": "date-time"},
        "conversation_id": {"type": "string"},
        "participant_name": {"type": "string"},
    },
}

OPENAPI_PATHS = {
    "/api/v1/voice-widget/token": {
        "post": spec.operation(
            "Start a voice call",
            [*spec.VISITOR_BEARER, *spec.API_KEY],
            {"200": spec.response("Access to the call", _TOKEN_RESPONSE), **spec.problems(400, 401, 403, 404, 409, 415, 422)},
            scope="voice-widget:write",
            description=__doc__,
            requestBody=spec.json_request(_TOKEN_BODY),
        )
    }
}
