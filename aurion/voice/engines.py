"""Which recognition and synthesis engines a call uses, from the app's settings.

Offline by default (Whisper through faster-whisper, or pocketsphinx with
`AURION_STT_ENGINE=pocketsphinx`, and espeak-ng; all from PyPI wheels: no model
download at run time); an OpenAI-compatible endpoint for either when its base URL
is set (`AURION_STT_BASE_URL`, `AURION_TTS_BASE_URL`).
"""

import importlib.util
import os
from collections.abc import Mapping

from aurion.models import Widget
from aurion.services.knowledge import list_articles
from aurion.voice.language_model import widget_model
from aurion.voice.recognition import (
    ModelRefused,
    Recognizer,
    SphinxRecognizer,
    TranscriptionEndpoint,
    WhisperRecognizer,
    recognition_prompt,
    shared_whisper,
    verify_model,
    whisper_model_files,
)
from aurion.voice.synthesis import EspeakSynthesizer, SpeechEndpoint, Synthesizer


def recognition_engine(settings: Mapping) -> str:
    """The offline recogniser: `whisper` (the default) or `pocketsphinx` (`AURION_STT_ENGINE`)."""
    return "pocketsphinx" if (settings.get("AURION_STT_ENGINE") or "").lower() == "pocketsphinx" else "whisper"


def open_recognizer(settings: Mapping, widget: Widget, instance_path: str) -> Recognizer:
    """A recogniser for one call to `widget` (Whisper's model itself is shared by every call of the process)."""
    if settings.get("AURION_STT_BASE_URL"):
        return TranscriptionEndpoint(
            settings["AURION_STT_BASE_URL"],
            settings.get("AURION_STT_API_KEY", ""),
            settings.get("AURION_STT_MODEL") or "whisper-1",
        )
    if recognition_engine(settings) == "pocketsphinx":
        return SphinxRecognizer(widget_model(widget, os.path.join(instance_path, "voice-models")))
    articles = list_articles(widget)
    prompt = recognition_prompt([article.title for article in articles], [article.body for article in articles])
    return WhisperRecognizer(shared_whisper(whisper_model_files(settings)), prompt)


def open_synthesizer(settings: Mapping) -> Synthesizer:
    """The voice the agent speaks with."""
    if settings.get("AURION_TTS_BASE_URL"):
        return SpeechEndpoint(
            settings["AURION_TTS_BASE_URL"],
            settings.get("AURION_TTS_API_KEY", ""),
            settings.get("AURION_TTS_MODEL") or "tts-1",
            settings.get("AURION_TTS_VOICE") or "alloy",
        )
    return EspeakSynthesizer(settings.get("AURION_TTS_VOICE") or "en-us")


def engines_status(settings: Mapping) -> tuple[bool, str]:
    """(ok, what an admin reads): whether the configured engines are there to use."""
    parts = []
    if settings.get("AURION_STT_BASE_URL"):
        parts.append(f"recognition by {settings['AURION_STT_BASE_URL']}")
    else:
        try:
            # pocketsphinx detects speech (each turn's end) whichever engine recognises it.
            from pocketsphinx import get_model_path

            if not os.path.isdir(os.path.join(get_model_path(), "en-us")):
                return False, "pocketsphinx is installed without its English model; reinstall it."
        except ImportError:
            return False, (
                "Offline speech recognition is missing: install the voice extra, pip install 'aurion[voice]' "
                "(or set AURION_STT_BASE_URL)."
            )
        if recognition_engine(settings) == "pocketsphinx":
            parts.append("offline recognition (pocketsphinx)")
        else:
            if importlib.util.find_spec("faster_whisper") is None:
                return False, "faster-whisper is missing: install the voice extra, pip install 'aurion[voice]'."
            try:
                verify_model(whisper_model_files(settings))
            except ModelRefused as refused:
                return False, str(refused)
            parts.append(f"offline recognition (Whisper {settings.get('AURION_STT_MODEL_DIR') or 'tiny.en'})")
    if settings.get("AURION_TTS_BASE_URL"):
        parts.append(f"synthesis by {settings['AURION_TTS_BASE_URL']}")
    else:
        try:
            EspeakSynthesizer()
        except (ImportError, OSError, RuntimeError) as exc:
            return False, f"Offline speech synthesis does not load ({exc}): install the voice extra, pip install 'aurion[voice]'."
        parts.append("offline synthesis (espeak-ng)")
    return True, "Embedded voice over the widget's voice socket: " + " and ".join(parts) + "."
