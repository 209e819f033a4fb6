"""One voice call: the visitor's microphone in, the agent's voice out.

    microphone PCM → speech detection (pocketsphinx `Endpointer`) → end of turn
    → recognition → the visitor's message (`mode: "voice"`) → the same agent turn
    as chat → sentences synthesised as the answer streams → paced audio out

Both transports (the embedded voice socket and the LiveKit worker) drive a
`VoiceCall` the same way: `hear()` with microphone audio as it arrives, and two
callbacks for what goes back, audio chunks and JSON events:

- `{"type": "voice", "event": "state", "state": "listening" | "thinking" | "speaking"}`
- `{"type": "voice", "event": "transcript", "sender": "user" | "agent", "text", "message_id"}`
- `{"type": "voice", "event": "not_understood"}`: speech was heard but no words recognised
- `{"type": "voice", "event": "barge_in"}`: the visitor spoke over the agent; its audio
  stops now, and the client drops what it has buffered but not yet played
- `{"type": "error", "code", "detail"}`

Every call is on record (`aurion.services.calls`): when it started and ended, who
hung up, its turns with the time to each first answer; where the widget records
calls, both sides are mixed into one recording as the call goes
(`aurion.voice.recording`).

The agent's audio is sent only a little ahead of real time (`playback_lead`), so
that a barge-in silences it within a fraction of a second instead of after the
whole answer has been queued in the browser. The answer's text is stored whole
even when its audio is cut short: the conversation shows what the agent meant.
"""

import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from aurion.agent.turn import answer_visitor_safely
from aurion.engines import frames, metrics
from aurion.extensions import db
from aurion.models import Message, WidgetSession
from aurion.problems import Problem
from aurion.services.calls import end_call, record_turn, start_call
from aurion.services.messages import visitor_said
from aurion.services.uploads import recording_path
from aurion.voice.audio import BYTES_PER_SECOND, FrameBuffer, chunks
from aurion.voice.recognition import Recognizer
from aurion.voice.recording import CallRecorder
from aurion.voice.synthesis import Synthesizer

# Speech detection: a 0.3 s window of which 90 % must be speech (or silence) to switch.
DETECTION_WINDOW = 0.3
DETECTION_RATIO = 0.9
# The voice activity detector's most aggressive mode (3 of 0-3): the fading end of a word
# and room noise count as silence, so a pause is noticed about 0.1 s sooner.
DETECTION_MODE = 3
# After speech stops, a turn ends only if the visitor stays silent this long more, so
# a breath between two phrases of one question does not split it in two. Not waited
# when what was recognised at the pause is already a whole question (ends in "?").
TURN_HANGOVER = 0.2
# This much silence inside speech (frame by frame) is a pause: recognition starts then, early.
EARLY_PAUSE = 0.12
# Shortest utterance worth recognising: shorter bursts are coughs and clicks.
MIN_UTTERANCE = 0.25
# Longest utterance: a visitor who never pauses is cut here and answered.
MAX_UTTERANCE = 30.0
DEFAULT_PLAYBACK_LEAD = 0.5
# A sentence ends at . ! ? followed by a space: spoken as soon as it is complete.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

AudioSink = Callable[[bytes], None]
EventSink = Callable[[dict], None]


@dataclass
class Heard:
    """What one frame of microphone audio changed in the turn being spoken."""

    # Speech just started (a barge-in if the agent is answering).
    started: bool = False
    # The visitor just paused: their speech so far, to recognise before the turn is known to be over.
    paused: bytes | None = None
    # They spoke again after that pause: what was recognised early is out of date.
    resumed: bool = False
    # The turn just ended: the whole utterance.
    utterance: bytes | None = None


