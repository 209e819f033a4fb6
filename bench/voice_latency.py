"""Benchmark the voice pipeline: recognition accuracy, how soon the agent starts speaking, and under load.

Run from the repository root: ``python bench/voice_latency.py [--sample K] [--latency-clips N] [--skip-accuracy] [--skip-server] [--model-dir DIR]``.

The held-out set (`HELD_OUT`): 44 support questions about the demo knowledge base
(`aurion.services.demo.DEMO_ARTICLES`) and the tests' help desk, spoken by espeak-ng
in two voices at two speeds (176 clips). None of them was used to choose the prompt,
the pause or the trimming; those were tried on `TUNING` only.

- Word error rate of the offline recogniser on the held-out clips: as a call hears
  them (speech detection, recognition begun at the pause, silence trimmed, the widget's
  prompt), on the whole clip with the widget's prompt (product names, article titles)
  and without it; faster-whisper called directly with its own defaults on the untrimmed
  clip, the reference that shows whether Aurion's handling of the audio costs words;
  and pocketsphinx. With the wall and CPU time per clip (CPU time is steadier on a
  shared machine).
- The right article: how often the top search result for the transcript is the
  article the question is about.
- End of speech → first byte of the agent's audio (p50, p95) with one call, and p50
  with 4 calls at once in one process. The silence after each question is fed in real
  time, as a microphone would, so the time includes the pause and end-of-turn
  detection, recognition, the agent's retrieval and answer, and the first sentence's synthesis.
- The chat socket's ping → pong round trip (p50, p99) on a gunicorn + gevent worker
  while 4 voice calls speak into it over its voice socket.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from aurion import create_app  # noqa: E402
from aurion.config import TestConfig  # noqa: E402
from aurion.extensions import db  # noqa: E402
from aurion.models import Widget  # noqa: E402
from aurion.schemas.sessions import WidgetSessionRequest  # noqa: E402
from aurion.services.demo import DEMO_ARTICLES  # noqa: E402
from aurion.services.identity import mint_email_token  # noqa: E402
from aurion.services.knowledge import create_article, search_knowledge  # noqa: E402
from aurion.services.sessions import create_session  # noqa: E402
from aurion.services.tenants import create_tenant  # noqa: E402
from aurion.voice.audio import INPUT_FRAME_BYTES, INPUT_FRAME_MS, chunks  # noqa: E402
from aurion.voice.engines import open_recognizer, open_synthesizer  # noqa: E402
from aurion.voice.pipeline import VoiceCall, transcribe_as_a_call  # noqa: E402
from aurion.voice.recognition import (  # noqa: E402
    WHISPER_THREADS,
    WhisperRecognizer,
    shared_whisper,
    whisper_model_files,
    whisper_samples,
)
from aurion.voice.synthesis import EspeakSynthesizer  # noqa: E402
from tests.support.knowledge import HELP_DESK  # noqa: E402
from tests.support.live_server import LIVE_SECRET_KEY  # noqa: E402
from tests.support.speech import silence  # noqa: E402

ARTICLES = DEMO_ARTICLES + HELP_DESK
# Tried while choosing the prompt and the pause; never scored.
TUNING = [
    "How do I reset my password?",
    "Can I get my money back on a monthly plan?",
    "How do I add the widget to my website?",
    "What is the identity secret for?",
]
# (question, the article that answers it): the scored set.
HELD_OUT = [
    ("Where do I paste the embed snippet?", "Adding the widget to your website"),
    ("How do I install the chat widget on my site?", "Adding the widget to your website"),
    ("The widget does not load on my subdomain.", "Adding the widget to your website"),
    ("Which domains can show the widget?", "Adding the widget to your website"),
    ("Can I use a wildcard for all my subdomains?", "Adding the widget to your website"),
    ("Where do I find the embed code in the dashboard?", "Adding the widget to your website"),
    ("How do I identify a signed-in visitor?", "Identifying signed-in visitors"),
    ("How does my backend mint an email token?", "Identifying signed-in visitors"),
    ("What goes into the email token signature?", "Identifying signed-in visitors"),
    ("Do returning visitors get their conversation back?", "Identifying signed-in visitors"),
    ("Where do I pass the email token?", "Identifying signed-in visitors"),
    ("Which secret signs the visitor token?", "Identifying signed-in visitors"),
    ("Can I talk to a human?", "Talking to a person"),
    ("I would like to speak to a real person.", "Talking to a person"),
    ("How do I reach someone on your team?", "Talking to a person"),
    ("Will a colleague answer me in the chat?", "Talking to a person"),
    ("Does the assistant stay quiet when a person helps me?", "Talking to a person"),
    ("How many messages can I send a minute?", "Rate limits"),
    ("How many sessions can a visitor start?", "Rate limits"),
    ("What happens when I pass a rate limit?", "Rate limits"),
    ("Is there a limit on uploads per minute?", "Rate limits"),
    ("Why does the widget tell me to wait?", "Rate limits"),
    ("How do I attach a screenshot?", "Uploading screenshots and files"),
    ("Can I upload a PDF file?", "Uploading screenshots and files"),
    ("How big can my files be?", "Uploading screenshots and files"),
    ("Can I drag a file into the chat?", "Uploading screenshots and files"),
    ("Where is the paper clip button?", "Uploading screenshots and files"),
    ("Can I paste an image into the conversation?", "Uploading screenshots and files"),
    ("I forgot my password.", "Resetting your password"),
    ("Where is the forgot password link?", "Resetting your password"),
    ("My reset link has expired.", "Resetting your password"),
    ("I never got the password reset email.", "Resetting your password"),
    ("How long is the reset link valid?", "Resetting your password"),
    ("Can I get a refund?", "Refund policy"),
    ("How long do refunds take to arrive?", "Refund policy"),
    ("Where do I request a refund?", "Refund policy"),
    ("Is the refund paid back to my card?", "Refund policy"),
    ("Can I still get a refund after thirty days?", "Refund policy"),
    ("When will my order ship?", "Shipping times"),
    ("How long does shipping take?", "Shipping times"),
    ("Do you offer express delivery?", "Shipping times"),
    ("Can my order arrive the next day?", "Shipping times"),
    ("How many business days until my order ships?", "Shipping times"),
    ("Where is my order?", "Shipping times"),
]
# espeak-ng's American and British English.
VOICES = ["en-us", "en"]
SPEEDS = [140, 190]
CALLS = 4


# Scored as the same word, as Whisper's own evaluation normalises them: it writes numbers as digits.
NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
           "nine": "9", "ten": "10", "thirty": "30", "sixty": "60"}


def words(text: str) -> list[str]:
    """`text` as lower-case words, hyphens and punctuation dropped, numbers as digits."""
    return [NUMBERS.get(word, word) for word in re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))]


def word_errors(said: str, heard: str) -> tuple[int, int]:
    """(word edit distance, words said)."""
    ref, hyp = words(said), words(heard)
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1], len(ref)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else float("nan")


def new_session(app, widget_id: int) -> tuple[int, str]:
    """(id, token) of a new visitor's session: each asked question gets its own conversation,
    so a request for a person in one does not silence the agent in the others."""
    with app.app_context():
        widget = db.session.get(Widget, widget_id)
        email = f"bench-{time.monotonic_ns()}@example.com"
        made = create_session(widget, WidgetSessionRequest(email_token=mint_email_token(widget.public_id, widget.identity_secret, email, 3600)))
        return made.session.id, made.token


def build_app(folder: str, sessions: int, model_dir: str = ""):
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config["AURION_STT_MODEL_DIR"] = model_dir
    database_url = f"sqlite:///{folder}/bench.db"
    # The gunicorn worker of the chat-echo part signs session tokens with the live server's key.
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": database_url, "AURION_LIMIT_MESSAGE": "100000/minute", "SECRET_KEY": LIVE_SECRET_KEY})
    app.instance_path = folder
    with app.app_context():
        upgrade()
        widget = create_tenant("bench").widgets[0]
        widget.modes = ["chat", "voice"]
        for article in ARTICLES:
            create_article(widget, article)
        db.session.commit()
        ids = []
        for index in range(sessions):
            token = mint_email_token(widget.public_id, widget.identity_secret, f"bench{index}@example.com", 3600)
            ids.append(create_session(widget, WidgetSessionRequest(email_token=token)))
        return app, database_url, widget.id, [(made.session.id, made.token) for made in ids]


def clips() -> list[tuple[str, str, str, int, bytes]]:
    """(question, article, voice, speed, PCM) for every held-out question in every voice and speed."""
    made = []
    for voice in VOICES:
        for speed in SPEEDS:
            speaker = EspeakSynthesizer(voice, speed)
            for question, article in HELD_OUT:
                made.append((question, article, voice, speed, speaker.synthesize(question)))
    return made


def faster_whisper_directly(model, pcm: bytes) -> str:
    """The reference: faster-whisper as its README calls it (its defaults: beam 5, the temperature
    fallback, timestamps), on the whole clip as float32, untrimmed, no prompt: none of Aurion's choices."""
    segments, _info = model.transcribe(whisper_samples(pcm), language="en")
    return " ".join(segment.text.strip() for segment in segments)


