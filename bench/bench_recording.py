"""Benchmark call recordings: the bytes an hour costs, and the CPU the mixing and encoding take.

Run from the repository root: ``python bench/bench_recording.py [MINUTES]`` (default 10).

A call of MINUTES minutes is recorded through `CallRecorder` on a clock the script
moves: the visitor's microphone sends 20 ms frames (an espeak-ng question, then
silence while the agent answers), the agent's answer goes out in 100 ms chunks, as in
a real call. It prints the file's size per second and per hour of call, and the CPU
time per second of call (what one call costs a gunicorn worker).
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aurion.voice.audio import BYTES_PER_SECOND, INPUT_FRAME_BYTES, OUTPUT_CHUNK_BYTES, chunks  # noqa: E402
from aurion.voice.recording import CallRecorder  # noqa: E402
from aurion.voice.synthesis import EspeakSynthesizer  # noqa: E402


def main(minutes: float) -> None:
    speech = EspeakSynthesizer()
    question = speech.synthesize("How do I reset my password? I cannot sign in since yesterday.")
    answer = speech.synthesize("Click forgot password on the sign-in page and we email you a reset link. It is valid for one hour.")
    now = [0.0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "call.ogg"
        recorder = CallRecorder(path, clock=lambda: now[0])
        cpu = time.process_time()
        frames_per_chunk = OUTPUT_CHUNK_BYTES // INPUT_FRAME_BYTES
        while now[0] < minutes * 60:
            # One turn: the visitor asks; then the agent answers while the microphone sends silence.
            microphone = chunks(question + bytes(len(answer)), INPUT_FRAME_BYTES)
            agent = chunks(answer, OUTPUT_CHUNK_BYTES)
            asked = len(question) // INPUT_FRAME_BYTES
            for step, frame in enumerate(microphone):
                now[0] += len(frame) / BYTES_PER_SECOND
                recorder.heard(frame)
                answering = step - asked
                if answering >= 0 and answering % frames_per_chunk == 0 and answering // frames_per_chunk < len(agent):
                    recorder.said(agent[answering // frames_per_chunk])
        size = recorder.close()
        cpu = time.process_time() - cpu
    seconds = now[0]
    print(f"call: {seconds / 60:.1f} min")
    print(f"size: {size / seconds:,.0f} B/s, {size / seconds * 3600 / 1e6:.1f} MB/hour (raw PCM: {BYTES_PER_SECOND * 3600 / 1e6:.0f} MB/hour)")
    print(f"cpu:  {cpu / seconds * 1000:.1f} ms per second of call (real-time factor {cpu / seconds:.4f})")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10)
