"""Spoken test audio: support questions said by espeak-ng, as a microphone would send them."""

import threading
import time

from aurion.voice.audio import BYTES_PER_SECOND, INPUT_FRAME_BYTES, chunks
from aurion.voice.synthesis import EspeakSynthesizer


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * BYTES_PER_SECOND) // 2 * 2)


def spoken(text: str, lead: float = 0.5, tail: float = 1.0) -> bytes:
    """`text` as 16 kHz PCM16, with silence before (a microphone opening) and after (the end of a turn)."""
    return silence(lead) + EspeakSynthesizer().synthesize(text) + silence(tail)


def microphone_frames(pcm: bytes) -> list[bytes]:
    """`pcm` in the widget's 20 ms microphone frames."""
    return chunks(pcm, INPUT_FRAME_BYTES)


class Recorder:
    """What a call sends back: audio chunks and events, in order, waitable."""

    def __init__(self):
        self.audio: list[bytes] = []
        self.events: list[dict] = []
        self.log: list[tuple[str, object]] = []
        self._changed = threading.Condition()

    def send_audio(self, chunk: bytes) -> None:
        with self._changed:
            self.audio.append(chunk)
            self.log.append(("audio", len(chunk)))
            self._changed.notify_all()

    def send_event(self, event: dict) -> None:
        with self._changed:
            self.events.append(event)
            self.log.append(("event", event))
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching event in {timeout} s; got {self.events}")
                self._changed.wait(remaining)


def turn_over(recorder: "Recorder", timeout: float = 30.0) -> None:
    """Wait until the call is listening again after a turn (its answer fully played)."""
    deadline = time.monotonic() + timeout
    while sum(e.get("state") == "listening" for e in recorder.events) < 2:
        if time.monotonic() > deadline:
            raise AssertionError(f"the turn did not end in {timeout} s; got {recorder.events}")
        time.sleep(0.05)


def agent_transcript(event):
    return event.get("event") == "transcript" and event["sender"] == "agent"


def say(call, text: str) -> None:
    """Speak `text` into `call` as 20 ms microphone frames."""
    for frame in microphone_frames(spoken(text)):
        call.hear(frame)