def accuracy(app, widget_id: int, sample: list) -> None:
    with app.app_context():
        widget = db.session.get(Widget, widget_id)
        files = whisper_model_files(app.config)
        model = shared_whisper(files)
        # The reference is faster-whisper's own model class, with its 30 s window.
        reference = WhisperModel(files.directory, device="cpu", compute_type="int8", cpu_threads=WHISPER_THREADS)
        prompted = open_recognizer(app.config, widget, app.instance_path)
        unprompted = WhisperRecognizer(model, "")
        sphinx = open_recognizer({**app.config, "AURION_STT_ENGINE": "pocketsphinx"}, widget, app.instance_path)
        # (name, how it hears one clip with silence around it, as a microphone gives it)
        ways = [
            ("Aurion, as a call hears it", lambda pcm: " ".join(transcribe_as_a_call(prompted, pcm + silence(1.0)))),
            ("Aurion, whole clip, prompt", prompted.transcribe),
            ("Aurion, whole clip, no prompt", unprompted.transcribe),
            ("faster-whisper directly", lambda pcm: faster_whisper_directly(reference, pcm)),
            ("pocketsphinx, widget model", sphinx.transcribe),
        ]
        results = {name: [0, 0, 0, 0.0, 0.0] for name, _ in ways}
        for question, article, _voice, _speed, pcm in sample:
            for name, hear in ways:
                wall, cpu = time.perf_counter(), time.process_time()
                heard = hear(silence(0.3) + pcm + silence(0.3))
                tally = results[name]
                tally[3] += time.perf_counter() - wall
                tally[4] += time.process_time() - cpu
                errors, said = word_errors(question, heard)
                tally[0] += errors
                tally[1] += said
                hits = search_knowledge(widget, heard, limit=1) if heard else []
                tally[2] += bool(hits) and hits[0].title == article
    print(f"held-out clips: {len(sample)} ({len(HELD_OUT)} questions x voices {VOICES} x {SPEEDS} words/min)")
    for name, (errors, said, right, seconds, cpu) in results.items():
        print(f"  {name:30} word error rate {errors / said:6.1%}   right article {right / len(sample):6.1%}   "
              f"{seconds / len(sample) * 1000:5.0f} ms per clip ({cpu / len(sample) * 1000:4.0f} ms CPU)")


