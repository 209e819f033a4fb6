"""Teammates' pictures, public: `GET /api/v1/voice-widget/avatars/<storage_name>`.

The widget shows them on other sites' pages, so they need no credentials. The name is
random and changes with every upload, so a picture is cached for a year (`immutable`);
a removed or replaced picture is 404 at once. `nosniff`, the type decided from the bytes
at upload, and a sandboxing policy keep a picture from ever acting as a page.
"""

from flask import Blueprint, send_file

from aurion.api.operations import PUBLIC, Reply, operation
from aurion.services.avatars import AVATAR_TYPES, open_avatar

bp = Blueprint("avatars_api", __name__, url_prefix="/api/v1/voice-widget/avatars")

AVATAR_CACHE_CONTROL = "public, max-age=31536000, immutable"

_PICTURE = Reply(
    "The picture (PNG, JPEG or WebP)",
    media_type="image/*",
    schema={"type": "string", "contentMediaType": "image/*", "description": f"One of {', '.join(AVATAR_TYPES)}."},
    headers={
        "Cache-Control": {"schema": {"type": "string", "const": AVATAR_CACHE_CONTROL}},
        "X-Content-Type-Options": {"schema": {"type": "string", "const": "nosniff"}},
    },
)


@bp.get("/<storage_name>")
@operation("A teammate's picture, as the widget shows it", responses={200: _PICTURE}, security=PUBLIC)
def avatar(storage_name: str):
    """The picture under this name, or 404 (also once it is replaced or removed)."""
    path, content_type = open_avatar(storage_name)
    response = send_file(path, mimetype=content_type, conditional=True, etag=storage_name)
    response.headers["Cache-Control"] = AVATAR_CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Shown in <img> on customers' sites, whatever their embedder policy.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