class _Utterances:
    """Speech detection, pauses and end of turn over fixed frames of microphone audio.

    pocketsphinx's `Endpointer` decides where speech starts and where the turn ends
    (0.27 s of silence to leave speech, then `TURN_HANGOVER` more, or none once the
    caller says the speech so far is a whole question). Its voice activity
    detector, frame by frame, notices the first pause sooner (`EARLY_PAUSE`), so that
    recognition can start about 0.4 s before the turn is known to be over.
    """

    def __init__(self):
        from pocketsphinx import Endpointer, Vad

        self._endpointer = Endpointer(window=DETECTION_WINDOW, ratio=DETECTION_RATIO, vad_mode=DETECTION_MODE)
        self._frame_seconds = self._endpointer.frame_length
        self._vad = Vad(mode=DETECTION_MODE, frame_length=self._frame_seconds)
        self.frames = FrameBuffer(self._endpointer.frame_bytes)
        self._speech = bytearray()
        self._silence = 0.0
        self._was_in_speech = False
        # The raw audio of the utterance being spoken (the endpointer hands its speech out
        # a window late), from two windows before speech was detected (its first sounds).
        self._lead_in: deque[bytes] = deque(maxlen=round(2 * DETECTION_WINDOW / self._frame_seconds))
        self._raw = bytearray()
        self._quiet = 0.0
        self._paused = False

    def feed(self, frame: bytes, question_complete: bool = False) -> Heard:
        """One frame; `question_complete` when the early transcript of the current pause is a whole question."""
        heard = Heard()
        voiced = self._vad.is_speech(frame)
        speech = self._endpointer.process(frame)
        heard.started = self._endpointer.in_speech and not self._was_in_speech
        self._was_in_speech = self._endpointer.in_speech
        if heard.started:
            self._raw = bytearray(b"".join(self._lead_in))
        in_utterance = self._endpointer.in_speech or bool(self._speech)
        if in_utterance:
            self._raw.extend(frame)
            self._quiet = 0.0 if voiced else self._quiet + self._frame_seconds
            if voiced and self._paused:
                self._paused, heard.resumed = False, True
            elif not self._paused and self._quiet >= EARLY_PAUSE:
                self._paused, heard.paused = True, bytes(self._raw)
        else:
            self._lead_in.append(frame)
        if speech is not None:
            self._speech.extend(speech)
            self._silence = 0.0
        elif self._speech:
            self._silence += self._frame_seconds
        too_long = len(self._speech) >= MAX_UTTERANCE * BYTES_PER_SECOND
        hangover = 0.0 if question_complete else TURN_HANGOVER
        if self._speech and ((not self._endpointer.in_speech and self._silence >= hangover) or too_long):
            utterance, self._speech = bytes(self._speech), bytearray()
            self._raw, self._quiet = bytearray(), 0.0
            if self._paused and too_long:
                heard.resumed = True
            self._paused = False
            if len(utterance) >= MIN_UTTERANCE * BYTES_PER_SECOND:
                heard.utterance = utterance
        return heard


class EarlyTranscripts:
    """Recognition begun at the visitor's first pause, and kept only if the turn ends there.

    `begin` starts decoding what was said up to a pause (on its own thread; the
    recogniser's model is shared and thread-safe); `discard` drops it when the visitor
    speaks again; `follow` does either as `_Utterances` says, and hands a kept one over
    when the turn ends; `take` answers a finished turn: the early transcript when one is
    still valid (waiting for it if it is not done yet), else a decode of the utterance.
    """

    def __init__(self, recognizer: Recognizer):
        self._recognizer = recognizer
        self._lock = threading.Lock()
        self._current: _Decoding | None = None
        # Early transcripts handed over with a finished turn, in turn order.
        self._kept: dict[int, _Decoding] = {}
        self._turns = 0

    def follow(self, heard: Heard) -> int | None:
        """Start, drop or hand over the early transcript as one frame's `heard` says;
        the number of the turn that just ended, if one did (its utterance is `heard.utterance`)."""
        if heard.resumed:
            self.discard()
        if heard.paused is not None:
            self.begin(heard.paused)
        return self.turn_ended() if heard.utterance is not None else None

    def begin(self, pcm: bytes) -> None:
        with self._lock:
            self._current = _Decoding(self._recognizer, pcm)

    def question_complete(self) -> bool:
        """Whether the transcript begun at the current pause is done and ends as a question.

        Then the turn need not wait out `TURN_HANGOVER`: a visitor who asked a whole
        question and stays silent is answered about 0.15 s sooner.
        """
        with self._lock:
            current = self._current
        return current is not None and current.finished_as_question()

    def discard(self) -> None:
        with self._lock:
            self._current = None

    def turn_ended(self) -> int:
        """The number of the turn that just ended; its early transcript (if any) is kept for `take`."""
        with self._lock:
            self._turns += 1
            if self._current is not None:
                self._kept[self._turns] = self._current
            self._current = None
            return self._turns

    def take(self, turn: int, utterance: bytes) -> str:
        with self._lock:
            early = self._kept.pop(turn, None)
        if early is not None:
            return early.result()
        return self._recognizer.transcribe(utterance)


def transcribe_as_a_call(recognizer: Recognizer, pcm: bytes) -> list[str]:
    """What a call recognises in `pcm` (16 kHz PCM16), turn by turn, without answering: the same
    speech detection, end of turn and recognition begun at the pause as `VoiceCall.hear`.

    The bench scores recognition through it, so its figures include what the call's own
    framing (a transcript begun at a pause, a turn cut at a long pause) does to the words.
    """
    utterances, early = _Utterances(), EarlyTranscripts(recognizer)
    texts = []
    for frame in utterances.frames.push(pcm):
        heard = utterances.feed(frame, early.question_complete())
        turn = early.follow(heard)
        if turn is not None:
            texts.append(early.take(turn, heard.utterance))
    return texts


