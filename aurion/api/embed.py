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

from flask import Blueprint, Response, current_app, jsonify, request

from aurion.api.operations import Reply, operation
from aurion.api.origins import browser_facing, require_allowed_origin
from aurion.problems import NotFoundProblem, Problem
from aurion.schemas.widgets import EmbedConfig
from aurion.services.domains import origin_host
from aurion.services.email import email_enabled
from aurion.services.team_presence import widget_header
from aurion.services.widgets import any_widget_allows, find_widget, widget_public_config

bp = browser_facing(Blueprint("embed", __name__, url_prefix="/api/v1/voice-widget/embed"))

SCRIPT_MAX_AGE = 300
# The embed script and the parts of the widget it loads on demand (aurion-voice.js, ...).
_WIDGET_FILE = re.compile(r"aurion(-[a-z0-9]+)*")

_SCRIPT_RESPONSES = {
    200: Reply(
        "The script",
        media_type="application/javascript",
        schema={"type": "string"},
        headers={
            "ETag": {"schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}, "description": "public, max-age=300"},
        },
    ),
    304: Reply("Not modified (If-None-Match matched the ETag)"),
}
_REFERER_RULE = (
    "Refused (403) when the `Referer` names a host that no widget allows; served when there is no `Referer`."
)


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
    # Worklet modules (aurion-capture-worklet.js) are fetched in CORS mode; these files are public.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


@bp.get("/aurion.js")
@operation(
    "The embed script",
    responses=_SCRIPT_RESPONSES,
    problems=[403, 404],
    description="The widget runtime the snippet loads. " + _REFERER_RULE,
)
def embed_script():
    """The embed script that a site's snippet loads."""
    return _serve_script("aurion")


@bp.get("/<name>.js")
@operation(
    "A part of the widget loaded on demand",
    responses=_SCRIPT_RESPONSES,
    problems=[403],
    description="Built widget files named `aurion-<part>.js` (voice, ...). " + _REFERER_RULE,
)
def widget_part(name: str):
    """A part of the widget that the embed script loads only when needed (such as voice)."""
    return _serve_script(name)


@bp.get("/config/<widget_id>")
@operation(
    "The widget's public appearance",
    responses={200: Reply("Public settings", EmbedConfig)},
    problems=[403],
    description="Checked against the widget's allowed domains by `Origin`; CORS for exactly that origin.",
)
def public_config(widget_id: str):
    """How the widget looks and what it offers, for a page on one of its allowed domains."""
    widget = find_widget(widget_id)
    require_allowed_origin(widget)
    config = widget_public_config(widget, request.accept_languages, email_enabled())
    response = jsonify({**config, **widget_header(widget, config["strings"])})
    # The language follows the visitor's browser where the widget's locale is `auto`.
    response.vary.add("Accept-Language")
    return response
