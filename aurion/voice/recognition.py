"""Speech recognition: one utterance of 16 kHz PCM16 in, its words out.

`SphinxRecognizer` (the default) decodes offline with pocketsphinx and the widget's
own language model (see `language_model`). `TranscriptionEndpoint` sends the
utterance as WAV to any OpenAI-compatible `POST /audio/transcriptions`.
"""

import json
import secrets
from typing import Protocol
from urllib.request import Request, urlopen

from aurion.engines.cpu_pool import run_cpu
from aurion.voice.audio import SAMPLE_RATE, to_wav
from aurion.voice.language_model import ModelFiles


class Recognizer(Protocol):
    def transcribe(self, pcm: bytes) -> str:
        """The words spoken in `pcm` (one utterance), or "" when none were recognised."""


class SphinxRecognizer:
    """pocketsphinx with a widget's model. One per call: a decoder serves one utterance at a time."""

    def __init__(self, model: ModelFiles):
        from pocketsphinx import Decoder

        # Loading the model and decoding are CPU-bound: off the gevent loop (aurion.engines.cpu_pool).
        self._decoder = run_cpu(
            Decoder, samprate=SAMPLE_RATE, lm=model.language_model, dict=model.dictionary, logfn="/dev/null"
        )

    def transcribe(self, pcm: bytes) -> str:
        return run_cpu(self._decode, pcm)

    def _decode(self, pcm: bytes) -> str:
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()
        hypothesis = self._decoder.hyp()
        return hypothesis.hypstr.strip() if hypothesis is not None and hypothesis.hypstr else ""


def multipart_form(fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data request; files are (name, type, bytes)."""
    boundary = "aurion-" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content_type, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class TranscriptionEndpoint:
    """An OpenAI-compatible `POST {base_url}/audio/transcriptions` (Whisper and its many work-alikes)."""

    def __init__(self, base_url: str, api_key: str, model: str, timeout: float = 20):
        self.url = base_url.rstrip("/") + "/audio/transcriptions"
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    def transcribe(self, pcm: bytes) -> str:
        body, content_type = multipart_form(
            {"model": self.model, "response_format": "json"}, {"file": ("speech.wav", "audio/wav", to_wav(pcm))}
        )
        headers = {"Content-Type": content_type}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        with urlopen(Request(self.url, data=body, headers=headers, method="POST"), timeout=self.timeout) as response:
            return str(json.loads(response.read()).get("text", "")).strip()
