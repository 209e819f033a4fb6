"""Calls: the tenant's voice calls (duration, outcome, widget), and each call's page with its
transcript and recording."""

from flask import flash, redirect, render_template, request, url_for

from aurion.api.attachments import download_response
from aurion.dashboard.base import bp, tenant_id
from aurion.problems import ValidationProblem
from aurion.schemas.calls import CallListQuery
from aurion.schemas.fields import parse
from aurion.services.calls import (
    RECORDING_CONTENT_TYPE,
    call_detail,
    delete_recording,
    find_call,
    list_calls,
    open_recording,
)
from aurion.services.widgets import list_tenant_widgets

# Who ended the call, in the list's words.
OUTCOMES = {
    "visitor": "Visitor hung up",
    "agent": "Ended by the server",
    "timeout": "Session ran out",
    "error": "Failed",
    None: "In progress",
}


@bp.get("/calls")
def calls():
    """The tenant's voice calls, newest first; `?widget_id=` or `?conversation_id=` narrows them."""
    try:
        query = parse(CallListQuery, {k: v for k, v in request.args.items() if v})
    except ValidationProblem:
        query = CallListQuery()
    page = list_calls(tenant_id(), query)
    widgets = {widget.public_id: widget.name for widget in list_tenant_widgets(tenant_id())}
    return render_template("dashboard/calls.html", page=page, query=query, widgets=widgets, outcomes=OUTCOMES)


@bp.get("/calls/<call_id>")
def call(call_id: str):
    """One call: when, how long, who hung up, its transcript, and its recording to play."""
    detail = call_detail(find_call(tenant_id(), call_id))
    widgets = {widget.public_id: widget.name for widget in list_tenant_widgets(tenant_id())}
    return render_template("dashboard/call.html", call=detail, widgets=widgets, outcomes=OUTCOMES)


@bp.get("/calls/<call_id>/recording")
def call_recording(call_id: str):
    """The call's recording (the audio player's source, and a download)."""
    found = find_call(tenant_id(), call_id)
    return download_response(open_recording(found), RECORDING_CONTENT_TYPE, f"{found.public_id}.ogg")


@bp.post("/calls/<call_id>/recording/delete")
def delete_call_recording(call_id: str):
    """Delete the call's recording now; the call's record and transcript stay."""
    delete_recording(find_call(tenant_id(), call_id))
    flash("Recording deleted.")
    return redirect(url_for("dashboard.call", call_id=call_id))
