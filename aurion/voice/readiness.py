"""The voice backend's line in the GA-readiness report: LiveKit reachable, or the embedded engines loadable."""

from collections.abc import Mapping
from urllib.error import URLError
from urllib.request import urlopen

from flask import Flask

from aurion.models import Widget
from aurion.services.readiness import Check, add_check
from aurion.voice.engines import engines_status


def livekit_reachable(url: str, timeout: float = 2.0) -> bool:
    """Whether the LiveKit server at `url` (ws:// or wss://) answers HTTP at all."""
    http_url = url.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
    try:
        with urlopen(http_url, timeout=timeout):
            return True
    except URLError as exc:
        # An HTTP error status still proves a server is listening.
        return hasattr(exc, "code")
    except (OSError, ValueError):
        return False


def voice_backend(widget: Widget, settings: Mapping) -> Check:
    """Whether the widget's visitors can talk: voice off, LiveKit answering, or the offline engines there."""
    if "voice" not in widget.modes:
        return Check("voice_backend", True, "Voice mode is off; no voice backend is needed.")
    url = settings.get("LIVEKIT_URL")
    if url and settings.get("LIVEKIT_API_KEY") and settings.get("LIVEKIT_API_SECRET"):
        if livekit_reachable(url):
            return Check("voice_backend", True, f"The LiveKit server at {url} answers.")
        return Check("voice_backend", False, f"The LiveKit server at {url} does not answer; check LIVEKIT_URL.")
    if url:
        return Check("voice_backend", False, "LIVEKIT_URL is set but LIVEKIT_API_KEY or LIVEKIT_API_SECRET is not.")
    ok, detail = engines_status(settings)
    return Check("voice_backend", ok, detail)


def init_app(app: Flask) -> None:
    add_check(app, voice_backend)
