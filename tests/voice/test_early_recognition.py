"""Recognition started at the visitor's first pause: kept when the turn ends there, dropped when they go on."""

import threading
import time

import pytest

from aurion.voice.audio import BYTES_PER_SECOND, INPUT_FRAME_BYTES
from aurion.voice.pipeline import EARLY_PAUSE, TURN_HANGOVER, EarlyTranscripts, Heard, _Utterances, transcribe_as_a_call
from tests.support.speech import silence, spoken


class Transcriber:
    """A recogniser that answers with the length of what it was given, and records every call."""

    def __init__(self, gate: threading.Event | None = None):
        self.calls: list[int] = []
        self._gate = gate

    def transcribe(self, pcm: bytes) -> str:
        if self._gate is not None:
            self._gate.wait(10)
        self.calls.append(len(pcm))
        return f"{len(pcm)} bytes"


def listen(pcm: bytes) -> list[tuple[str, int]]:
    """What `_Utterances` notices in `pcm`, in order: (kind, bytes)."""
    utterances = _Utterances()
    noticed = []
    for frame in utterances.frames.push(pcm):
        heard = utterances.feed(frame)
        if heard.resumed:
            noticed.append(("resumed", 0))
        if heard.paused is not None:
            noticed.append(("paused", len(heard.paused)))
        if heard.utterance is not None:
            noticed.append(("ended", len(heard.utterance)))
    return noticed


def test_one_question_pauses_once_and_ends():
    kinds = [kind for kind, _ in listen(spoken("How long do refunds take?", tail=1.0))]
    assert kinds == ["paused", "ended"]


def test_speech_after_a_short_pause_resumes_the_same_turn():
    # 0.3 s of silence: a pause (over EARLY_PAUSE) but shorter than the end of a turn.
    assert EARLY_PAUSE < 0.3
    pcm = spoken("I forgot my password", tail=0.3) + spoken("and the reset link expired", lead=0.0, tail=1.0)
    noticed = listen(pcm)
    assert [kind for kind, _ in noticed] == ["paused", "resumed", "paused", "ended"]
    # The second pause covers both phrases.
    assert noticed[2][1] > noticed[0][1]


class Saying:
    """A recogniser that hears `text` in anything."""

    def __init__(self, text: str):
        self.text = text

    def transcribe(self, pcm: bytes) -> str:
        return self.text


def turn_ends_after(heard_as: str) -> float:
    """Seconds of audio into a spoken question at which its turn ends, when it is recognised as `heard_as`."""
    utterances, early = _Utterances(), EarlyTranscripts(Saying(heard_as))
    fed = 0
    for frame in utterances.frames.push(spoken("How long do refunds take?", tail=1.5)):
        heard = utterances.feed(frame, early.question_complete())
        fed += len(frame)
        if early.follow(heard) is not None:
            return fed / BYTES_PER_SECOND
        if heard.paused is not None:
            # Real decodes take a few tenths of a second; this one is done before the next frame.
            time.sleep(0.1)
    raise AssertionError("the turn never ended")


def test_a_whole_question_ends_its_turn_without_the_hangover():
    asked = turn_ends_after("How long do refunds take?")
    # Unpunctuated or a statement: the visitor may go on after a breath, so the turn waits.
    assert turn_ends_after("How long do refunds take") == pytest.approx(asked + TURN_HANGOVER, abs=0.03)
    assert turn_ends_after("I forgot my password.") == pytest.approx(asked + TURN_HANGOVER, abs=0.03)


def test_silence_neither_pauses_nor_ends_a_turn():
    assert listen(silence(2.0)) == []


def test_a_transcript_begun_at_the_pause_answers_the_turn_without_decoding_again():
    transcriber = Transcriber()
    early = EarlyTranscripts(transcriber)
    early.begin(b"\0" * 6400)
    turn = early.turn_ended()
    assert early.take(turn, b"\0" * 9600) == "6400 bytes"
    assert transcriber.calls == [6400]


def test_a_transcript_is_discarded_when_the_visitor_goes_on():
    transcriber = Transcriber()
    early = EarlyTranscripts(transcriber)
    early.begin(b"\0" * 6400)
    early.discard()
    turn = early.turn_ended()
    assert early.take(turn, b"\0" * 9600) == "9600 bytes"


def test_the_latest_pause_wins_and_a_slow_early_transcript_is_waited_for():
    gate = threading.Event()
    transcriber = Transcriber(gate)
    early = EarlyTranscripts(transcriber)
    early.begin(b"\0" * 3200)
    early.discard()
    early.begin(b"\0" * 6400)
    turn = early.turn_ended()
    result = []
    taker = threading.Thread(target=lambda: result.append(early.take(turn, b"\0" * 9600)))
    taker.start()
    gate.set()
    taker.join(10)
    assert result == ["6400 bytes"]


def test_each_turn_takes_its_own_transcript():
    early = EarlyTranscripts(Transcriber())
    early.begin(b"\0" * 3200)
    first = early.turn_ended()
    # The next turn had no pause of its own (cut at the longest utterance, say).
    second = early.turn_ended()
    assert early.take(second, b"\0" * 9600) == "9600 bytes"
    assert early.take(first, b"\0" * 6400) == "3200 bytes"


def test_a_failed_early_transcript_fails_its_turn():
    class Broken:
        def transcribe(self, pcm: bytes) -> str:
            raise RuntimeError("decoder crashed")

    early = EarlyTranscripts(Broken())
    early.begin(b"\0" * INPUT_FRAME_BYTES)
    with pytest.raises(RuntimeError, match="decoder crashed"):
        early.take(early.turn_ended(), b"")


def test_a_call_decodes_again_after_the_visitor_goes_on_and_keeps_only_the_last_pause():
    transcriber = Transcriber()
    pcm = spoken("I forgot my password", tail=0.3) + spoken("and the reset link expired", lead=0.0, tail=1.0)
    noticed = listen(pcm)
    pauses = [size for kind, size in noticed if kind == "paused"]
    # Two pauses, two decodes begun; the first was dropped when speech resumed, the second answers the one turn.
    assert transcribe_as_a_call(transcriber, pcm) == [f"{pauses[1]} bytes"]
    assert sorted(transcriber.calls) == sorted(pauses)


def test_a_call_without_a_pause_before_the_end_decodes_the_whole_utterance():
    # Cut at the longest utterance is the one way a turn ends without a pause; here the
    # early transcript exists, so follow() must hand it to that turn, not a later one.
    early = EarlyTranscripts(Transcriber())
    assert early.follow(Heard(paused=b"\0" * 640)) is None
    turn = early.follow(Heard(utterance=b"\0" * 960))
    assert early.take(turn, b"\0" * 960) == "640 bytes"
    later = early.follow(Heard(utterance=b"\0" * 320))
    assert early.take(later, b"\0" * 320) == "320 bytes"
