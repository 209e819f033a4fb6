"""Voice calls: the token request and answer, and the query of the two WebSocket handshakes."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, Model, OptionalText, Query, Text
from aurion.schemas.sessions import DISPLAY_NAME_MAX_LENGTH

# A bearer JWT is a few hundred characters; this leaves room and refuses junk early.
SESSION_TOKEN_MAX_LENGTH = 4096


class VoiceTokenRequest(Model):
    widget_id: Text(PUBLIC_ID_MAX_LENGTH)
    participant_name: OptionalText(DISPLAY_NAME_MAX_LENGTH) = Field(None, description="Shown to the agent and in the helpdesk.")


class CallAccess(Model):
    token: str = Field(description="LiveKit: a participant token. Embedded: the session bearer for ws_url.")
    room_name: str = Field(description="One room per conversation.")
    ws_url: str = Field(description="LiveKit: the server. Embedded: the voice socket; connect to ws_url?token=...")
    transport: Literal["livekit", "embedded"]
    expires_at: datetime
    conversation_id: str
    participant_name: str
    recorded: bool = Field(description="The call is recorded: tell the visitor before it starts.")


class SocketQuery(Query):
    # Optional here: a handshake without a (valid) token is refused with 401, not 422.
    token: OptionalText(SESSION_TOKEN_MAX_LENGTH) = Field(
        None, description="The session's bearer token; without a valid one the handshake is refused (401)."
    )


class ChatSocketQuery(SocketQuery):
    after: OptionalText(PUBLIC_ID_MAX_LENGTH) = Field(None, description="Replay the messages after this message id.")


class VoiceSocketQuery(SocketQuery):
    token: OptionalText(SESSION_TOKEN_MAX_LENGTH) = Field(
        None,
        description=(
            "The session's bearer token (the `token` of `POST /voice-widget/token` with `transport: embedded`); "
            "without a valid one the handshake is refused (401)."
        ),
    )
