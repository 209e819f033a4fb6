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

from aurion.api.operations import API_KEY, VISITOR_BEARER, Reply, operation
from aurion.api.origins import browser_facing, require_allowed_origin
from aurion.api.requests import bearer_token
from aurion.models import Widget, WidgetSession
from aurion.problems import NotFoundProblem, Problem
from aurion.schemas.voice import CallAccess, VoiceTokenRequest
from aurion.services.api_keys import authenticate_api_key, require_scope
from aurion.services.sessions import new_unidentified_visitor, session_from_bearer, start_session
from aurion.services.widgets import find_widget
from aurion.voice.tokens import call_access

bp = browser_facing(Blueprint("voice_api", __name__, url_prefix="/api/v1/voice-widget"))


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
@operation(
    "Start a voice call",
    body=VoiceTokenRequest,
    responses={200: Reply("Access to the call", CallAccess)},
    security=[*VISITOR_BEARER, *API_KEY],
    scope="voice-widget:write",
    problems=[401, 403, 404, (409, "Voice is not among the widget's modes")],
    description=__doc__,
)
def post_token(body: VoiceTokenRequest):
    """Access to a voice call in the visitor's conversation: a LiveKit token, or the embedded voice socket."""
    widget = find_widget(body.widget_id)
    participant_name = body.participant_name
    require_allowed_origin(widget)
    caller = _visitor_session(widget)
    if "voice" not in widget.modes:
        raise Problem(409, "voice_disabled", "Voice is not among this widget's modes; enable it in the widget's config.")
    if caller is None:
        new = start_session(widget, new_unidentified_visitor(widget), participant_name)
        caller = new.session, new.token
    return call_access(current_app.config, *caller, participant_name, request.host_url)
