"""Benchmark the voice pipeline: how soon the agent starts speaking, and how fast the engines are.

Run from the repository root: ``python bench/voice_latency.py [--rounds N]``.

- Response latency: from the end of the visitor's speech to the first byte of the
  agent's audio, over many spoken questions (p50, p95). Each question (espeak-ng
  speech) is fed to a `VoiceCall` as 20 ms frames; the silence after it is fed in
  real time, as a microphone would, so the measured time includes the end-of-turn
  detection, recognition, the agent's retrieval and answer, and the synthesis of
  its first sentence.
- Real-time factors (processing time / audio duration) of recognition
  (pocketsphinx with the widget's model) and synthesis (espeak-ng).
- Word error rate of recognition on the same questions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aurion import create_app
from aurion.config import TestConfig
from aurion.extensions import db
from aurion.models import WidgetSession
from aurion.schemas.sessions import WidgetSessionRequest
from aurion.services.identity import mint_email_token
from aurion.services.sessions import create_session
from aurion.services.tenants import create_tenant
from aurion.voice.audio import INPUT_FRAME_BYTES, INPUT_FRAME_MS, chunks, duration
from aurion.voice.engines import open_recognizer, open_synthesizer
from aurion.voice.pipeline import VoiceCall
from tests.support.knowledge import add_help_desk
from tests.support.speech import silence

QUESTIONS = [
    "How do I reset my password?",
    "I forgot my password.",
    "How long do refunds take?",
    "Can I get a refund?",
    "When will my order arrive?",
    "How long does shipping take?",
    "Where is my order?",
    "I want a refund for my order.",
    "How do I sign in?",
    "Can you help me with my account?",
]


def word_errors(said: str, heard: str) -> tuple[int, int]:
    """(word edit distance, words said)."""
    ref = [w.strip(".,?!").lower() for w in said.split()]
    hyp = heard.lower().split()
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1], len(ref)


def build_app(folder: str):
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "AURION_LIMIT_MESSAGE": "100000/minute"})
    app.instance_path = folder
    with app.app_context():
        db.create_all()
        widget = create_tenant("bench").widgets[0]
        add_help_desk(widget)
        token = mint_email_token(widget.public_id, widget.identity_secret, "bench@example.com", 600)
        session = create_session(widget, WidgetSessionRequest(email_token=token)).session
        return app, widget.id, session.id


class FirstAudio:
    """Notes when the first audio chunk of an answer and the end of its turn arrive."""

    def __init__(self):
        self.first_audio = threading.Event()
        self.turn_done = threading.Event()
        self.at = 0.0
        self.heard = ""
        # When the turn was detected (thinking) and when its words were recognised and stored.
        self.marks: dict[str, float] = {}

    def audio(self, chunk: bytes) -> None:
        if not self.first_audio.is_set():
            self.at = time.perf_counter()
            self.first_audio.set()

    def event(self, event: dict) -> None:
        if event.get("state") == "thinking":
            self.marks.setdefault("turn ended", time.perf_counter())
        if event.get("event") == "transcript" and event["sender"] == "user":
            self.marks["recognised"] = time.perf_counter()
            self.heard = event["text"]
        if event.get("event") == "transcript" and event["sender"] == "agent":
            self.turn_done.set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each of the 10 questions is asked")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app, widget_id, session_id = build_app(folder)
        with app.app_context():
            synthesizer = open_synthesizer(app.config)
            from aurion.models import Widget

            widget = db.session.get(Widget, widget_id)
            start = time.perf_counter()
            recognizer = open_recognizer(app.config, widget, app.instance_path)
            model_ms = (time.perf_counter() - start) * 1000

        speech = {}
        synthesis_time = synthesis_audio = 0.0
        for question in QUESTIONS:
            start = time.perf_counter()
            speech[question] = synthesizer.synthesize(question)
            synthesis_time += time.perf_counter() - start
            synthesis_audio += duration(speech[question])

        recognition_time = recognition_audio = 0.0
        errors = words = 0
        for question in QUESTIONS:
            start = time.perf_counter()
            heard = recognizer.transcribe(speech[question])
            recognition_time += time.perf_counter() - start
            recognition_audio += duration(speech[question])
            e, n = word_errors(question, heard)
            errors, words = errors + e, words + n

        latencies = []
        stages: dict[str, list[float]] = {"turn ended": [], "recognised": []}
        for _ in range(args.rounds):
            for question in QUESTIONS:
                probe = FirstAudio()
                with app.app_context():
                    call_recognizer = open_recognizer(app.config, db.session.get(WidgetSession, session_id).widget, app.instance_path)
                call = VoiceCall(app, session_id, call_recognizer, synthesizer, probe.audio, probe.event, playback_lead=60.0)
                for frame in chunks(silence(0.3) + speech[question], INPUT_FRAME_BYTES):
                    call.hear(frame)
                end_of_speech = time.perf_counter()
                for index, frame in enumerate(chunks(silence(2.0), INPUT_FRAME_BYTES)):
                    if probe.first_audio.is_set():
                        break
                    # Real time from here: the microphone delivers 20 ms of silence every 20 ms.
                    delay = end_of_speech + (index + 1) * INPUT_FRAME_MS / 1000 - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    call.hear(frame)
                if probe.first_audio.wait(10):
                    latencies.append(probe.at - end_of_speech)
                    for stage in stages:
                        stages[stage].append(probe.marks.get(stage, probe.at) - end_of_speech)
                probe.turn_done.wait(10)
                call.hang_up()

        print(f"recognition model build + load: {model_ms:8.1f} ms (first call of a widget; cached after)")
        print(f"recognition real-time factor:   {recognition_time / recognition_audio:8.3f}  ({recognition_audio:.1f} s of speech)")
        print(f"synthesis real-time factor:     {synthesis_time / synthesis_audio:8.4f}  ({synthesis_audio:.1f} s of speech)")
        print(f"recognition word error rate:    {errors / words:8.1%}  ({words} words)")
        ms = np.array(latencies) * 1000
        print(f"end of speech → first audio:    p50 {np.percentile(ms, 50):6.0f} ms   p95 {np.percentile(ms, 95):6.0f} ms   "
              f"({len(ms)} of {args.rounds * len(QUESTIONS)} utterances answered aloud)")
        for stage, times in stages.items():
            print(f"  of which until {stage + ':':12}      p50 {np.percentile(np.array(times) * 1000, 50):6.0f} ms")


if __name__ == "__main__":
    main()
