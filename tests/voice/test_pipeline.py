"""The voice pipeline on audio frames: spoken questions answered aloud from the knowledge base, barge-in."""

import time

import pytest

from aurion.extensions import db
from aurion.models import Message
from aurion.voice.audio import BYTES_PER_SECOND, OUTPUT_CHUNK_BYTES, duration
from aurion.voice.engines import open_recognizer, open_synthesizer
from aurion.voice.pipeline import VoiceCall
from tests.support.speech import Recorder, agent_transcript, microphone_frames, say, spoken, turn_over
from tests.support.speech_server import SpeechServer


@pytest.fixture
def start_call(app, help_desk):
    """`start_call(playback_lead=..., settings=...)` → (call, recorder); every call is hung up after the test."""
    widget, session = help_desk
    calls = []

    def start(playback_lead: float = 60.0, settings=None):
        settings = settings or app.config
        recorder = Recorder()
        call = VoiceCall(
            app,
            session.id,
            open_recognizer(settings, widget, app.instance_path),
            open_synthesizer(settings),
            recorder.send_audio,
            recorder.send_event,
            playback_lead=playback_lead,
        )
        calls.append(call)
        return call, recorder

    yield start
    for call in calls:
        call.hang_up()


@pytest.mark.parametrize(
    "question, article, answer_words",
    [
        ("How do I reset my password?", "Resetting your password", "reset link"),
        # Whisper tiny.en mishears espeak's "do refunds" ("do we refuse") and "When will" ("When we'll",
        # which search then misses): known misses, recorded in bench/README.md; these phrasings it hears.
        ("How long does a refund take?", "Refund policy", "request a refund"),
        ("When does my order arrive?", "Shipping times", "ship"),
    ],
)
def test_spoken_question_is_answered_aloud_from_the_knowledge_base(app, start_call, question, article, answer_words):
    call, recorder = start_call()
    say(call, question)
    reply = recorder.wait_for(agent_transcript)
    turn_over(recorder)
    heard = next(e for e in recorder.events if e.get("event") == "transcript" and e["sender"] == "user")
    assert answer_words in reply["text"]
    # The answer came back as audio too: at least a second of it, in 100 ms chunks.
    assert sum(duration(chunk) for chunk in recorder.audio) > 1.0
    assert all(len(chunk) <= OUTPUT_CHUNK_BYTES for chunk in recorder.audio)
    states = [e["state"] for e in recorder.events if e.get("event") == "state"]
    assert states[:4] == ["listening", "thinking", "speaking", "listening"][: len(states[:4])]
    assert "thinking" in states and "speaking" in states
    stored = list(db.session.execute(db.select(Message).order_by(Message.id)).scalars())
    assert [(m.sender, m.mode) for m in stored] == [("user", "voice"), ("agent", "voice")]
    assert stored[0].content == heard["text"]
    assert [source["title"] for source in stored[1].sources] == [article]


def test_visitor_speaking_over_the_agent_stops_its_audio(app, start_call):
    call, recorder = start_call(playback_lead=0.3)
    say(call, "How long do refunds take?")
    recorder.wait_for(lambda e: e.get("state") == "speaking")
    time.sleep(0.5)
    say(call, "Thank you.")
    recorder.wait_for(lambda e: e.get("event") == "barge_in")
    recorder.wait_for(agent_transcript)
    thinking = {"type": "voice", "event": "state", "state": "thinking"}
    barge_in = recorder.log.index(("event", {"type": "voice", "event": "barge_in"}))
    # The visitor's new turn starts once the interrupted answer has been stored (whole, in text).
    deadline = time.monotonic() + 20
    while ("event", thinking) not in recorder.log[barge_in:] and time.monotonic() < deadline:
        time.sleep(0.05)
    next_turn = recorder.log.index(("event", thinking), barge_in)
    # Between the barge-in and the next turn: at most the chunk already in flight.
    assert sum(kind == "audio" for kind, _ in recorder.log[barge_in:next_turn]) <= 1
    first_answer = next(e for e in recorder.events if agent_transcript(e))
    spoken_before = sum(size for kind, size in recorder.log[:barge_in] if kind == "audio") / BYTES_PER_SECOND
    # Well short of the whole answer (espeak says about 2.5 words a second).
    assert spoken_before < 0.7 * len(first_answer["text"].split()) / 2.5


def test_silence_and_noise_start_no_turn(app, start_call):
    call, recorder = start_call()
    for frame in microphone_frames(bytes(32000 * 2)):
        call.hear(frame)
    time.sleep(0.3)
    assert [e.get("event") for e in recorder.events] == ["state"]


def test_hosted_speech_engines_run_the_same_pipeline(app, start_call):
    with SpeechServer("How long do refunds take?") as server:
        call, recorder = start_call(settings={"AURION_STT_BASE_URL": server.base_url, "AURION_TTS_BASE_URL": server.base_url})
        say(call, "How long do refunds take?")
        reply = recorder.wait_for(agent_transcript)
        turn_over(recorder)
        call.hang_up()
    heard = next(e for e in recorder.events if e.get("event") == "transcript" and e["sender"] == "user")
    assert heard["text"] == "How long do refunds take?"
    assert "business days" in reply["text"]
    assert sum(duration(chunk) for chunk in recorder.audio) > 1.0
    assert {request["path"] for request in server.requests} == {"/v1/audio/transcriptions", "/v1/audio/speech"}


def test_a_question_with_a_pause_in_it_is_heard_whole(app, start_call):
    # The pause starts recognition early; the words after it make that transcript out of date.
    call, recorder = start_call()
    for frame in microphone_frames(spoken("I forgot my password", tail=0.3) + spoken("and the reset link expired", lead=0.0)):
        call.hear(frame)
    heard = recorder.wait_for(lambda e: e.get("event") == "transcript" and e["sender"] == "user", timeout=60)
    text = heard["text"].lower().replace(",", "")
    # Both halves are in the one transcript. Which words tiny.en makes of the second half
    # varies (in the full suite it heard "and the resetting can fired"), so this counts them.
    assert "forgot my password" in text, heard["text"]
    assert len(text.split("password", 1)[1].split()) >= 3, heard["text"]
    assert sum(e.get("event") == "transcript" and e["sender"] == "user" for e in recorder.events) == 1
