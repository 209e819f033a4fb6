"""A voice call spoken in real time over the embedded voice socket, and the Calls API read over HTTP."""

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import numpy as np

from aurion.voice.audio import BYTES_PER_SECOND, INPUT_FRAME_BYTES, SAMPLE_RATE
from tests.support.sockets import VOICE_SOCKET, received, widget_socket
from tests.support.speech import microphone_frames, silence, spoken

CALLS_URL = "/api/v1/calls"


@dataclass
class SpokenCall:
    """What the visitor's side saw of a call, in seconds from the moment the socket opened."""

    question_at: tuple[float, float] = (0.0, 0.0)  # the visitor's speech, start and end
    answer_at: float | None = None  # the agent's first audio
    answer_seconds: float = 0.0  # how much of the agent's audio arrived
    length: float = 0.0  # until the visitor hung up
    events: list[dict] = field(default_factory=list)


def speak_a_call(base_url: str, token: str, question: str, origin: str | None = None, after_answer: float = 1.0) -> SpokenCall:
    """Open a call, say `question` as a microphone would (20 ms frames in real time, silence
    between), wait until the answer has played, `after_answer` s more, then hang up."""
    result = SpokenCall()
    speech = spoken(question, lead=0.5, tail=0.0)
    result.question_at = (0.5, len(speech) / BYTES_PER_SECOND)
    stop = threading.Event()
    with widget_socket(base_url, token, origin, path=VOICE_SOCKET) as ws:
        opened = time.monotonic()

        def microphone():
            frames = microphone_frames(speech)
            sent = 0
            while not stop.is_set():
                frame = frames[sent] if sent < len(frames) else silence(INPUT_FRAME_BYTES / BYTES_PER_SECOND)
                ws.send(frame)
                sent += 1
                # Paced on the clock, as a microphone is: frame n leaves at n × 20 ms.
                time.sleep(max(opened + sent * 0.02 - time.monotonic(), 0))

        mic = threading.Thread(target=microphone, daemon=True)
        mic.start()
        spoke = False
        for raw in received(ws, timeout=60):
            if isinstance(raw, bytes):
                if result.answer_at is None:
                    result.answer_at = time.monotonic() - opened
                result.answer_seconds += len(raw) / BYTES_PER_SECOND
                continue
            event = json.loads(raw)
            result.events.append(event)
            spoke = spoke or event.get("state") == "speaking"
            if spoke and event.get("state") == "listening":
                break
        time.sleep(after_answer)
        stop.set()
        mic.join()
        ws.send(json.dumps({"type": "hangup"}))
        result.length = time.monotonic() - opened
    return result


def api_request(base_url: str, path: str, key: str, method: str = "GET") -> tuple[int, bytes, dict]:
    """`method` `path` with `X-API-Key: key`; (status, body, headers), errors included."""
    request = urllib.request.Request(base_url + path, headers={"X-API-Key": key}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), dict(error.headers)


def ended_call(base_url: str, key: str, timeout: float = 10.0) -> dict:
    """The tenant's newest call once its record is closed."""
    deadline = time.monotonic() + timeout
    while True:
        status, body, _ = api_request(base_url, CALLS_URL, key)
        assert status == 200, body
        calls = json.loads(body)["calls"]
        if calls and calls[0]["ended_at"] is not None:
            status, body, _ = api_request(base_url, f"{CALLS_URL}/{calls[0]['id']}", key)
            assert status == 200, body
            return json.loads(body)
        if time.monotonic() > deadline:
            raise AssertionError(f"no ended call within {timeout} s: {calls}")
        time.sleep(0.1)


def loudness(audio: np.ndarray, start: float, end: float) -> float:
    """The RMS level of `audio` (16 kHz samples) between `start` and `end` seconds."""
    part = audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)].astype(np.float64)
    return float(np.sqrt(np.mean(part**2))) if len(part) else 0.0


def seed_call(widget, recorded: bool = True, seconds: float = 2.0):
    """A finished call of one turn in a new visitor's conversation, stored through the services
    (without speech engines); with `recorded`, a recording of a tone then silence. Returns the Call."""
    from aurion.services.calls import end_call, record_turn, start_call
    from aurion.services.conversations import store_message
    from aurion.services.sessions import new_unidentified_visitor, start_session
    from aurion.services.uploads import recording_path
    from aurion.voice.recording import CallRecorder

    widget.record_calls = recorded
    session = start_session(widget, new_unidentified_visitor(widget), "Caller").session
    call = start_call(session.id, "embedded")
    question = store_message(session.conversation, "user", "How do I reset my password?", mode="voice")
    answer = store_message(session.conversation, "agent", "Click 'Forgot password' on the sign-in page.", mode="voice")
    record_turn(call.id, question.public_id, answer.public_id, 0.8, handed_off=False)
    size = None
    if recorded:
        # A clock that moves 0.1 s a reading: each tone is added 0.1 s after the one before.
        clock = iter(np.arange(0, 100, 0.1)).__next__
        recorder = CallRecorder(recording_path(call), clock=clock)
        tone = (np.sin(np.arange(SAMPLE_RATE // 10) * 0.1) * 8000).astype("<i2").tobytes()
        for _ in range(int(seconds * 10) - 1):
            recorder.said(tone)
        size = recorder.close()
    return end_call(call.id, "visitor", seconds, size)
