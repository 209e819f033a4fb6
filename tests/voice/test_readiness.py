"""GA readiness reports the voice backend the widget would really use."""

from aurion.services.readiness import ga_readiness
from aurion.voice.recognition import MODEL_SHA256
from tests.support.live_server import free_port


def voice_check(widget, settings) -> dict:
    return next(c for c in ga_readiness(widget, settings)["checks"] if c["name"] == "voice_backend")


def test_embedded_voice_is_available_when_its_engines_load(widget):
    check = voice_check(widget, {})
    assert check["ok"] is True
    assert "Whisper tiny.en" in check["detail"] and "espeak-ng" in check["detail"]
    check = voice_check(widget, {"AURION_STT_ENGINE": "pocketsphinx"})
    assert check["ok"] is True and "pocketsphinx" in check["detail"]


def test_a_tampered_recognition_model_turns_voice_off(widget, tmp_path):
    # The readiness report names what is wrong (tests/voice/test_recognition.py checks the whole message).
    (tmp_path / "model.bin").write_bytes(b"not the model")
    check = voice_check(widget, {"AURION_STT_MODEL_DIR": str(tmp_path), "AURION_STT_MODEL_SHA256": MODEL_SHA256})
    assert check["ok"] is False and "not the file Aurion was released with" in check["detail"]


def test_configured_speech_endpoints_are_named(widget):
    check = voice_check(widget, {"AURION_STT_BASE_URL": "http://stt.local/v1", "AURION_TTS_BASE_URL": "http://tts.local/v1"})
    assert check["ok"] is True
    assert "http://stt.local/v1" in check["detail"] and "http://tts.local/v1" in check["detail"]


def test_unreachable_livekit_server_is_not_ready(widget):
    settings = {"LIVEKIT_URL": f"ws://127.0.0.1:{free_port()}", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"}
    check = voice_check(widget, settings)
    assert check["ok"] is False and "does not answer" in check["detail"]


def test_half_configured_livekit_is_not_ready(widget):
    check = voice_check(widget, {"LIVEKIT_URL": "wss://lk.example.test"})
    assert check["ok"] is False and "LIVEKIT_API_KEY" in check["detail"]


def test_voice_mode_off_needs_no_backend(widget):
    widget.modes = ["chat"]
    assert voice_check(widget, {})["ok"] is True
