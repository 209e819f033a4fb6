"""Attachments for the tenant's systems: `GET /api/v1/attachments/<id>` with an API key.

The dashboard's inbox serves admins through the same `open_attachment_for_tenant`;
the visitor's own route is in `aurion.api.widget`. All three answer with
`attachment_response`.
"""

from pathlib import Path

from flask import Blueprint, Response, g, send_file

from aurion.api.operations import Reply, operation
from aurion.api.requests import api_key_required
from aurion.models import Attachment
from aurion.problems import NotFoundProblem
from aurion.services.uploads import attachment_path, open_attachment_for_tenant

bp = Blueprint("attachments_api", __name__, url_prefix="/api/v1/attachments")

FILE_DOWNLOAD = Reply(
    "The file, as a download (Content-Disposition: attachment, X-Content-Type-Options: nosniff)",
    media_type="application/octet-stream",
    schema={"type": "string", "contentMediaType": "application/octet-stream"},
    headers={
        "Content-Disposition": {"schema": {"type": "string"}},
        "X-Content-Type-Options": {"schema": {"type": "string", "const": "nosniff"}},
    },
)
# Attachments never change; the bearer or key they need keeps them out of shared caches.
ATTACHMENT_CACHE_CONTROL = "private, max-age=3600"


def attachment_response(attachment: Attachment) -> Response:
    """The file as a download, never rendered inline: whatever it holds cannot run as a page of ours."""
    path = attachment_path(attachment)
    if not path.is_file():
        raise NotFoundProblem(f"The file of attachment {attachment.public_id!r} is no longer stored.", "attachment_not_found")
    return download_response(path, attachment.content_type, attachment.name)


def download_response(path: Path, content_type: str, name: str) -> Response:
    """A stored file (an attachment, a call's recording) as a download with the attachments' headers."""
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = ATTACHMENT_CACHE_CONTROL
    return response


@bp.get("/<attachment_id>")
@api_key_required("conversations:read")
@operation("Download an attachment of one of the tenant's conversations", responses={200: FILE_DOWNLOAD})
def get_attachment(attachment_id: str):
    """An attachment of one of the tenant's conversations, as a download."""
    return attachment_response(open_attachment_for_tenant(g.api_key.tenant_id, attachment_id))