class _Decoding:
    """One transcript being decoded on its own thread."""

    def __init__(self, recognizer: Recognizer, pcm: bytes):
        self._done = threading.Event()
        self._text = ""
        self._error: Exception | None = None
        threading.Thread(target=self._run, args=(recognizer, pcm), name="aurion-voice-early", daemon=True).start()

    def _run(self, recognizer: Recognizer, pcm: bytes) -> None:
        try:
            self._text = recognizer.transcribe(pcm)
        except Exception as exc:  # handed to the turn that takes it
            self._error = exc
        finally:
            self._done.set()

    def finished_as_question(self) -> bool:
        return self._done.is_set() and self._error is None and self._text.rstrip().endswith("?")

    def result(self) -> str:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._text


class _Playback:
    """The agent's audio of one answer, sent at most `lead` seconds ahead of real time."""

    def __init__(self, send_audio: AudioSink, lead: float, interrupted: threading.Event):
        self._send = send_audio
        self._lead = lead
        self._interrupted = interrupted
        self._started = 0.0
        self._sent = 0.0

    def play(self, pcm: bytes) -> None:
        now = time.monotonic()
        if not self._sent:
            self._started = now
        # If synthesis fell behind, what was sent has already played out: pace from now.
        self._started = max(self._started, now - self._sent)
        for chunk in chunks(pcm):
            wait = self._started + self._sent - self._lead - time.monotonic()
            if wait > 0 and self._interrupted.wait(wait):
                return
            if self._interrupted.is_set():
                return
            self._send(chunk)
            self._sent += len(chunk) / BYTES_PER_SECOND

    @property
    def stopped(self) -> bool:
        return self._interrupted.is_set()


