"""The LiveKit worker on LiveKit's agent framework, up to the media server (none runs here):
its job entrypoint on the framework's fake job context and mock room with real rtc tracks
and `AudioFrame`s, and its dispatch through the worker protocol against a loopback server."""

import asyncio
import concurrent.futures
import contextlib
import json
import threading
import time

import pytest
import soundfile
from livekit import rtc
from livekit.agents.ipc.mock_room import create_mock_room
from livekit.agents.testing import fake_job_context
from livekit.protocol import agent

from aurion.extensions import db
from aurion.models import Call, Message, WidgetSession
from aurion.services.uploads import recording_path
from aurion.voice.audio import SAMPLE_RATE
from aurion.voice.livekit_worker import AGENT_IDENTITY_PREFIX, answer_room, conversation_session, voice_server
from aurion.voice.tokens import AGENT_NAME, room_name
from tests.support.livekit import AgentDispatch
from tests.support.speech import spoken
from tests.support.visitors import start_session

ANSWER_TIMEOUT = 30.0
# LiveKit's AudioStream delivers 10 ms frames.
FRAME_SAMPLES = SAMPLE_RATE // 100


def test_room_leads_to_the_conversations_latest_session(help_desk):
    _, session = help_desk
    assert conversation_session(room_name(session.conversation)).id == session.id
    assert conversation_session("room_unknown") is None


def _handlers(room) -> dict:
    """What the entrypoint registered with `room.on(event, handler)` on the framework's mock room."""
    return {call.args[0]: call.args[1] for call in room.on.call_args_list if len(call.args) == 2}


def _events(room) -> list[dict]:
    """The data packets the agent published on the room."""
    return [json.loads(call.args[0]) for call in room.local_participant.publish_data.call_args_list]


@contextlib.contextmanager
def job_context(room):
    """The framework's fake job context for `room`, its session directory removed afterwards
    (the framework leaves it to the garbage collector, which warns)."""
    with fake_job_context(room=room) as ctx:
        try:
            yield ctx
        finally:
            ctx._tempdir.cleanup()


