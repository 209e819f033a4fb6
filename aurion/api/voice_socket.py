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
import time

from flask import Blueprint, current_app, g, request
from simple_websocket import ConnectionClosed

from aurion.api.open_sockets import CLOSE_UNAUTHORIZED, Channel, open_sockets
from aurion.api.operations import Reply, operation
from aurion.api.origins import require_allowed_origin
from aurion.api.socket import live_session
from aurion.engines import frames, metrics
from aurion.extensions import db, sock
from aurion.problems import Problem
from aurion.schemas.fields import parse
from aurion.schemas.voice import VoiceSocketQuery
from aurion.voice.audio import BYTES_PER_SECOND, SAMPLE_BYTES
from aurion.voice.engines import engines_status, open_recognizer, open_synthesizer
from aurion.voice.pipeline import VoiceCall

bp = Blueprint("voice_socket", __name__, url_prefix="/api/v1/widget")
MAX_AUDIO_FRAME_BYTES = BYTES_PER_SECOND


def authenticate_call() -> None:
    """Refuse the upgrade before it happens: bad query 422, bad token 401, disallowed origin 403, no voice
    mode 409, no speech engines 503."""
    parse(VoiceSocketQuery, request.args.to_dict())
    session = live_session()
    require_allowed_origin(session.widget)
    if "voice" not in session.widget.modes:
        raise Problem(409, "voice_disabled", "Voice is not among this widget's modes; enable it in the widget's config.")
    # A chat-only install (without the voice extra) refuses the call instead of failing inside it.
    engines_ready, detail = engines_status(current_app.config)
    if not engines_ready:
        raise Problem(503, "voice_unavailable", detail)
    g.voice_session = session


bp.before_request(authenticate_call)


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
        channel.send_event(frames.pong())
    elif kind == "hangup":
        return False
    else:
        channel.send_event(
            frames.error("unknown_frame_type", 'Send audio as binary frames, or {"type": "ping"} / {"type": "hangup"}.')
        )
    return True


@sock.route("/voice", bp=bp)
@operation(
    "Open a voice call over a WebSocket (embedded voice)",
    query=VoiceSocketQuery,
    responses={101: Reply("Switching protocols to WebSocket")},
    problems=[
        (400, "Not a WebSocket upgrade"),
        401,
        403,
        (409, "Voice is not among the widget's modes"),
        (503, "No speech engines: the voice extra is not installed"),
    ],
    description=__doc__,
    websocket=True,
)
@metrics.open_socket("voice")
def voice_socket(ws):
    """A voice call in the session's conversation: microphone audio in, the agent's voice out."""
    opened = time.monotonic()
    app = current_app._get_current_object()
    session = g.voice_session
    channel = _CallChannel(ws)
    # Ended with 4401 when the session expires or is revoked (see aurion.api.open_sockets).
    registered = open_sockets().add(channel, session)
    call = VoiceCall(
        app,
        session.id,
        open_recognizer(app.config, session.widget, app.instance_path),
        open_synthesizer(app.config),
        channel.send_audio,
        channel.send_event,
        playback_lead=app.config["AURION_VOICE_PLAYBACK_LEAD"],
        started=opened,
    )
    # An open call must not hold a database connection between turns (see the chat socket).
    db.session.remove()
    ended_by = "visitor"
    try:
        while True:
            raw = ws.receive()
            if isinstance(raw, str):
                if not _control(raw, channel):
                    return
            elif len(raw) > MAX_AUDIO_FRAME_BYTES or len(raw) % SAMPLE_BYTES:
                channel.send_event(
                    frames.error("bad_audio_frame", f"Audio frames are whole 16-bit samples, at most {MAX_AUDIO_FRAME_BYTES} bytes.")
                )
            else:
                call.hear(raw)
    except ConnectionClosed:
        return
    except Exception:
        ended_by = "error"
        raise
    finally:
        open_sockets().discard(registered)
        if channel.closed_with == CLOSE_UNAUTHORIZED:
            ended_by = "timeout"
        call.hang_up(ended_by)
