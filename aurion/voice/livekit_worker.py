"""The LiveKit transport: `flask --app wsgi aurion voice-worker` (needs `pip install aurion[livekit]`).

The worker runs on LiveKit's agent framework (`livekit-agents`): it registers with
the LiveKit server under the agent name `AGENT_NAME`, which every visitor's token
asks LiveKit to dispatch into its conversation room (`tokens`). LiveKit offers each
dispatch to one registered worker at a time, by their reported load, and assigns the
room's job to the first that accepts, so a room is served by exactly one worker
however many run, on however many hosts; a job whose worker dies is dispatched
again. No room is ever listed or polled.

A job (`answer_room`) runs on a thread of the worker, joins the room as the agent,
and runs the same `VoiceCall` as the embedded socket: the visitor's audio track,
resampled by LiveKit to 16 kHz mono, goes into `hear()`; the agent's voice is
published as an audio track; the pipeline's JSON events go out as data packets on
topic `aurion.voice`. Turns land in the conversation like every other
(`mode: "voice"`), so the widget's chat socket shows them. When the last visitor
leaves, the call hangs up and the job ends.
"""

import asyncio
import json
import logging
import signal

from flask import Flask

from aurion.extensions import db
from aurion.models import Conversation, WidgetSession
from aurion.voice.audio import SAMPLE_BYTES, SAMPLE_RATE
from aurion.voice.engines import open_recognizer, open_synthesizer
from aurion.voice.pipeline import VoiceCall
from aurion.voice.tokens import AGENT_NAME, conversation_public_id

log = logging.getLogger(__name__)

EVENTS_TOPIC = "aurion.voice"
AGENT_IDENTITY_PREFIX = "agent-"
# The framework's health endpoint (GET / and /worker); 0 picks a free port.
DEFAULT_HEALTH_PORT = 8081


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


async def accept_conversation_rooms(request) -> None:
    """The worker's answer to LiveKit's offer of a job (a `JobRequest`): conversation rooms
    (`room_...`) are taken, as the agent `agent-<room>`; any other room is not Aurion's."""
    room = request.room.name
    if conversation_public_id(room):
        await request.accept(name="Aurion", identity=AGENT_IDENTITY_PREFIX + room)
    else:
        await request.reject()


