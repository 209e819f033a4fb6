"""The LiveKit worker up to the network (no LiveKit server runs here): room discovery,
its own token, and the pipeline on LiveKit audio frames."""

import jwt
import soundfile
from livekit import api, rtc

from aurion.extensions import db
from aurion.models import Call
from aurion.services.uploads import recording_path
from aurion.voice.audio import SAMPLE_RATE
from aurion.voice.engines import open_recognizer, open_synthesizer
from aurion.voice.livekit_worker import agent_token, conversation_session, frame_from_pcm, pcm_from_frame, rooms_to_join
from aurion.voice.pipeline import VoiceCall
from aurion.voice.tokens import room_name
from tests.support.livekit import LIVEKIT
from tests.support.speech import Recorder, agent_transcript, spoken, turn_over


def test_worker_joins_occupied_conversation_rooms_once():
    rooms = [
        api.Room(name="room_abc", num_participants=1),
        api.Room(name="room_empty", num_participants=0),
        api.Room(name="team-standup", num_participants=4),
        api.Room(name="room_joined", num_participants=2),
        api.Room(name="room_", num_participants=1),
    ]
    assert rooms_to_join(rooms, {"room_joined"}) == ["room_abc"]


def test_room_leads_to_the_conversations_latest_session(help_desk):
    _, session = help_desk
    assert conversation_session(room_name(session.conversation)).id == session.id
    assert conversation_session("room_unknown") is None


def test_worker_token_joins_one_room_as_an_agent():
    claims = jwt.decode(agent_token(LIVEKIT, "room_abc"), LIVEKIT["LIVEKIT_API_SECRET"], algorithms=["HS256"])
    assert claims["sub"] == "agent-room_abc" and claims["kind"] == "agent"
    assert claims["video"] == {"roomJoin": True, "room": "room_abc", "canPublish": True, "canSubscribe": True, "canPublishData": True, "agent": True}


def test_pipeline_answers_livekit_audio_frames_with_livekit_audio_frames(app, help_desk):
    widget, session = help_desk
    widget.record_calls = True
    db.session.commit()
    recorder = Recorder()
    published: list[rtc.AudioFrame] = []

    def publish(pcm: bytes) -> None:
        published.append(frame_from_pcm(pcm))
        recorder.send_audio(pcm)

    call = VoiceCall(
        app, session.id, open_recognizer(app.config, widget, app.instance_path), open_synthesizer(app.config),
        publish, recorder.send_event, playback_lead=60.0, transport="livekit",
    )
    try:
        pcm = spoken("How do I reset my password?")
        # LiveKit's AudioStream delivers 10 ms frames.
        samples_per_frame = SAMPLE_RATE // 100
        for start in range(0, len(pcm), samples_per_frame * 2):
            piece = pcm[start : start + samples_per_frame * 2]
            call.hear(pcm_from_frame(rtc.AudioFrame(piece, SAMPLE_RATE, 1, len(piece) // 2)))
        reply = recorder.wait_for(agent_transcript)
        turn_over(recorder)
    finally:
        call.hang_up()
    assert "reset link" in reply["text"]
    assert published and all(frame.sample_rate == SAMPLE_RATE and frame.num_channels == 1 for frame in published)
    assert sum(frame.duration for frame in published) > 1.0
    # The call is on record, as a LiveKit call, with its recording.
    call = db.session.execute(db.select(Call).filter_by(conversation_id=session.conversation_id)).scalar_one()
    assert (call.transport, call.ended_by, len(call.turns)) == ("livekit", "visitor", 1)
    assert call.turns[0]["agent"] == reply["message_id"]
    audio, rate = soundfile.read(recording_path(call), dtype="int16")
    assert abs(len(audio) / rate - call.duration_seconds) < 0.5


def test_voice_worker_command_needs_livekit(runner):
    result = runner.invoke(args=["aurion", "voice-worker"])
    assert result.exit_code != 0
    assert "LIVEKIT_URL" in result.output
