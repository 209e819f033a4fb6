"""Audio as the voice pipeline carries it: PCM16 mono at 16 kHz, cut into frames.

Everything inside the pipeline is raw little-endian signed 16-bit mono PCM at
16,000 samples per second: what pocketsphinx decodes and what the widget plays.
Engines that speak another rate (espeak-ng's 22,050 Hz, a hosted voice's 24 kHz)
are resampled at the edge with `resample`.
"""

import io
import struct

import numpy as np

SAMPLE_RATE = 16_000
SAMPLE_BYTES = 2
BYTES_PER_SECOND = SAMPLE_RATE * SAMPLE_BYTES
# The microphone frame the widget sends: 20 ms, 320 samples, 640 bytes.
INPUT_FRAME_MS = 20
INPUT_FRAME_BYTES = BYTES_PER_SECOND * INPUT_FRAME_MS // 1000
# The agent's audio goes out in 100 ms chunks: fewer socket frames, fine-grained enough to stop on barge-in.
OUTPUT_CHUNK_MS = 100
OUTPUT_CHUNK_BYTES = BYTES_PER_SECOND * OUTPUT_CHUNK_MS // 1000


class FrameBuffer:
    """Re-cuts audio that arrives in pieces of any length into frames of exactly `frame_bytes`.

    Sockets and microphones deliver whatever size they like (even an odd number of
    bytes when a sample straddles two messages); speech detection needs fixed frames.
    """

    def __init__(self, frame_bytes: int):
        if frame_bytes <= 0 or frame_bytes % SAMPLE_BYTES:
            raise ValueError("frame_bytes must be a positive whole number of samples")
        self.frame_bytes = frame_bytes
        self._pending = bytearray()

    def push(self, data: bytes) -> list[bytes]:
        """The whole frames now available; the remainder waits for the next push."""
        self._pending.extend(data)
        whole = len(self._pending) - len(self._pending) % self.frame_bytes
        frames = [bytes(self._pending[start : start + self.frame_bytes]) for start in range(0, whole, self.frame_bytes)]
        del self._pending[:whole]
        return frames

    def flush(self) -> bytes:
        """What is left (less than one frame), cut to whole samples, and empty the buffer."""
        rest = bytes(self._pending[: len(self._pending) - len(self._pending) % SAMPLE_BYTES])
        self._pending.clear()
        return rest


def chunks(pcm: bytes, chunk_bytes: int = OUTPUT_CHUNK_BYTES) -> list[bytes]:
    """`pcm` cut into chunks of `chunk_bytes` (the last may be shorter)."""
    return [pcm[start : start + chunk_bytes] for start in range(0, len(pcm), chunk_bytes)]


def duration(pcm: bytes) -> float:
    """Seconds of audio in 16 kHz PCM16 `pcm`."""
    return len(pcm) / BYTES_PER_SECOND


def resample(pcm: bytes, rate: int, target: int = SAMPLE_RATE) -> bytes:
    """PCM16 mono at `rate` resampled to `target` by linear interpolation.

    Good enough for speech going to a recogniser or a speaker; numpy only, since
    `audioop` is gone from Python 3.13.
    """
    if rate == target or not pcm:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    count = int(len(samples) * target / rate)
    positions = np.arange(count) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).round().astype("<i2").tobytes()


def level(pcm: bytes) -> float:
    """Loudness of `pcm` from 0.0 (silence) to 1.0 (full scale), as RMS."""
    if len(pcm) < SAMPLE_BYTES:
        return 0.0
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % SAMPLE_BYTES], dtype="<i2").astype(np.float32)
    return float(np.sqrt(np.mean(samples * samples)) / 32768.0)


def to_wav(pcm: bytes, rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit WAV file holding `pcm`."""
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1, 1, rate, rate * SAMPLE_BYTES, SAMPLE_BYTES, 16, b"data", len(pcm),
    )
    return header + pcm


def from_wav(data: bytes) -> bytes:
    """The audio of a 16-bit PCM WAV file as 16 kHz mono PCM16 (other rates and stereo converted).

    Tolerates the placeholder sizes (0 or 0xFFFFFFFF) that streaming servers write
    before they know the length: the data chunk then runs to the end of the file.
    """
    stream = io.BytesIO(data)
    riff, _, wave = struct.unpack("<4sI4s", stream.read(12))
    if riff != b"RIFF" or wave != b"WAVE":
        raise ValueError("not a WAV file")
    channels = rate = bits = None
    while True:
        header = stream.read(8)
        if len(header) < 8:
            raise ValueError("WAV file without a data chunk")
        kind, size = struct.unpack("<4sI", header)
        if kind == b"fmt ":
            fmt = stream.read(size)
            encoding, channels, rate = struct.unpack("<HHI", fmt[:8])
            bits = struct.unpack("<H", fmt[14:16])[0]
            if encoding != 1 or bits != 16:
                raise ValueError("only 16-bit PCM WAV is supported")
        elif kind == b"data":
            if channels is None:
                raise ValueError("WAV data before its format")
            body = stream.read() if size in (0, 0xFFFFFFFF) else stream.read(size)
            break
        else:
            stream.seek(size + size % 2, io.SEEK_CUR)
    body = body[: len(body) - len(body) % (SAMPLE_BYTES * channels)]
    if channels > 1:
        samples = np.frombuffer(body, dtype="<i2").reshape(-1, channels).mean(axis=1)
        body = samples.round().astype("<i2").tobytes()
    return resample(body, rate)
