"""A loopback server that speaks OpenAI's audio wire format: `/audio/transcriptions` and `/audio/speech`.

It stands in for a hosted speech service, which cannot be reached from here: same
paths, multipart upload in, `{"text"}` out; JSON in, a WAV file out (24 kHz, with
the placeholder sizes streaming servers write). It records each request.
"""

import json
import struct

from tests.support.loopback import LoopbackServer, QuietHandler

SPEECH_RATE = 24_000


def streaming_wav(seconds: float, rate: int = SPEECH_RATE) -> bytes:
    """A 440 Hz tone as a WAV whose sizes are unknown (0xFFFFFFFF), as a streaming server sends it."""
    import numpy as np

    samples = (np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 440 / rate) * 8000).astype("<i2").tobytes()
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI", b"RIFF", 0xFFFFFFFF, b"WAVE", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16, b"data", 0xFFFFFFFF
    )
    return header + samples


class SpeechServer(LoopbackServer):
    """Transcribes every upload as `transcript`; speaks every input as 0.05 s of tone per character."""

    def __init__(self, transcript: str):
        self.transcript = transcript
        self.requests: list[dict] = []
        server = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if self.path.endswith("/audio/transcriptions"):
                    payload, content_type = json.dumps({"text": server.transcript}).encode(), "application/json"
                elif self.path.endswith("/audio/speech"):
                    payload, content_type = streaming_wav(0.05 * len(json.loads(body)["input"])), "audio/wav"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        super().__init__(Handler)