class RoomCall:
    """One conversation room's job, bridged to a `VoiceCall`: `room` is the job's `rtc.Room`, connected."""

    def __init__(self, app: Flask, room, session_id: int, loop: asyncio.AbstractEventLoop):
        from livekit import rtc

        self.app = app
        self.room = room
        self.loop = loop
        self.source = rtc.AudioSource(SAMPLE_RATE, 1, loop=loop)
        self.ended = asyncio.Event()
        self._heard: set[str] = set()
        self._hearing: set[asyncio.Task] = set()
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

    def send_audio(self, pcm: bytes) -> None:
        """From the call's thread: queue the agent's audio on the published track (waits while it is full)."""
        asyncio.run_coroutine_threadsafe(self.source.capture_frame(frame_from_pcm(pcm)), self.loop).result()

    def send_event(self, event: dict) -> None:
        if event.get("event") == "barge_in":
            # Audio already queued in LiveKit would otherwise keep playing.
            self.loop.call_soon_threadsafe(self.source.clear_queue)
        payload = json.dumps(event)
        asyncio.run_coroutine_threadsafe(self.room.local_participant.publish_data(payload, topic=EVENTS_TOPIC), self.loop)

    async def run(self) -> None:
        """Speak in the room until the last visitor leaves (or the room closes), then hang up."""
        from livekit import rtc

        self.room.on("track_subscribed", lambda track, publication, participant: self._hear(track))
        self.room.on("participant_disconnected", lambda participant: self.room.remote_participants or self.ended.set())
        self.room.on("disconnected", lambda reason: self.ended.set())
        # Tracks subscribed while the job connected, before these handlers were on.
        for participant in list(self.room.remote_participants.values()):
            for publication in list(participant.track_publications.values()):
                if publication.track is not None:
                    self._hear(publication.track)
        ended_by = "visitor"
        try:
            track = rtc.LocalAudioTrack.create_audio_track("agent-voice", self.source)
            await self.room.local_participant.publish_track(track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
            await self.ended.wait()
        except asyncio.CancelledError:
            ended_by = "agent"  # the worker is stopping
            raise
        except Exception:
            ended_by = "error"
            raise
        finally:
            for task in self._hearing:
                task.cancel()
            await asyncio.gather(*self._hearing, return_exceptions=True)
            await asyncio.to_thread(self.call.hang_up, ended_by)
            await self.source.aclose()

    def _hear(self, track) -> None:
        from livekit import rtc

        if track.kind != rtc.TrackKind.KIND_AUDIO or track.sid in self._heard:
            return
        self._heard.add(track.sid)
        task = asyncio.ensure_future(self._listen(rtc.AudioStream(track, sample_rate=SAMPLE_RATE, num_channels=1)))
        self._hearing.add(task)
        task.add_done_callback(self._hearing.discard)

    async def _listen(self, stream) -> None:
        try:
            async for event in stream:
                self.call.hear(pcm_from_frame(event.frame))
        finally:
            await stream.aclose()


async def answer_room(app: Flask, ctx) -> None:
    """The job's entrypoint (`ctx` is the framework's `JobContext`): join the room LiveKit
    assigned to this worker and answer the visitor until they leave."""
    from livekit.agents import AutoSubscribe

    room_name = ctx.job.room.name
    with app.app_context():
        session = conversation_session(room_name)
        session_id = session.id if session is not None else None
    if session_id is None:
        log.warning("No conversation for room %s; leaving it", room_name)
        ctx.shutdown("no conversation")
        return
    # The job ends with this function, however it ends (the framework would otherwise
    # keep a job whose connection failed until the worker shuts down).
    reason = "the call failed"
    try:
        await ctx.connect(auto_subscribe=AutoSubscribe.AUDIO_ONLY)
        log.info("Answering %s", room_name)
        await RoomCall(app, ctx.room, session_id, asyncio.get_running_loop()).run()
        reason = "the visitor left"
    finally:
        ctx.shutdown(reason)


def voice_server(app: Flask, health_port: int = DEFAULT_HEALTH_PORT):
    """The framework's `AgentServer`, registered for explicit dispatch as `AGENT_NAME`.

    Jobs run on threads of this process (not the framework's default of one process
    each), sharing the app, its database pool and the loaded speech engines; LiveKit
    stops offering this worker jobs while its load (the framework's CPU measure) is
    above 0.7, and offers them to the other workers instead.
    """
    from livekit import agents

    settings = app.config
    server = agents.AgentServer(
        ws_url=settings["LIVEKIT_URL"],
        api_key=settings["LIVEKIT_API_KEY"],
        api_secret=settings["LIVEKIT_API_SECRET"],
        job_executor_type=agents.JobExecutorType.THREAD,
        num_idle_processes=0,
        port=health_port,
    )

    async def entrypoint(ctx) -> None:
        await answer_room(app, ctx)

    server.rtc_session(entrypoint, agent_name=AGENT_NAME, on_request=accept_conversation_rooms)
    return server


async def run_worker(app: Flask, health_port: int = DEFAULT_HEALTH_PORT) -> None:
    """Serve the rooms LiveKit assigns to this worker, until cancelled or sent SIGTERM,
    which drains: no new jobs, and the calls in progress finish first."""
    server = voice_server(app, health_port)
    stopping: set[asyncio.Task] = set()

    async def drain() -> None:
        await server.drain()
        await server.aclose()

    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: stopping.add(asyncio.ensure_future(drain())))
    try:
        await server.run()
    finally:
        await server.aclose()
