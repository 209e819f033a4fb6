"""The LiveKit transport: `flask --app wsgi aurion voice-worker`.

The worker (built on LiveKit's rtc SDK, the `livekit` package) watches the LiveKit
server for conversation rooms (`room_...`, see `tokens`) that have a visitor in
them, joins each as the agent, and runs the same `VoiceCall` as the embedded
socket: the visitor's audio track, resampled by LiveKit to 16 kHz mono, goes into
`hear()`; the agent's voice is published as an audio track; the pipeline's JSON
events go out as data packets on topic `aurion.voice`. Turns land in the
conversation like every other (`mode: "voice"`), so the widget's chat socket shows
them. When the last visitor leaves, the worker hangs up and leaves the room.

Discovery is by listing rooms (every `POLL_SECONDS`) rather than LiveKit's agent
dispatch protocol, which only the much heavier livekit-agents framework speaks;
tokens still ask for dispatch of `AGENT_NAME`, so a deployment may run an
agents-framework worker under that name instead.
"""

import asyncio
import json
import logging
from collections.abc import Iterable

from flask import Flask

from aurion.extensions import db
from aurion.models import Conversation, WidgetSession
from aurion.voice.audio import SAMPLE_BYTES, SAMPLE_RATE
from aurion.voice.engines import open_recognizer, open_synthesizer
from aurion.voice.pipeline import VoiceCall
from aurion.voice.tokens import conversation_public_id

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
EVENTS_TOPIC = "aurion.voice"
AGENT_IDENTITY_PREFIX = "agent-"


def rooms_to_join(rooms: Iterable, joined: set[str]) -> list[str]:
    """Names of conversation rooms with someone in them that the worker has not joined yet."""
    return [
        room.name
        for room in rooms
        if conversation_public_id(room.name) and room.num_participants > 0 and room.name not in joined
    ]


def pcm_from_frame(frame) -> bytes:
    """The PCM16 bytes of a LiveKit `AudioFrame` (16 kHz mono as the worker subscribes)."""
    return bytes(frame.data)


def frame_from_pcm(pcm: bytes):
    """A LiveKit `AudioFrame` holding 16 kHz mono PCM16 `pcm`."""
    from livekit import rtc

    return rtc.AudioFrame(pcm, SAMPLE_RATE, 1, len(pcm) // SAMPLE_BYTES)


def conversation_session(room: str) -> WidgetSession | None:
    """The latest session of the room's conversation: whose voice turns the worker stores."""
    public_id = conversation_public_id(room)
    return db.session.execute(
        db.select(WidgetSession)
        .join(Conversation, WidgetSession.conversation_id == Conversation.id)
        .filter(Conversation.public_id == public_id)
        .order_by(WidgetSession.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def agent_token(settings, room: str) -> str:
    """The worker's own token for `room`: joins as a hidden-from-listing agent participant."""
    from livekit import api

    return (
        api.AccessToken(settings["LIVEKIT_API_KEY"], settings["LIVEKIT_API_SECRET"])
        .with_identity(AGENT_IDENTITY_PREFIX + room)
        .with_name("Aurion")
        .with_kind("agent")
        .with_grants(api.VideoGrants(room_join=True, room=room, agent=True))
        .to_jwt()
    )


class RoomCall:
    """One conversation room joined by the worker, bridged to a `VoiceCall`."""

    def __init__(self, app: Flask, room_name: str, session_id: int, loop: asyncio.AbstractEventLoop):
        from livekit import rtc

        self.app = app
        self.name = room_name
        self.loop = loop
        self.room = rtc.Room(loop=loop)
        self.source = rtc.AudioSource(SAMPLE_RATE, 1, loop=loop)
        with app.app_context():
            session = db.session.get(WidgetSession, session_id)
            recognizer = open_recognizer(app.config, session.widget, app.instance_path)
        self.call = VoiceCall(
            app,
            session_id,
            recognizer,
            open_synthesizer(app.config),
            self.send_audio,
            self.send_event,
            playback_lead=app.config["AURION_VOICE_PLAYBACK_LEAD"],
            transport="livekit",
        )
        self.ended = asyncio.Event()

    def send_audio(self, pcm: bytes) -> None:
        """From the call's thread: queue the agent's audio on the published track (waits while it is full)."""
        asyncio.run_coroutine_threadsafe(self.source.capture_frame(frame_from_pcm(pcm)), self.loop).result()

    def send_event(self, event: dict) -> None:
        if event.get("event") == "barge_in":
            # Audio already queued in LiveKit would otherwise keep playing.
            self.loop.call_soon_threadsafe(self.source.clear_queue)
        payload = json.dumps(event)
        asyncio.run_coroutine_threadsafe(self.room.local_participant.publish_data(payload, topic=EVENTS_TOPIC), self.loop)

    async def run(self, url: str, token: str) -> None:
        from livekit import rtc

        @self.room.on("track_subscribed")
        def _listen(track, publication, participant):
            if track.kind == rtc.TrackKind.KIND_AUDIO:
                asyncio.ensure_future(self._hear(rtc.AudioStream(track, sample_rate=SAMPLE_RATE, num_channels=1)))

        @self.room.on("participant_disconnected")
        def _left(participant):
            if not self.room.remote_participants:
                self.ended.set()

        ended_by = "visitor"
        try:
            await self.room.connect(url, token)
            track = rtc.LocalAudioTrack.create_audio_track("agent-voice", self.source)
            await self.room.local_participant.publish_track(track)
            await self.ended.wait()
        except asyncio.CancelledError:
            ended_by = "agent"  # the worker is stopping
            raise
        except Exception:
            ended_by = "error"
            raise
        finally:
            await asyncio.to_thread(self.call.hang_up, ended_by)
            await self.room.disconnect()

    async def _hear(self, stream) -> None:
        async for event in stream:
            self.call.hear(pcm_from_frame(event.frame))


def _forget(joined: dict, name: str, task: asyncio.Task) -> None:
    """A room's call ended: the room may be joined again the next time someone is in it."""
    joined.pop(name, None)
    if not task.cancelled() and task.exception() is not None:
        log.error("The call in %s failed", name, exc_info=task.exception())


async def run_worker(app: Flask) -> None:
    """Join conversation rooms as they fill, until cancelled."""
    from livekit import api

    settings = app.config
    joined: dict[str, asyncio.Task] = {}
    loop = asyncio.get_running_loop()
    async with api.LiveKitAPI(settings["LIVEKIT_URL"], settings["LIVEKIT_API_KEY"], settings["LIVEKIT_API_SECRET"]) as lk:
        while True:
            rooms = (await lk.room.list_rooms(api.ListRoomsRequest())).rooms
            for name in rooms_to_join(rooms, set(joined)):
                with app.app_context():
                    session = conversation_session(name)
                    session_id = session.id if session is not None else None
                if session_id is None:
                    continue
                room_call = RoomCall(app, name, session_id, loop)
                task = asyncio.create_task(room_call.run(settings["LIVEKIT_URL"], agent_token(settings, name)))
                task.add_done_callback(lambda task, name=name: _forget(joined, name, task))
                joined[name] = task
                log.info("Joining %s", name)
            await asyncio.sleep(POLL_SECONDS)