class FirstAudio:
    """Notes when the first audio chunk of an answer and the end of its turn arrive."""

    def __init__(self):
        self.first_audio = threading.Event()
        self.turn_done = threading.Event()
        self.at = 0.0

    def audio(self, chunk: bytes) -> None:
        if not self.first_audio.is_set():
            self.at = time.perf_counter()
            self.first_audio.set()

    def event(self, event: dict) -> None:
        if event.get("event") == "transcript" and event["sender"] == "agent":
            self.turn_done.set()


def ask(app, widget_id: int, synthesizer, pcm: bytes) -> float | None:
    """Speak `pcm` into a new visitor's call in real time; seconds from the end of speech to the first answer audio."""
    session_id, _token = new_session(app, widget_id)
    probe = FirstAudio()
    with app.app_context():
        recognizer = open_recognizer(app.config, db.session.get(Widget, widget_id), app.instance_path)
    call = VoiceCall(app, session_id, recognizer, synthesizer, probe.audio, probe.event, playback_lead=60.0)
    try:
        started = time.perf_counter()
        frames = chunks(silence(0.3) + pcm, INPUT_FRAME_BYTES)
        for index, frame in enumerate(frames):
            delay = started + index * INPUT_FRAME_MS / 1000 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            call.hear(frame)
        end_of_speech = time.perf_counter()
        for index, frame in enumerate(chunks(silence(3.0), INPUT_FRAME_BYTES)):
            if probe.first_audio.is_set():
                break
            delay = end_of_speech + (index + 1) * INPUT_FRAME_MS / 1000 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            call.hear(frame)
        answered = probe.first_audio.wait(10)
        probe.turn_done.wait(10)
        return probe.at - end_of_speech if answered else None
    finally:
        call.hang_up()


