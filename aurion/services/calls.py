"""Voice calls on record: started and ended by the voice pipeline, read through the Calls API
and the dashboard, their recordings kept for the widget's retention and no longer.

A call's recording is a file named at random under `recordings/` in the upload
directory (beside the attachments, never under a name a visitor chose); the row
keeps the name. Deleting a recording removes the file and forgets the name; the
call's record stays.
"""

import secrets
from datetime import datetime, timedelta
from pathlib import Path

from aurion.extensions import db
from aurion.models import Call, Conversation, Message, Widget, WidgetSession
from aurion.problems import NotFoundProblem
from aurion.schemas.calls import CallListQuery
from aurion.schemas.fields import is_public_id
from aurion.services import webhooks
from aurion.services.public_ids import new_public_id
from aurion.services.uploads import recording_path
from aurion.services.widgets import find_tenant_widget
from aurion.timestamps import as_utc, isoformat_utc, utcnow

RECORDING_URL = "/api/v1/calls/{id}/recording"
RECORDING_CONTENT_TYPE = "audio/ogg"


def start_call(session_id: int, transport: str, seconds_ago: float = 0.0) -> Call:
    """A new call in the session's conversation (begun `seconds_ago`), to be recorded if its widget records calls."""
    session = db.session.get(WidgetSession, session_id)
    widget = session.widget
    call = Call(
        public_id=new_public_id("call_"),
        tenant_id=widget.tenant_id,
        widget_id=widget.id,
        conversation_id=session.conversation_id,
        transport=transport,
        started_at=utcnow() - timedelta(seconds=seconds_ago),
        turns=[],
        recording_name=secrets.token_hex(16) if widget.record_calls else None,
    )
    db.session.add(call)
    db.session.commit()
    return call


def record_turn(
    call_id: int,
    user_message_id: str,
    agent_message_id: str | None,
    first_answer_seconds: float | None,
    handed_off: bool,
) -> None:
    """Add one turn (the visitor's message and the agent's answer, if any) to the call."""
    call = db.session.get(Call, call_id)
    seconds = None if first_answer_seconds is None else round(first_answer_seconds, 3)
    # A new list, so that SQLAlchemy sees the change to the JSON column.
    call.turns = [*call.turns, {"user": user_message_id, "agent": agent_message_id, "first_answer_seconds": seconds}]
    call.handed_off = call.handed_off or handed_off
    db.session.commit()


def end_call(call_id: int, ended_by: str, duration_seconds: float, recording_bytes: int | None) -> Call:
    """Close the call's record and tell the tenant's webhooks (`call.ended`)."""
    call = db.session.get(Call, call_id)
    call.duration_seconds = round(duration_seconds, 3)
    call.ended_at = as_utc(call.started_at) + timedelta(seconds=duration_seconds)
    call.ended_by = ended_by
    call.handed_off = call.handed_off or call.conversation.status in ("waiting", "human")
    if call.recording_name:
        call.recording_bytes = recording_bytes
    webhooks.announce(call.tenant_id, "call.ended", {"call": call_to_dict(call)})
    db.session.commit()
    return call


def find_call(tenant_id: int, public_id: str) -> Call:
    """The tenant's call `public_id`; another tenant's is reported missing."""
    call = None
    if is_public_id(public_id):
        call = db.session.execute(
            db.select(Call).filter_by(tenant_id=tenant_id, public_id=public_id)
        ).scalar_one_or_none()
    if call is None:
        raise NotFoundProblem(f"No call {public_id!r} in this tenant.", "call_not_found")
    return call


