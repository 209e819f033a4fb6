"""A call's recording: both sides mixed into one mono track, encoded as Opus in Ogg as the call goes.

Opus at 16 kHz speech costs about 3.1 KB a second (11 MB an hour, against 115 MB of
raw PCM; `bench/bench_recording.py`). libsndfile (through `soundfile`, whose wheels bundle it with Ogg and Opus)
writes an Ogg page about every second, so a process that dies mid-call leaves a
playable file short of at most the last second or two, plus `HOLD` below.

Mixing is on a timeline of the call's wall clock, from the moment the call opened.
The visitor's microphone is a stream: its pieces follow each other back to back, even
when they arrive in a burst, until it stops (muted) and starts again at the time it
does. What the agent says starts when it is sent, or after what was sent before it
(answers go out a little ahead of real time). Gaps are silence.
"""

import threading
import time
from pathlib import Path

import numpy as np

from aurion.voice.audio import SAMPLE_RATE

# Audio is held this long before it is encoded, so the other side's audio for the same
# moment, arriving a little later, is still mixed in.
HOLD = 1.0
# A microphone stream lagging real time by more than this (seconds), at its normal pace, was muted.
CATCH_UP = 1.0
# Encode in pieces at least this long: fewer, fuller writes.
WRITE_EVERY = 0.5
CONTENT_TYPE = "audio/ogg"


class CallRecorder:
    """Mixes the visitor's and the agent's audio into one Ogg Opus file at `path`. Thread-safe."""

    def __init__(self, path: Path, started: float | None = None, clock=time.monotonic):
        """`started`: the call's start on `clock`, if before now; the timeline counts from it."""
        import soundfile

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = soundfile.SoundFile(path, "x", samplerate=SAMPLE_RATE, channels=1, format="OGG", subtype="OPUS")
        self._clock = clock
        self._started = clock() if started is None else started
        self._lock = threading.Lock()
        # Samples from `_written` on, not yet encoded; int32 so that sums do not wrap.
        self._pending = np.zeros(0, dtype=np.int32)
        self._written = 0
        self._cursors: dict[str, int] = {}
        # When the visitor's last piece arrived, and its length (in samples).
        self._heard_at: int | None = None
        self._heard_length = 0
        self._closed = False

    def _now(self) -> int:
        return int((self._clock() - self._started) * SAMPLE_RATE)

    def heard(self, pcm: bytes) -> None:
        """The visitor's microphone audio (PCM16 mono 16 kHz), just received.

        The microphone's pieces follow each other back to back, also when they arrive in a
        burst (the server was busy: opening the call, recognising speech). Only a piece that
        arrives at its normal pace while the stream lags real time by over `CATCH_UP` (the
        microphone was muted: the client sent nothing) starts a new run, ending now.
        """
        samples = np.frombuffer(pcm, dtype="<i2")
        with self._lock:
            if self._closed or not len(samples):
                return
            now = self._now()
            start = self._cursors.get("visitor", 0)
            in_burst = self._heard_at is None or now - self._heard_at < self._heard_length // 2
            if not in_burst and now - len(samples) - start > CATCH_UP * SAMPLE_RATE:
                start = now - len(samples)
            self._heard_at, self._heard_length = now, len(samples)
            self._place("visitor", samples, start, now)

    def said(self, pcm: bytes) -> None:
        """The agent's audio, being sent: it starts playing now, or after what was sent before it."""
        samples = np.frombuffer(pcm, dtype="<i2")
        with self._lock:
            if self._closed or not len(samples):
                return
            now = self._now()
            self._place("agent", samples, max(self._cursors.get("agent", 0), now), now)

    def _place(self, side: str, samples: np.ndarray, start: int, now: int) -> None:
        start = max(start, self._written)
        end = start + len(samples)
        self._cursors[side] = end
        if end - self._written > len(self._pending):
            self._pending = np.concatenate([self._pending, np.zeros(end - self._written - len(self._pending), np.int32)])
        self._pending[start - self._written : end - self._written] += samples
        horizon = now - int(HOLD * SAMPLE_RATE)
        if self._heard_at is not None and now - self._heard_at <= CATCH_UP * SAMPLE_RATE:
            # A live microphone behind real time (a backlog being read) still owes that audio.
            horizon = min(horizon, self._cursors["visitor"])
        if horizon - self._written >= WRITE_EVERY * SAMPLE_RATE:
            self._write_until(horizon)

    def _write_until(self, position: int) -> None:
        count = position - self._written
        if count <= 0:
            return
        if count > len(self._pending):
            self._pending = np.concatenate([self._pending, np.zeros(count - len(self._pending), np.int32)])
        mixed = np.clip(self._pending[:count], -32768, 32767).astype("<i2")
        self._file.buffer_write(mixed.tobytes(), dtype="int16")
        self._pending = self._pending[count:]
        self._written = position

    def close(self) -> int:
        """Finish the file at the call's length (what the other side still had queued is cut); returns its size."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._write_until(self._now())
                self._file.close()
        return self.path.stat().st_size
