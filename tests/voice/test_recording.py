"""The recorder's timeline and its crash safety, on a clock the test moves."""

import shutil

import numpy as np
import soundfile

from aurion.voice.recording import CallRecorder
from tests.support.calls import loudness

FRAME = (np.sin(np.arange(320) * 0.2) * 8000).astype("<i2").tobytes()  # 20 ms of tone


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_both_sides_land_where_they_were_heard_and_the_file_lasts_the_call(tmp_path):
    clock = Clock()
    recorder = CallRecorder(tmp_path / "call.ogg", clock=clock)
    for step in range(200):  # 4 s of call in 20 ms steps
        clock.now = (step + 1) * 0.02
        if clock.now <= 1.0:
            recorder.heard(FRAME)
        if step == 100:  # at 2 s the agent's whole second arrives at once, sent ahead
            recorder.said(FRAME * 50)
    recorder.close()

    audio, rate = soundfile.read(tmp_path / "call.ogg", dtype="int16")
    assert len(audio) / rate == 4.0
    assert loudness(audio, 0.1, 0.9) > 1000
    assert loudness(audio, 1.2, 1.8) < 50
    assert loudness(audio, 2.1, 2.9) > 1000
    assert loudness(audio, 3.2, 4.0) < 50


def test_a_call_cut_off_mid_way_leaves_a_playable_file_missing_only_its_last_seconds(tmp_path):
    clock = Clock()
    recorder = CallRecorder(tmp_path / "call.ogg", clock=clock)
    for step in range(500):  # 10 s
        clock.now = (step + 1) * 0.02
        recorder.heard(FRAME)
    # What a crash now would leave on disk.
    shutil.copy(tmp_path / "call.ogg", tmp_path / "crashed.ogg")
    audio, rate = soundfile.read(tmp_path / "crashed.ogg", dtype="int16")
    assert 10.0 - 3.0 <= len(audio) / rate <= 10.0
    recorder.close()


def test_a_backlog_of_the_microphone_keeps_its_place_and_a_muted_one_resumes_on_time(tmp_path):
    clock = Clock()
    recorder = CallRecorder(tmp_path / "call.ogg", clock=clock)
    clock.now = 1.5  # the server was busy opening the call: 1.5 s of microphone audio waits
    for _ in range(75):
        recorder.heard(FRAME)
    for step in range(25):  # then it flows at its pace: 0.5 s more, to 2 s
        clock.now = 1.5 + (step + 1) * 0.02
        recorder.heard(FRAME)
    clock.now = 4.0  # muted for 2 s, then 1 s more of speech
    for step in range(50):
        clock.now = 4.0 + (step + 1) * 0.02
        recorder.heard(FRAME)
    recorder.close()

    audio, rate = soundfile.read(tmp_path / "call.ogg", dtype="int16")
    assert len(audio) / rate == 5.0
    assert loudness(audio, 0.1, 1.9) > 1000
    assert loudness(audio, 2.2, 3.8) < 50
    assert loudness(audio, 4.1, 4.9) > 1000
