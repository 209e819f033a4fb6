"""Which recognition and synthesis engines a call uses, from the app's settings.

Offline by default (pocketsphinx and espeak-ng, both from PyPI wheels: no model
download at run time); an OpenAI-compatible endpoint for either when its base URL
is set (`AURION_STT_BASE_URL`, `AURION_TTS_BASE_URL`).
"""

import os
from collections.abc import Mapping

from aurion.models import Widget
from aurion.voice.language_model import widget_model
from aurion.voice.recognition import Recognizer, SphinxRecognizer, TranscriptionEndpoint
from aurion.voice.synthesis import EspeakSynthesizer, SpeechEndpoint, Synthesizer


def open_recognizer(settings: Mapping, widget: Widget, instance_path: str) -> Recognizer:
    """A recogniser for one call to `widget`."""
    if settings.get("AURION_STT_BASE_URL"):
        return TranscriptionEndpoint(
            settings["AURION_STT_BASE_URL"],
            settings.get("AURION_STT_API_KEY", ""),
            settings.get("AURION_STT_MODEL") or "whisper-1",
        )
    return SphinxRecognizer(widget_model(widget, os.path.join(instance_path, "voice-models")))


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
            from pocketsphinx import get_model_path

            if not os.path.isdir(os.path.join(get_model_path(), "en-us")):
                return False, "pocketsphinx is installed without its English model; reinstall it."
        except ImportError:
            return False, (
                "Offline speech recognition is missing: install the voice extra, pip install 'aurion[voice]' "
                "(or set AURION_STT_BASE_URL)."
            )
        parts.append("offline recognition (pocketsphinx)")
    if settings.get("AURION_TTS_BASE_URL"):
        parts.append(f"synthesis by {settings['AURION_TTS_BASE_URL']}")
    else:
        try:
            EspeakSynthesizer()
        except (ImportError, OSError, RuntimeError) as exc:
            return False, f"Offline speech synthesis does not load ({exc}): install the voice extra, pip install 'aurion[voice]'."
        parts.append("offline synthesis (espeak-ng)")
    return True, "Embedded voice over the widget's voice socket: " + " and ".join(parts) + "."