def latency(app, widget_id: int, sample: list) -> None:
    synthesizer = open_synthesizer(app.config)
    # A first call loads the agent's embedding model and warms the caches: not counted.
    ask(app, widget_id, synthesizer, sample[0][-1])
    single = [ask(app, widget_id, synthesizer, pcm) for *_, pcm in sample]
    answered = [s for s in single if s is not None]
    print(f"end of speech -> first audio, one call:  p50 {percentile(answered, 50) * 1000:5.0f} ms   "
          f"p95 {percentile(answered, 95) * 1000:5.0f} ms   ({len(answered)} of {len(single)} answered aloud)")
    together: list[float] = []

    def caller(index: int) -> None:
        for *_, pcm in sample[index::CALLS]:
            result = ask(app, widget_id, synthesizer, pcm)
            if result is not None:
                together.append(result)

    threads = [threading.Thread(target=caller, args=(index,)) for index in range(CALLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"end of speech -> first audio, {CALLS} calls at once:  p50 {percentile(together, 50) * 1000:5.0f} ms   "
          f"p95 {percentile(together, 95) * 1000:5.0f} ms   ({len(together)} answered aloud)")


def chat_echo_under_calls(database_url: str, folder: str, sessions: list, sample: list) -> None:
    from tests.support.live_server import gunicorn_server
    from tests.support.sockets import VOICE_SOCKET, frames_until, send, widget_socket

    with gunicorn_server(database_url, folder, AURION_LIMIT_MESSAGE="100000/minute") as server, ExitStack() as stack:
        chat = stack.enter_context(widget_socket(server, sessions[CALLS][1]))
        done = threading.Event()

        def speaker(index: int) -> None:
            with widget_socket(server, sessions[index][1], path=VOICE_SOCKET) as voice:
                while not done.is_set():
                    for *_, pcm in sample[index::CALLS]:
                        for frame in chunks(silence(0.3) + pcm + silence(2.0), INPUT_FRAME_BYTES):
                            if done.is_set():
                                return
                            voice.send(frame)
                            time.sleep(INPUT_FRAME_MS / 1000)

        threads = [threading.Thread(target=speaker, args=(index,), daemon=True) for index in range(CALLS)]
        for thread in threads:
            thread.start()
        time.sleep(2.0)
        round_trips = []
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            start = time.perf_counter()
            send(chat, {"type": "ping"})
            frames_until(chat, lambda f: f["type"] == "pong", timeout=20)
            round_trips.append((time.perf_counter() - start) * 1000)
            time.sleep(0.1)
        done.set()
        for thread in threads:
            thread.join(5)
    print(f"chat socket ping -> pong while {CALLS} calls speak (gunicorn + gevent, one worker):  "
          f"p50 {percentile(round_trips, 50):5.0f} ms   p99 {percentile(round_trips, 99):5.0f} ms   ({len(round_trips)} pings)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=1, help="score every K-th held-out clip (1: all 176)")
    parser.add_argument("--latency-clips", type=int, default=20, help="held-out clips spoken into calls for the latency figures")
    parser.add_argument("--skip-accuracy", action="store_true", help="leave out the word error rates (the slowest part)")
    parser.add_argument("--skip-server", action="store_true", help="leave out the gunicorn chat-echo measurement")
    parser.add_argument("--model-dir", default="", help="another CTranslate2 Whisper model, as AURION_STT_MODEL_DIR (default: the bundled tiny.en)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app, database_url, widget_id, sessions = build_app(folder, CALLS + 1, args.model_dir)
        every = clips()
        if not args.skip_accuracy:
            accuracy(app, widget_id, every[:: args.sample])
        spread = every[:: max(1, len(every) // args.latency_clips)][: args.latency_clips]
        latency(app, widget_id, spread)
        if not args.skip_server:
            chat_echo_under_calls(database_url, folder, sessions, spread)


if __name__ == "__main__":
    main()