class VoiceCall:
    """A visitor's call in their conversation. Thread-safe `hear()`; turns run one at a time on the call's own thread."""

    def __init__(
        self,
        app: Flask,
        session_id: int,
        recognizer: Recognizer,
        synthesizer: Synthesizer,
        send_audio: AudioSink,
        send_event: EventSink,
        playback_lead: float = DEFAULT_PLAYBACK_LEAD,
        transport: str = "embedded",
        started: float | None = None,
    ):
        """`started`: when the call began (`time.monotonic()`), if before now (the socket opened while
        the engines loaded); the record's duration and the recording's timeline count from it."""
        self._app = app
        self._session_id = session_id
        self._synthesizer = synthesizer
        self._send_audio = send_audio
        self._send_event = send_event
        self._playback_lead = playback_lead
        self._utterances = _Utterances()
        self._early = EarlyTranscripts(recognizer)
        self._hear_lock = threading.Lock()
        # Utterances (with their turn number, for the early transcript, and the moment each
        # ended, to time the first answer); None hangs up.
        self._turns: queue.Queue[tuple[int, bytes, float] | None] = queue.Queue()
        # Set by barge-in: the answer being spoken stops.
        self._interrupted = threading.Event()
        self._busy = threading.Event()
        # The call's record, and its recording when the widget records calls.
        self._started = time.monotonic() if started is None else started
        with app.app_context():
            call = start_call(session_id, transport, time.monotonic() - self._started)
            self._call_id = call.id
            path = recording_path(call)
        self._recorder = CallRecorder(path, started=self._started) if path is not None else None
        self._first_audio_at: float | None = None
        self._worker = threading.Thread(target=self._run, name="aurion-voice-call", daemon=True)
        self._worker.start()
        metrics.voice_calls.inc()
        self._send_event(frames.voice("state", state="listening"))

    def hear(self, pcm: bytes) -> None:
        """Microphone audio (16 kHz PCM16 mono), in pieces of any length."""
        if self._recorder is not None:
            self._recorder.heard(pcm)
        with self._hear_lock:
            for frame in self._utterances.frames.push(pcm):
                heard = self._utterances.feed(frame, self._early.question_complete())
                if heard.started and self._busy.is_set() and not self._interrupted.is_set():
                    self._interrupted.set()
                    self._send_event(frames.voice("barge_in"))
                turn = self._early.follow(heard)
                if turn is not None:
                    self._turns.put((turn, heard.utterance, time.monotonic()))

    def hang_up(self, ended_by: str = "visitor", timeout: float = 30.0) -> None:
        """End the call (`ended_by`: visitor, agent, timeout, error): speech in progress stops;
        a turn being answered finishes in text; the record is closed, the recording finished."""
        self._interrupted.set()
        self._turns.put(None)
        self._worker.join(timeout)
        duration = time.monotonic() - self._started
        size = self._recorder.close() if self._recorder is not None else None
        try:
            with self._app.app_context():
                end_call(self._call_id, ended_by, duration, size)
        except Exception:
            self._app.logger.exception("The call's record could not be closed")

    def _play(self, chunk: bytes) -> None:
        """The agent's audio out: recorded, and the turn's first audio timed."""
        if self._first_audio_at is None:
            self._first_audio_at = time.monotonic()
        if self._recorder is not None:
            self._recorder.said(chunk)
        self._send_audio(chunk)

    def _run(self) -> None:
        while True:
            turn = self._turns.get()
            if turn is None:
                return
            self._busy.set()
            self._interrupted.clear()
            try:
                with self._app.app_context():
                    self._take_turn(*turn)
            except Exception:
                self._app.logger.exception("A voice turn failed")
                self._send_event(frames.error("voice_failed", "That turn failed; please say it again."))
            finally:
                self._busy.clear()
                if self._turns.empty():
                    self._send_event(frames.voice("state", state="listening"))

    def _take_turn(self, number: int, utterance: bytes, heard_at: float) -> None:
        self._first_audio_at = None
        self._send_event(frames.voice("state", state="thinking"))
        text = self._early.take(number, utterance)
        if not text:
            self._send_event(frames.voice("not_understood"))
            return
        session = db.session.get(WidgetSession, self._session_id)
        try:
            question = visitor_said(session, text, mode="voice", answered_by_caller=True).message
        except Problem as problem:
            self._send_event(frames.error(problem.code, problem.detail))
            return
        self._send_event(frames.voice("transcript", sender="user", text=text, message_id=question.public_id))
        if question.conversation.status != "agent":
            record_turn(self._call_id, question.public_id, None, None, handed_off=True)
            return
        voice = _Voice(self._synthesizer, _Playback(self._play, self._playback_lead, self._interrupted), self._send_event)
        answer = answer_visitor_safely(question.conversation_id, voice.add)
        reply = answer or _later_agent_message(question)
        if reply is not None:
            if not voice.spoke:
                # A hand-off notice is stored without streaming: say it too.
                voice.add(reply.content)
            self._send_event(frames.voice("transcript", sender="agent", text=reply.content, message_id=reply.public_id))
        voice.finish()
        first_answer = None if self._first_audio_at is None else self._first_audio_at - heard_at
        db.session.refresh(question.conversation)
        record_turn(
            self._call_id,
            question.public_id,
            reply.public_id if reply is not None else None,
            first_answer,
            handed_off=question.conversation.status != "agent",
        )


class _Voice:
    """The agent's answer as it streams: each complete sentence is queued, then synthesised
    and played on the voice's own thread, so the agent's turn (and the stored message)
    never waits for the audio to play out."""

    def __init__(self, synthesizer: Synthesizer, playback: _Playback, send_event: EventSink):
        self._synthesizer = synthesizer
        self._playback = playback
        self._send_event = send_event
        self._pending = ""
        self._sentences: queue.Queue[str | None] = queue.Queue()
        self._speaker = threading.Thread(target=self._speak, name="aurion-voice-speaker", daemon=True)
        self._speaker.start()
        self.spoke = False

    def add(self, piece: str) -> None:
        self._pending += piece
        *sentences, self._pending = _SENTENCE_END.split(self._pending)
        for sentence in sentences:
            self._queue(sentence)

    def finish(self) -> None:
        """Queue what is left, then wait until everything has been said (or cut off by barge-in)."""
        sentence, self._pending = self._pending, ""
        self._queue(sentence)
        self._sentences.put(None)
        self._speaker.join()

    def _queue(self, sentence: str) -> None:
        if sentence.strip():
            self.spoke = True
            self._sentences.put(sentence.strip())

    def _speak(self) -> None:
        started = False
        while (sentence := self._sentences.get()) is not None:
            if self._playback.stopped:
                continue
            if not started:
                started = True
                self._send_event(frames.voice("state", state="speaking"))
            self._playback.play(self._synthesizer.synthesize(sentence))


def _later_agent_message(question: Message) -> Message | None:
    """The agent's message after `question`, if one was stored without streaming (a hand-off notice)."""
    return db.session.execute(
        db.select(Message)
        .filter(Message.conversation_id == question.conversation_id, Message.id > question.id, Message.sender == "agent")
        .order_by(Message.id)
        .limit(1)
    ).scalar_one_or_none()
