"""Audio framing and formats, and the OpenAI-compatible speech engines against a loopback server."""

import struct

import numpy as np
import pytest

from aurion.voice.audio import (
    BYTES_PER_SECOND,
    INPUT_FRAME_BYTES,
    OUTPUT_CHUNK_BYTES,
    FrameBuffer,
    chunks,
    duration,
    from_wav,
    level,
    resample,
    to_wav,
)
from aurion.voice.engines import open_recognizer, open_synthesizer
from aurion.voice.recognition import TranscriptionEndpoint
from aurion.voice.synthesis import SpeechEndpoint
from tests.support.speech_server import SpeechServer, streaming_wav


def test_frame_sizes_are_the_documented_ones():
    assert (INPUT_FRAME_BYTES, OUTPUT_CHUNK_BYTES, BYTES_PER_SECOND) == (640, 3200, 32000)


def test_frame_buffer_recuts_pieces_of_any_length_into_whole_frames():
    pcm = bytes(range(256)) * 10  # 2,560 bytes
    buffer = FrameBuffer(960)
    frames = []
    for size in (1, 639, 641, 3, 1000, 276):
        piece, pcm = pcm[:size], pcm[size:]
        frames += buffer.push(piece)
    assert [len(f) for f in frames] == [960, 960]
    assert b"".join(frames) == (bytes(range(256)) * 10)[:1920]
    assert buffer.flush() == (bytes(range(256)) * 10)[1920:2560]
    assert buffer.push(b"") == [] and buffer.flush() == b""


def test_frame_buffer_drops_a_trailing_half_sample_on_flush():
    buffer = FrameBuffer(640)
    buffer.push(b"\x01\x02\x03")
    assert buffer.flush() == b"\x01\x02"


@pytest.mark.parametrize("frame_bytes", [0, -2, 641])
def test_frame_buffer_refuses_frames_that_are_not_whole_samples(frame_bytes):
    with pytest.raises(ValueError):
        FrameBuffer(frame_bytes)


def test_chunks_and_duration():
    pcm = bytes(BYTES_PER_SECOND + 100)
    pieces = chunks(pcm)
    assert [len(p) for p in pieces] == [OUTPUT_CHUNK_BYTES] * 10 + [100]
    assert duration(pcm) == pytest.approx(1.0 + 100 / BYTES_PER_SECOND)


def test_resample_keeps_duration_and_pitch():
    rate = 22_050
    tone = (np.sin(np.arange(rate) * 2 * np.pi * 440 / rate) * 10000).astype("<i2").tobytes()
    out = np.frombuffer(resample(tone, rate), dtype="<i2")
    assert len(out) == 16_000
    crossings = np.count_nonzero(np.diff(np.signbit(out.astype(np.int32))))
    assert crossings == pytest.approx(880, abs=4)


def test_wav_round_trip_and_level():
    pcm = (np.ones(1600) * 16384).astype("<i2").tobytes()
    assert from_wav(to_wav(pcm)) == pcm
    assert level(pcm) == pytest.approx(0.5) and level(b"") == 0.0


def test_from_wav_reads_streaming_stereo_and_other_rates():
    assert len(from_wav(streaming_wav(0.5))) == BYTES_PER_SECOND // 2
    stereo = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 44, b"WAVE", b"fmt ", 16, 1, 2, 16000, 64000, 4, 16, b"data", 8)
    assert from_wav(stereo + struct.pack("<4h", 100, 300, -100, -300)) == struct.pack("<2h", 200, -200)
    with pytest.raises(ValueError):
        from_wav(b"RIFF\x00\x00\x00\x00WAVEjunk")


def test_openai_compatible_engines_speak_the_wire_format(app, make_tenant):
    widget = make_tenant("acme")[1]
    with SpeechServer("How long do refunds take?") as server:
        settings = {
            "AURION_STT_BASE_URL": server.base_url,
            "AURION_STT_API_KEY": "sk-test",
            "AURION_STT_MODEL": "whisper-1",
            "AURION_TTS_BASE_URL": server.base_url,
            "AURION_TTS_MODEL": "tts-1",
            "AURION_TTS_VOICE": "alloy",
        }
        recognizer = open_recognizer(settings, widget, app.instance_path)
        synthesizer = open_synthesizer(settings)
        assert isinstance(recognizer, TranscriptionEndpoint) and isinstance(synthesizer, SpeechEndpoint)
        assert recognizer.transcribe(bytes(16000)) == "How long do refunds take?"
        audio = synthesizer.synthesize("Twenty characters!!!")
    assert len(audio) == BYTES_PER_SECOND  # 20 characters × 0.05 s, resampled from 24 kHz
    upload, speech = server.requests
    assert upload["path"] == "/v1/audio/transcriptions" and upload["headers"]["Authorization"] == "Bearer sk-test"
    assert upload["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="model"\r\n\r\nwhisper-1' in upload["body"] and b"RIFF" in upload["body"]
    assert speech["path"] == "/v1/audio/speech" and "Authorization" not in speech["headers"]
    assert b'"voice": "alloy"' in speech["body"] and b'"response_format": "wav"' in speech["body"]
