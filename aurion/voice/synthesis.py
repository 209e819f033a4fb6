"""Speech synthesis: text in, 16 kHz PCM16 out.

`EspeakSynthesizer` (the default) speaks offline with the libespeak-ng that the
`espeakng-loader` wheel ships, driven through ctypes, so `pip install` is all it
needs. `SpeechEndpoint` calls any OpenAI-compatible `POST /audio/speech`.
"""

import ctypes
import json
import threading
from typing import Protocol
from urllib.request import Request, urlopen

from aurion.engines.cpu_pool import run_cpu
from aurion.voice.audio import from_wav, resample

# espeak-ng's C API (speak_lib.h).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_ESPEAK_RATE = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
# Words per minute: a little slower than espeak's 175, easier to follow on a phone speaker.
SPEAKING_RATE = 160


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> bytes:
        """`text` spoken, as 16 kHz mono PCM16."""


class _Espeak:
    """The process's one libespeak-ng. The library keeps global state, so every use holds the lock."""

    def __init__(self):
        import espeakng_loader

        self.lock = threading.Lock()
        self._library = ctypes.CDLL(espeakng_loader.get_library_path())
        self.rate = self._library.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0
        )
        if self.rate <= 0:
            raise RuntimeError("espeak-ng failed to initialise")
        self._pieces: list[bytes] = []
        # Kept on the instance: ctypes callbacks must outlive every call into the library.
        self._callback = _CALLBACK(self._collect)
        self._library.espeak_SetSynthCallback(self._callback)
        self._voice = None
        self._rate = None

    def _collect(self, samples, count, _events) -> int:
        if count > 0:
            self._pieces.append(ctypes.string_at(samples, count * 2))
        return 0

    def speak(self, text: str, voice: str, words_per_minute: int = SPEAKING_RATE) -> bytes:
        """`text` as PCM16 at `self.rate`, synthesised off the gevent loop (aurion.engines.cpu_pool)."""
        with self.lock:
            return run_cpu(self._speak, text, voice, words_per_minute)

    def _speak(self, text: str, voice: str, words_per_minute: int) -> bytes:
        """`speak`'s work, under the lock the caller holds (the library's state is global)."""
        encoded = text.encode("utf-8") + b"\0"
        if words_per_minute != self._rate:
            self._library.espeak_SetParameter(_ESPEAK_RATE, words_per_minute, 0)
            self._rate = words_per_minute
        if voice != self._voice:
            if self._library.espeak_SetVoiceByName(voice.encode()) != 0:
                raise ValueError(f"espeak-ng has no voice {voice!r}")
            self._voice = voice
        self._pieces = []
        self._library.espeak_Synth(
            ctypes.c_char_p(encoded), ctypes.c_size_t(len(encoded)), 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None
        )
        self._library.espeak_Synchronize()
        return b"".join(self._pieces)


_espeak: _Espeak | None = None
_espeak_lock = threading.Lock()


def _shared_espeak() -> _Espeak:
    global _espeak
    with _espeak_lock:
        if _espeak is None:
            _espeak = _Espeak()
        return _espeak


class EspeakSynthesizer:
    """Offline speech with espeak-ng (robotic, instant: about 0.001 s of work per second of speech)."""

    def __init__(self, voice: str = "en-us", words_per_minute: int = SPEAKING_RATE):
        self.voice = voice
        self.words_per_minute = words_per_minute
        self._engine = _shared_espeak()

    def synthesize(self, text: str) -> bytes:
        return run_cpu(resample, self._engine.speak(text, self.voice, self.words_per_minute), self._engine.rate)


class SpeechEndpoint:
    """An OpenAI-compatible `POST {base_url}/audio/speech`, asked for WAV and converted to 16 kHz."""

    def __init__(self, base_url: str, api_key: str, model: str, voice: str, timeout: float = 20):
        self.url = base_url.rstrip("/") + "/audio/speech"
        self.api_key = api_key
        self.model = model
        self.voice = voice
        self.timeout = timeout

    def synthesize(self, text: str) -> bytes:
        body = {"model": self.model, "input": text, "voice": self.voice, "response_format": "wav"}
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = Request(self.url, data=json.dumps(body).encode(), headers=headers, method="POST")
        with urlopen(request, timeout=self.timeout) as response:
            return from_wav(response.read())
