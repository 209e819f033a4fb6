"""The embed surface: the widget's script and its public appearance.

Decisions (also in docs/widget.md):
- The script is the same for every widget, so it is checked against every widget's
  allowed domains: a request whose `Referer` names a host that no widget allows gets
  403. A request without a `Referer` (a `no-referrer` policy, privacy tools) is served:
  the script holds no secret, and everything it does next is checked by `Origin`
  against its own widget. Pages on the Aurion server itself may always load it.
- Scripts are served with an `ETag` (a hash of their content), `Cache-Control: public,
  max-age=300` and 304 on `If-None-Match`, so a new build reaches visitors within
  five minutes.
- Only built widget files (`static/aurion*.js`, made by `make widget`) are served.
"""

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from aurion.api import spec
from aurion.api.origins import browser_facing, require_allowed_origin
from aurion.problems import NotFoundProblem, Problem
from aurion.services.domains import origin_host
from aurion.services.widgets import any_widget_allows, find_widget, widget_public_config

bp = browser_facing(Blueprint("embed", __name__, url_prefix="/api/v1/voice-widget/embed"))

SCRIPT_MAX_AGE = 300
# The embed script and the parts of the widget it loads on demand (aurion-voice.js, ...).
_WIDGET_FILE = re.compile(r"aurion(-[a-z0-9]+)*")


@lru_cache(maxsize=16)
def _read_script(path: str, mtime_ns: int, size: int) -> tuple[bytes, str]:
    """A built file and its ETag; cached until the file changes."""
    body = Path(path).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:32]


def _check_referer() -> None:
    referer = request.headers.get("Referer")
    if referer is None:
        return
    host = origin_host(referer)
    if host == origin_host(request.host_url) or any_widget_allows(host):
        return
    raise Problem(
        403,
        "origin_not_allowed",
        f"Pages on {host or referer} may not embed Aurion: no widget lists that host in its allowed_domains.",
    )


def _serve_script(name: str) -> Response:
    if not _WIDGET_FILE.fullmatch(name):
        raise NotFoundProblem(f"There is no widget file {name}.js.")
    _check_referer()
    path = Path(current_app.static_folder) / f"{name}.js"
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise NotFoundProblem(f"{name}.js is not built on this server; run `make widget`.") from None
    body, etag = _read_script(str(path), stat.st_mtime_ns, stat.st_size)
    response = Response(body, content_type="application/javascript; charset=utf-8")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = SCRIPT_MAX_AGE
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Pages that isolate themselves (COEP: require-corp) may still load it.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


@bp.get("/aurion.js")
def embed_script():
    """The embed script that a site's snippet loads."""
    return _serve_script("aurion")


@bp.get("/<name>.js")
def widget_part(name: str):
    """A part of the widget that the embed script loads only when needed (such as voice)."""
    return _serve_script(name)


@bp.get("/config/<widget_id>")
def public_config(widget_id: str):
    """How the widget looks and what it offers, for a page on one of its allowed domains."""
    widget = find_widget(widget_id)
    require_allowed_origin(widget)
    return widget_public_config(widget)


_SCRIPT_RESPONSES = {
    "200": {
        "description": "The script",
        "headers": {
            "ETag": {"schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}, "description": "public, max-age=300"},
        },
        "content": {"application/javascript": {"schema": {"type": "string"}}},
    },
    "304": {"description": "Not modified (If-None-Match matched the ETag)"},
    **spec.problems(403, 404),
}
_REFERER_RULE = (
    "Refused (403) when the `Referer` names a host that no widget allows; served when there is no `Referer`."
)

OPENAPI_PATHS = {
    "/api/v1/voice-widget/embed/aurion.js": {
        "get": spec.operation(
            "The embed script",
            spec.PUBLIC,
            _SCRIPT_RESPONSES,
            description="The widget runtime the snippet loads. " + _REFERER_RULE,
        ),
    },
    "/api/v1/voice-widget/embed/{name}.js": {
        "get": spec.operation(
            "A part of the widget loaded on demand",
            spec.PUBLIC,
            _SCRIPT_RESPONSES,
            description="Built widget files named `aurion-<part>.js` (voice, ...). " + _REFERER_RULE,
            parameters=[{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        ),
    },
    "/api/v1/voice-widget/embed/config/{widget_id}": {
        "get": spec.operation(
            "The widget's public appearance",
            spec.PUBLIC,
            {"200": spec.response("Public settings", spec.ref("EmbedConfig")), **spec.problems(403, 404)},
            description="Checked against the widget's allowed domains by `Origin`; CORS for exactly that origin.",
            parameters=[{"name": "widget_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        ),
    },
}

OPENAPI_SCHEMAS = {
    "EmbedConfig": {
        "type": "object",
        "required": ["widget_id", "name", "greeting", "primary_color", "position", "modes", "allow_anonymous"],
        "properties": {
            "widget_id": {"type": "string"},
            "name": {"type": "string"},
            "greeting": {"type": "string"},
            "primary_color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            "position": {"type": "string", "enum": ["bottom-right", "bottom-left"]},
            "modes": {"type": "array", "items": {"type": "string", "enum": ["voice", "chat"]}},
            "allow_anonymous": {"type": "boolean"},
        },
    },
}
