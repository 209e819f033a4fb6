"""Spoken test audio: support questions said by espeak-ng, as a microphone would send them."""

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