def list_calls(tenant_id: int, query: CallListQuery) -> dict:
    """The tenant's calls, newest first, filtered by widget, conversation and start time; cursor-paged."""
    select = db.select(Call).filter_by(tenant_id=tenant_id)
    if query.widget_id is not None:
        select = select.filter_by(widget_id=find_tenant_widget(tenant_id, query.widget_id).id)
    if query.conversation_id is not None:
        select = select.join(Conversation, Call.conversation_id == Conversation.id).where(
            Conversation.public_id == query.conversation_id
        )
    if query.since is not None:
        # A date-time without an offset is taken as UTC, as every time the API shows is.
        select = select.where(Call.started_at >= as_utc(query.since))
    if query.until is not None:
        select = select.where(Call.started_at < as_utc(query.until))
    if query.before:
        select = select.where(Call.id < find_call(tenant_id, query.before).id)
    rows = list(db.session.execute(select.order_by(Call.id.desc()).limit(query.limit + 1)).scalars())
    return {
        "calls": [call_to_dict(call) for call in rows[: query.limit]],
        "next_cursor": rows[query.limit - 1].public_id if len(rows) > query.limit else None,
    }


def call_to_dict(call: Call) -> dict:
    """A call as the API, the dashboard and the `call.ended` webhook show it."""
    message_ids = [turn[side] for turn in call.turns for side in ("user", "agent") if turn[side]]
    recording = None
    if call.recording_name and call.ended_at is not None:
        recording = {
            "url": RECORDING_URL.format(id=call.public_id),
            "content_type": RECORDING_CONTENT_TYPE,
            "size": call.recording_bytes or 0,
        }
    return {
        "id": call.public_id,
        "conversation_id": call.conversation.public_id,
        "widget_id": call.widget.public_id,
        "transport": call.transport,
        "started_at": isoformat_utc(call.started_at),
        "ended_at": isoformat_utc(call.ended_at),
        "duration_seconds": call.duration_seconds,
        "ended_by": call.ended_by,
        "turn_count": len(call.turns),
        "message_ids": message_ids,
        "turns": [
            {
                "user_message_id": t["user"],
                "agent_message_id": t["agent"],
                "first_answer_seconds": t["first_answer_seconds"],
            }
            for t in call.turns
        ],
        "handed_off": call.handed_off,
        "recording": recording,
    }


def call_detail(call: Call) -> dict:
    """The call with its transcript: its voice turns in order, each with its speaker and offset from the start."""
    summary = call_to_dict(call)
    messages = db.session.execute(
        db.select(Message).where(Message.public_id.in_(summary["message_ids"])).order_by(Message.id)
    ).scalars()
    started = as_utc(call.started_at)
    transcript = [
        {
            "message_id": message.public_id,
            "speaker": message.sender,
            "text": message.content,
            "offset_seconds": round(max((as_utc(message.created_at) - started).total_seconds(), 0.0), 3),
        }
        for message in messages
    ]
    return {**summary, "transcript": transcript}


def open_recording(call: Call) -> Path:
    """The file of the call's finished recording, or 404."""
    path = recording_path(call)
    if path is None or call.ended_at is None or not path.is_file():
        raise NotFoundProblem(f"Call {call.public_id!r} has no recording.", "recording_not_found")
    return path


def delete_recording(call: Call) -> None:
    """Delete the call's recording (the call's record stays); 404 when it has none."""
    _forget_recording(call, open_recording(call))


def _forget_recording(call: Call, path: Path) -> None:
    # The row first: a file without a row is harmless, a row without its file would be offered.
    call.recording_name = None
    call.recording_bytes = None
    db.session.commit()
    path.unlink(missing_ok=True)


def prune_recordings(now: datetime | None = None) -> int:
    """Delete every finished recording older than its widget's retention; returns how many.

    For `flask aurion prune`, run from cron. A call still going on is never touched.
    """
    now = now or utcnow()
    deleted = 0
    for widget in list(db.session.execute(db.select(Widget)).scalars()):
        cutoff = now - timedelta(days=widget.recording_retention_days)
        old = db.session.execute(
            db.select(Call).where(
                Call.widget_id == widget.id,
                Call.recording_name.is_not(None),
                Call.ended_at.is_not(None),
                Call.started_at < cutoff,
            )
        ).scalars()
        for call in list(old):
            _forget_recording(call, recording_path(call))
            deleted += 1
    return deleted
