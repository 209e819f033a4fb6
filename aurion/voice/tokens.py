"""Voice call access: what `POST /voice-widget/token` answers.

One room per conversation, named from the conversation's opaque public id
(`conv_X` → `room_X`), so a visitor's calls and chats share one history and the
worker finds the conversation from the room alone. Identities are the visitor's
opaque public id (`vis_...`), never an email.

- LiveKit configured (`LIVEKIT_URL`, `LIVEKIT_API_KEY`, `LIVEKIT_API_SECRET`): a
  participant token minted with livekit-api, joining only that room, living
  `TOKEN_TTL`, asking LiveKit to dispatch the agent `AGENT_NAME` into the room;
  `ws_url` is the LiveKit server.
- Otherwise (embedded voice): the same shape, `token` being the visitor's session
  bearer and `ws_url` the voice socket `/api/v1/widget/voice` (connect to
  `ws_url?token=...`). `transport` tells the widget which one it got.
"""

import json
from collections.abc import Mapping
from datetime import timedelta

from aurion.models import Conversation, WidgetSession
from aurion.timestamps import isoformat_utc, utcnow

TOKEN_TTL = timedelta(minutes=10)
AGENT_NAME = "aurion-voice"
ROOM_PREFIX = "room_"
CONVERSATION_PREFIX = "conv_"
VOICE_SOCKET_PATH = "/api/v1/widget/voice"


def livekit_configured(settings: Mapping) -> bool:
    return bool(settings.get("LIVEKIT_URL") and settings.get("LIVEKIT_API_KEY") and settings.get("LIVEKIT_API_SECRET"))


def room_name(conversation: Conversation) -> str:
    """The LiveKit room of a conversation."""
    return ROOM_PREFIX + conversation.public_id.removeprefix(CONVERSATION_PREFIX)


def conversation_public_id(room: str) -> str | None:
    """The conversation a room belongs to, or None for rooms that are not ours."""
    if not room.startswith(ROOM_PREFIX) or len(room) == len(ROOM_PREFIX):
        return None
    return CONVERSATION_PREFIX + room.removeprefix(ROOM_PREFIX)


def participant_token(settings: Mapping, room: str, identity: str, name: str) -> str:
    """A LiveKit token that lets `identity` join `room` (only it) for `TOKEN_TTL`, with the agent dispatched."""
    from livekit import api

    grants = api.VideoGrants(
        room_join=True, room=room, can_publish=True, can_subscribe=True, can_publish_data=True
    )
    dispatch = api.RoomConfiguration(
        agents=[api.RoomAgentDispatch(agent_name=AGENT_NAME, metadata=json.dumps({"room": room}))]
    )
    return (
        api.AccessToken(settings["LIVEKIT_API_KEY"], settings["LIVEKIT_API_SECRET"])
        .with_identity(identity)
        .with_name(name)
        .with_grants(grants)
        .with_ttl(TOKEN_TTL)
        .with_room_config(dispatch)
        .to_jwt()
    )


def call_access(settings: Mapping, session: WidgetSession, bearer: str, participant_name: str | None, host_url: str) -> dict:
    """The token response for a call in `session`'s conversation.

    `bearer` is the session's token (used as is by the embedded transport);
    `host_url` is this server's base URL as the caller reached it.
    """
    conversation = session.conversation
    room = room_name(conversation)
    name = participant_name or session.visitor.display_name or "Visitor"
    if livekit_configured(settings):
        body = {
            "token": participant_token(settings, room, session.visitor.public_id, name),
            "room_name": room,
            "ws_url": settings["LIVEKIT_URL"],
            "transport": "livekit",
            "expires_at": isoformat_utc(utcnow() + TOKEN_TTL),
        }
    else:
        body = {
            "token": bearer,
            "room_name": room,
            "ws_url": host_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1).rstrip("/") + VOICE_SOCKET_PATH,
            "transport": "embedded",
            "expires_at": isoformat_utc(session.expires_at),
        }
    return {
        **body,
        "conversation_id": conversation.public_id,
        "participant_name": name,
        "recorded": session.widget.record_calls,
    }
