"""The Calls API: the tenant's voice calls, each with its transcript and, where recorded, its audio."""

from flask import Blueprint, g

from aurion.api.attachments import FILE_DOWNLOAD, download_response
from aurion.api.operations import Reply, operation
from aurion.api.requests import api_key_required
from aurion.schemas.calls import CallDetail, CallList, CallListQuery
from aurion.services.calls import (
    RECORDING_CONTENT_TYPE,
    call_detail,
    delete_recording,
    find_call,
    list_calls,
    open_recording,
)

bp = Blueprint("calls_api", __name__, url_prefix="/api/v1/calls")


@bp.get("")
@api_key_required("calls:read")
@operation(
    "List voice calls",
    query=CallListQuery,
    responses={200: Reply("A page of calls, newest first", CallList)},
    problems=[404],
)
def get_calls(query: CallListQuery):
    """The tenant's calls, newest first; filter by `widget_id`, `conversation_id`, `since` and `until`."""
    return list_calls(g.api_key.tenant_id, query)


@bp.get("/<call_id>")
@api_key_required("calls:read")
@operation("Read a call and its transcript", responses={200: Reply("The call", CallDetail)}, problems=[404])
def get_call(call_id: str):
    """One call with its transcript: the voice turns in order, with speaker and time from the start."""
    return call_detail(find_call(g.api_key.tenant_id, call_id))


@bp.get("/<call_id>/recording")
@api_key_required("calls:read")
@operation(
    "Download a call's recording (Ogg Opus, both sides in one mono track)",
    responses={200: FILE_DOWNLOAD},
    problems=[404],
)
def get_recording(call_id: str):
    """The call's recording as a download; 404 when it was not recorded, is still going on, or was deleted."""
    call = find_call(g.api_key.tenant_id, call_id)
    return download_response(open_recording(call), RECORDING_CONTENT_TYPE, f"{call.public_id}.ogg")


@bp.delete("/<call_id>/recording")
@api_key_required("calls:write")
@operation("Delete a call's recording", responses={204: Reply("Deleted; the call's record stays")}, problems=[404])
def delete_call_recording(call_id: str):
    """Delete the call's recording now, before its retention runs out."""
    delete_recording(find_call(g.api_key.tenant_id, call_id))
    return "", 204
