"""`GET /api/v1/widget/voice?token=...`: the embedded voice transport, one socket per call.

A sibling of the chat socket `/widget/ws`, with the same handshake (a session bearer
token; 401 for a bad one, 403 for a disallowed Origin) plus 409 when the widget's
modes exclude voice. The chat socket stays open beside it: the visitor's and the
agent's voice turns arrive there as ordinary `message` frames (`mode: "voice"`), so
they appear in the one message list and typing works mid-call.

Framing:
- client → server, binary: microphone audio, raw PCM, signed 16-bit little-endian,
  mono, 16,000 Hz. Send 20 ms frames (320 samples, 640 bytes); any whole number of
  samples up to one second (32,000 bytes) per frame is accepted.
- server → client, binary: the agent's voice in the same format, in 100 ms chunks
  (3,200 bytes; the last of an answer may be shorter), sent at most
  `AURION_VOICE_PLAYBACK_LEAD` seconds ahead of real time.
- server → client, text: JSON events (see `aurion.voice.pipeline`): `state`
  (listening, thinking, speaking), `transcript`, `not_understood`, `barge_in`
  (stop playback and drop buffered audio), `error`, `pong`.
- client → server, text: `{"type": "ping"}`, `{"type": "hangup"}` (or just close).
"""

import json

from flask import Blueprint, current_app, g
from simple_websocket import ConnectionClosed

from aurion.api import spec
from aurion.extensions import sock
from aurion.models import WidgetSession
from aurion.problems import Problem
from aurion.realtime.socket import CLOSE_UNAUTHORIZED, Channel, authenticate_handshake
from aurion.timestamps import utcnow
from aurion.voice.audio import BYTES_PER_SECOND, SAMPLE_BYTES
from aurion.voice.engines import open_recognizer, open_synthesizer
from aurion.voice.pipeline import VoiceCall

bp = Blueprint("voice_socket", __name__, url_prefix="/api/v1/widget")
MAX_AUDIO_FRAME_BYTES = BYTES_PER_SECOND


def require_voice_mode() -> None:
    """409 before the upgrade when the widget's modes exclude voice."""
    if "voice" not in g.widget_session.widget.modes:
        raise Problem(409, "voice_disabled", "Voice is not among this widget's modes; enable it in the widget's config.")


bp.before_request(authenticate_handshake)
bp.before_request(require_voice_mode)


class _CallChannel(Channel):
    """The socket as the call's output; a socket closed by the visitor drops what is still being said."""

    def send_event(self, frame: dict) -> None:
        try:
            self.send(frame)
        except ConnectionClosed:
            pass

    def send_audio(self, chunk: bytes) -> None:
        try:
            self.send_bytes(chunk)
        except ConnectionClosed:
            pass


def _control(raw: str, channel: _CallChannel) -> bool:
    """Handle a text frame; False when the visitor hung up."""
    try:
        frame = json.loads(raw)
    except ValueError:
        frame = None
    kind = frame.get("type") if isinstance(frame, dict) else None
    if kind == "ping":
        channel.send_event({"type": "pong"})
    elif kind == "hangup":
        return False
    else:
        channel.send_event(
            {"type": "error", "code": "unknown_frame_type", "detail": 'Send audio as binary frames, or {"type": "ping"} / {"type": "hangup"}.'}
        )
    return True


@sock.route("/voice", bp=bp)
def voice_socket(ws):
    """A voice call in the session's conversation: microphone audio in, the agent's voice out."""
    session: WidgetSession = g.widget_session
    app = current_app._get_current_object()
    channel = _CallChannel(ws)
    call = VoiceCall(
        app,
        session.id,
        open_recognizer(app.config, session.widget, app.instance_path),
        open_synthesizer(app.config),
        channel.send_audio,
        channel.send_event,
        playback_lead=app.config["AURION_VOICE_PLAYBACK_LEAD"],
    )
    try:
        while True:
            raw = ws.receive()
            if session.expires_at <= utcnow():
                ws.close(CLOSE_UNAUTHORIZED, "session expired")
                return
            if isinstance(raw, str):
                if not _control(raw, channel):
                    return
            elif len(raw) > MAX_AUDIO_FRAME_BYTES or len(raw) % SAMPLE_BYTES:
                channel.send_event(
                    {"type": "error", "code": "bad_audio_frame", "detail": f"Audio frames are whole 16-bit samples, at most {MAX_AUDIO_FRAME_BYTES} bytes."}
                )
            else:
                call.hear(raw)
    except ConnectionClosed:
        return
    finally:
        call.hang_up()


OPENAPI_PATHS = {
    "/api/v1/widget/voice": {
        "get": spec.operation(
            "Open a voice call over a WebSocket (embedded voice)",
            spec.PUBLIC,
            {"101": spec.response("Switching protocols to WebSocket"), **spec.problems(401, 403, 409)},
            description=__doc__,
            parameters=[
                {"name": "token", "in": "query", "required": True, "description": "The session's bearer token (the `token` of `POST /voice-widget/token` with `transport: embedded`).", "schema": {"type": "string"}},
            ],
        )
    }
}