def run_in_own_loop(coroutine) -> None:
    """`asyncio.run(coroutine)` on a thread of its own: Playwright's sync API, used by the
    browser tests of the same run, leaves an event loop running on the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        executor.submit(asyncio.run, coroutine).result()


async def _wait(condition, timeout: float = ANSWER_TIMEOUT) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def test_the_job_entrypoint_answers_a_spoken_question_in_the_room(app, help_desk):
    """The entrypoint as the framework runs a job, on its fake job context: the visitor's
    microphone is a real rtc audio track fed 10 ms `AudioFrame`s of a spoken question;
    the agent's voice comes back on the track the entrypoint publishes."""
    widget, session = help_desk
    widget.record_calls = True
    db.session.commit()
    # A fresh one of the framework's mock rooms (it caches one for its console mode).
    room = create_mock_room.__wrapped__()
    room.name = room_name(session.conversation)
    room.remote_participants = {}

    async def scenario() -> None:
        with job_context(room) as ctx:
            job = asyncio.create_task(answer_room(app, ctx))
            await _wait(lambda: "track_subscribed" in _handlers(room) and room.local_participant.publish_track.await_count)
            published = room.local_participant.publish_track.call_args.args[0]
            agent_voice = rtc.AudioStream(published, sample_rate=SAMPLE_RATE, num_channels=1)
            heard = []

            async def listen():
                async for event in agent_voice:
                    heard.append(event.frame.duration)

            listening = asyncio.create_task(listen())
            microphone = rtc.AudioSource(SAMPLE_RATE, 1)
            visitor = rtc.LocalAudioTrack.create_audio_track("microphone", microphone)
            _handlers(room)["track_subscribed"](visitor, None, None)
            pcm = spoken("How do I reset my password?")
            for start in range(0, len(pcm), FRAME_SAMPLES * 2):
                piece = pcm[start : start + FRAME_SAMPLES * 2]
                await microphone.capture_frame(rtc.AudioFrame(piece, SAMPLE_RATE, 1, len(piece) // 2))
            await _wait(lambda: any(e.get("event") == "transcript" and e["sender"] == "agent" for e in _events(room)))
            await _wait(lambda: sum(heard) > 1.0)

            # The visitor leaves: the call hangs up and the job ends.
            _handlers(room)["participant_disconnected"](None)
            await asyncio.wait_for(job, ANSWER_TIMEOUT)
            listening.cancel()
            await agent_voice.aclose()
            await microphone.aclose()

    run_in_own_loop(scenario())
    events = _events(room)
    assert events[0] == {"type": "voice", "event": "state", "state": "listening"}
    said = [e for e in events if e.get("event") == "transcript"]
    assert said[0]["sender"] == "user" and "password" in said[0]["text"]
    assert said[1]["sender"] == "agent" and "reset link" in said[1]["text"]
    assert {call.kwargs["topic"] for call in room.local_participant.publish_data.call_args_list} == {"aurion.voice"}
    stored = db.session.execute(db.select(Message).filter_by(conversation_id=session.conversation_id).order_by(Message.id)).scalars()
    assert [(m.sender, m.mode) for m in stored] == [("user", "voice"), ("agent", "voice")]
    # The call is on record, as a LiveKit call, with its recording.
    call = db.session.execute(db.select(Call).filter_by(conversation_id=session.conversation_id)).scalar_one()
    assert (call.transport, call.ended_by, len(call.turns)) == ("livekit", "visitor", 1)
    audio, rate = soundfile.read(recording_path(call), dtype="int16")
    assert abs(len(audio) / rate - call.duration_seconds) < 0.5


def test_a_room_without_a_conversation_ends_the_job_without_joining(app):
    room = create_mock_room.__wrapped__()
    room.name = "room_unknown"
    with job_context(room) as ctx:
        run_in_own_loop(answer_room(app, ctx))
    room.local_participant.publish_track.assert_not_called()


@pytest.fixture
def dispatch():
    server = AgentDispatch()
    yield server
    server.close()


@pytest.fixture
def two_workers(app, dispatch, monkeypatch):
    """Two voice workers, as two hosts would run them, registered with `dispatch`."""
    app.config.update(dispatch.settings)
    # The framework copies its settings into os.environ, which later tests' servers would
    # inherit (and turn to LiveKit for voice): put the environment back afterwards.
    for name in dispatch.settings:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    servers = [voice_server(app, health_port=0) for _ in range(2)]
    loop = asyncio.new_event_loop()

    async def run() -> None:
        # Development mode: the load threshold is off, so a busy test machine still takes jobs.
        await asyncio.gather(*(server.run(devmode=True) for server in servers), return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    dispatch.wait_for_workers(2)
    yield servers
    for server in servers:
        asyncio.run_coroutine_threadsafe(server.aclose(), loop).result(30)
    thread.join(30)
    loop.close()


def test_two_workers_never_serve_the_same_room(app, client, help_desk, dispatch, two_workers):
    widget, _ = help_desk
    rooms = []
    for visitor in range(4):
        session = start_session(client, widget, email=f"visitor{visitor}@example.com")
        conversation = db.session.execute(db.select(WidgetSession).filter_by(public_id=session["session_id"])).scalar_one().conversation
        rooms.append(room_name(conversation))
    assert len(set(rooms)) == 4

    # Both workers registered under the agent name that visitors' tokens ask LiveKit to dispatch.
    assert {worker.agent_name for worker in dispatch.workers.values()} == {AGENT_NAME}
    assignments = [dispatch.dispatch(room, AGENT_NAME) for room in rooms]
    assert all(assignments)
    # A room that is not a conversation's is refused by every worker.
    assert dispatch.dispatch("team-standup", AGENT_NAME) is None
    # Nobody serves an agent name that no worker registered.
    assert dispatch.dispatch(rooms[0], "another-agent") is None

    # Each room's job ran on the one worker it was assigned to, which joined that room
    # as the agent with the token of that assignment; the other worker never tried.
    dispatch.wait_for(lambda: len(dispatch.joins) == len(rooms))
    time.sleep(1.0)  # a second join would arrive by now
    assert sorted(j.room for j in dispatch.joins) == sorted(rooms)
    assert all(j.identity == AGENT_IDENTITY_PREFIX + j.room for j in dispatch.joins)
    ran = {(worker_id, job_id) for worker_id, job_id, status in dispatch.job_updates if status == agent.JobStatus.JS_RUNNING}
    assert ran == {(a.worker_id, a.job_id) for a in assignments}
    # The load was spread: each worker took half.
    assert sorted(sum(a.worker_id == w for a in assignments) for w in dispatch.workers) == [2, 2]


def test_voice_worker_command_needs_livekit(runner):
    result = runner.invoke(args=["aurion", "voice-worker"])
    assert result.exit_code != 0
    assert "LIVEKIT_URL" in result.output
