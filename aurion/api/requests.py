"""Parsing what API clients send: credentials, JSON bodies and uploaded files."""

from functools import wraps

from flask import current_app, g, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from aurion.models import Widget
from aurion.problems import Problem, ValidationProblem
from aurion.schemas.fields import ROW_ID_MAX
from aurion.services.api_keys import authenticate_api_key, require_scope
from aurion.services.widgets import find_tenant_widget


class RowId(IntegerConverter):
    """`<int:...>` in every route (API and dashboard): a row id an `integer` column can hold.

    Werkzeug's own converter takes any number of digits, and 2**31 or 2**63 then reach
    PostgreSQL as an error. Beyond the column it is a 404 like any unknown id, raised
    here: a ValidationError would only skip the rule, and a sibling rule for another
    method would turn it into a 405.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > ROW_ID_MAX:
            raise NotFound()
        return number


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
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        # The body fits the size limit but nests arrays or objects thousands deep.
        payload = None
    if payload is None:
        raise Problem(400, "malformed_json", "The body is not valid JSON.")
    return payload


def requested_widget(widget_id: str | None) -> Widget:
    """The API key's tenant's widget named by `?widget_id=`, or its default widget."""
    return find_tenant_widget(g.api_key.tenant_id, widget_id)


def bearer_token() -> str | None:
    """The token of `Authorization: Bearer <token>`, or None when there is none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


# Room for the multipart boundaries, headers and file name around the file itself.
MULTIPART_OVERHEAD = 16 * 1024


def uploaded_file(field: str, max_bytes: int, too_large: Problem) -> FileStorage:
    """The file sent in multipart part `field`; `too_large` is raised before a larger body is read."""
    limit = max_bytes + MULTIPART_OVERHEAD
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    request.max_content_length = limit
    if request.mimetype != "multipart/form-data":
        raise Problem(415, "unsupported_media_type", f"Send the file as multipart/form-data in a part named {field!r}.")
    try:
        upload = request.files.get(field)
    except RequestEntityTooLarge:
        raise too_large from None
    if upload is None:
        raise ValidationProblem(field, f"Send the file in a multipart part named {field!r}.")
    return upload
