"""Browser-facing endpoints: the Origin allowlist and exact-origin CORS.

A request with an `Origin` header came from a page: its host must be one of the
widget's allowed domains, or it gets 403 and no CORS headers. A request without
`Origin` is server-to-server and is judged by its credentials alone. Allowed origins
get `Access-Control-Allow-Origin` set to exactly that origin, never `*`.

Preflights carry no body and no credentials, so browser code names the widget in the
query string (`?widget_id=...`); the real request is then checked again against the
widget its credentials belong to.
"""

from flask import Blueprint, Response, g, request

from aurion.extensions import db
from aurion.models import Widget
from aurion.problems import Problem
from aurion.services.domains import host_allowed, origin_host
from aurion.services.widgets import find_widget

EXPOSED_HEADERS = "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, ETag"
PREFLIGHT_MAX_AGE = "600"


def origin_allowed(origin: str | None, widget: Widget) -> bool:
    """Whether a page at `origin` may use `widget`."""
    return host_allowed(origin_host(origin), widget.allowed_domains)


def require_allowed_origin(widget: Widget) -> None:
    """403 unless the request's Origin (if any) is allowed for `widget`; marks it for CORS."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    if not origin_allowed(origin, widget):
        raise Problem(
            403,
            "origin_not_allowed",
            f"Origin {origin} is not an allowed domain of this widget; add its host to allowed_domains.",
        )
    g.cors_origin = origin


def _answer_preflight():
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    widget_id = request.args.get("widget_id")
    if not widget_id:
        raise Problem(403, "origin_not_allowed", "Name the widget in the query string (?widget_id=...) for browser calls.")
    require_allowed_origin(find_widget(widget_id))
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def _readable_error_origin(response: Response) -> str | None:
    """The Origin that may read this error, so the widget can react to a 401, 422 or 429.

    A failed call never reached the check against its credentials' widget, so the widget
    named in `?widget_id=` (as for preflights) vouches for the page instead. Refusals of
    the origin itself (403) and server errors never get CORS headers.
    """
    origin = request.headers.get("Origin")
    widget_id = request.args.get("widget_id")
    if not origin or not widget_id or not 400 <= response.status_code < 500 or response.status_code == 403:
        return None
    widget = db.session.execute(db.select(Widget).filter_by(public_id=widget_id)).scalar_one_or_none()
    return origin if widget is not None and origin_allowed(origin, widget) else None


def _add_cors_headers(response: Response) -> Response:
    response.vary.add("Origin")
    origin = g.get("cors_origin") or _readable_error_origin(response)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def browser_facing(blueprint: Blueprint) -> Blueprint:
    """Answer CORS preflights and add exact-origin CORS headers on `blueprint`'s routes."""
    blueprint.before_request(_answer_preflight)
    blueprint.after_request(_add_cors_headers)
    return blueprint
