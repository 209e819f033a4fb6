"""Voice calls as the Calls API shows them: lists, one call with its transcript."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, Limit, Model, OptionalText, Query

TRANSPORTS = ("embedded", "livekit")
# visitor: hung up or closed the socket; agent: the server ended it (worker stopping);
# timeout: the session expired or was revoked mid-call; error: the call failed.
ENDED_BY = ("visitor", "agent", "timeout", "error")
CALLS_DEFAULT_LIMIT = 50
CALLS_MAX_LIMIT = 100
RETENTION_MAX_DAYS = 3650


class CallListQuery(Query):
    widget_id: str | None = Field(None, description="Only this widget's calls.")
    conversation_id: str | None = Field(None, description="Only the calls of this conversation.")
    since: datetime | None = Field(None, description="Calls started at or after this time (ISO 8601).")
    until: datetime | None = Field(None, description="Calls started before this time (ISO 8601).")
    limit: Limit(CALLS_MAX_LIMIT) = CALLS_DEFAULT_LIMIT
    before: OptionalText(PUBLIC_ID_MAX_LENGTH) = Field(None, description="Cursor: next_cursor of the previous page.")


class CallTurn(Model):
    user_message_id: str
    agent_message_id: str | None
    first_answer_seconds: float | None = Field(
        description="From the end of the visitor's speech to the first audio of the answer; null when none was spoken."
    )


class CallRecording(Model):
    url: str
    content_type: Literal["audio/ogg"]
    size: int


class CallSummary(Model):
    id: str
    conversation_id: str
    widget_id: str
    transport: Literal[TRANSPORTS]
    started_at: datetime
    ended_at: datetime | None = Field(description="null while the call is going on.")
    duration_seconds: float | None
    ended_by: Literal[ENDED_BY] | None
    turn_count: int
    message_ids: list[str] = Field(description="The call's voice turns, both sides, in order.")
    turns: list[CallTurn]
    handed_off: bool = Field(description="Whether the conversation was handed to a person during the call.")
    recording: CallRecording | None = Field(
        description="null when the call was not recorded or its recording was deleted."
    )


class CallList(Model):
    calls: list[CallSummary]
    next_cursor: str | None


class TranscriptLine(Model):
    message_id: str
    speaker: Literal["user", "agent"]
    text: str
    offset_seconds: float = Field(description="When the turn was stored, from the call's start.")


class CallDetail(CallSummary):
    transcript: list[TranscriptLine]
