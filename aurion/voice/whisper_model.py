"""faster-whisper's `WhisperModel`, encoding an utterance that fits in 15 s in half of Whisper's window.

Whisper's encoder reads a fixed 30 s window of log-mel features; faster-whisper pads a
short utterance's features with zeros to fill it, and the encoder's work on that
padding is most of a decode (tiny.en on 2 cores: 0.41 s for 30 s, 0.10 s for 15 s).
Here an utterance shorter than 15 s is followed by silence up to 15 s, and the encoder
reads those 15 s alone.

Why silence, and why 15 s: cut right after the speech (with or without a little silence
or zero features after it), tiny.en hears the words well but does not stop: it says them
again, two or three times. With 15 s of real audio, speech then silence, it mostly
stops. On the voice bench's 48 tuning clips: 4.2 % word errors with the 15 s window,
against 11.7 % with the 30 s one, and 7.8-9.0 % at 14, 16 and 18 s, where a misheard
question was still said over again. The recogniser catches that case (`repeats_itself`
in `aurion.voice.recognition`) and decodes it again in the whole window. Held-out
figures are in bench/README.md.

Imported only when a Whisper model is loaded: faster-whisper is a heavy import.
"""

import copy

import numpy as np
from faster_whisper import WhisperModel

from aurion.voice.audio import SAMPLE_RATE

SHORT_WINDOW = 15.0


class ShortWindowWhisper(WhisperModel):
    """A `WhisperModel` whose `transcribe` encodes utterances shorter than `SHORT_WINDOW` in that much audio."""

    short_window = True

    def whole_window(self) -> "ShortWindowWhisper":
        """The same loaded model (shared, not copied), encoding every utterance in Whisper's 30 s window."""
        whole = copy.copy(self)
        whole.short_window = False
        return whole

    def transcribe(self, audio: np.ndarray, *args, **options):
        short = int(SHORT_WINDOW * SAMPLE_RATE)
        if self.short_window and len(audio) < short:
            audio = np.concatenate([audio, np.zeros(short - len(audio), dtype=audio.dtype)])
        return super().transcribe(audio, *args, **options)

    def encode(self, features):
        # faster-whisper pads the features to 30 s with zeros; past the short window, only zeros
        # mean the audio (padded with silence above) fits in it.
        frames = int(SHORT_WINDOW * self.frames_per_second)
        if self.short_window and features.shape[-1] > frames and not features[..., frames:].any():
            features = features[..., :frames]
        return super().encode(features)

