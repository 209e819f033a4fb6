"""`GET /api/v1/widget/ws?token=...`: the widget's live channel.

The handshake is refused (401/403, nothing else sent) for a bad or expired token or a
disallowed origin. Then frames flow both ways as JSON objects with a `type`:
server → client `message`, `typing`, `delta`, `handoff`, `error`, `pong`;
client → server `message` (same rules and limit as `POST /widget/messages`), `ping`,
`handoff` (the visitor asks for a person). A bad frame gets an `error` frame and the
socket stays open. `?after=<message id>` replays what the client missed.
"""

import json
import threading
from contextlib import contextmanager

from flask import Blueprint, g, request
from simple_websocket import ConnectionClosed

from aurion.api.operations import Reply, operation
from aurion.api.origins import require_allowed_origin
from aurion.engines import frames, metrics
from aurion.engines.broker import broker
from aurion.extensions import db, sock
from aurion.models import WidgetSession
from aurion.problems import Problem
from aurion.schemas.fields import parse
from aurion.schemas.messages import WidgetMessageRequest
from aurion.schemas.voice import ChatSocketQuery
from aurion.services.conversations import request_handoff
from aurion.services.messages import cursor_row_id, history_page, visitor_said
from aurion.services.sessions import session_from_bearer

bp = Blueprint("widget_socket", __name__, url_prefix="/api/v1/widget")

# A visitor's message is at most 4,000 characters; a frame has room for that in any script.
MAX_FRAME_BYTES = 32 * 1024
CLOSE_UNAUTHORIZED = 4401
REPLAY_LIMIT = 100
# How often the sending side wakes to notice a closed socket.
POLL_SECONDS = 1.0


def live_session() -> WidgetSession:
    """The socket's session, checked again: it may have expired or been revoked since the handshake."""
    return session_from_bearer(request.args.get("token"))


@bp.before_request
def authenticate_handshake():
    """Refuse the upgrade before it happens: bad query 422, bad token 401, disallowed origin 403,
    an `after` that is no message of the conversation 422."""
    query = parse(ChatSocketQuery, request.args.to_dict())
    session = live_session()
    require_allowed_origin(session.widget)
    if query.after is not None:
        cursor_row_id(session.conversation, "after", query.after)
    g.conversation_channel = session.conversation.public_id
    g.replay_after = query.after


class Channel:
    """One socket: sends are serialised because two greenlets write to it."""

    def __init__(self, ws):
        self.ws = ws
        self._lock = threading.Lock()

    def send(self, frame: dict) -> None:
        with self._lock:
            self.ws.send(json.dumps(frame))

    def send_bytes(self, data: bytes) -> None:
        with self._lock:
            self.ws.send(data)

    def error(self, code: str, detail: str) -> None:
        self.send(frames.error(code, detail))


@contextmanager
def _unit_of_work():
    """Database work for one frame; the connection goes back to the pool afterwards."""
    try:
        yield
    finally:
        db.session.remove()


def _forward(subscription, channel: Channel, stop: threading.Event) -> None:
    while not stop.is_set():
        frame = subscription.get(timeout=POLL_SECONDS)
        if frame is None:
            continue
        try:
            channel.send(frame)
        except ConnectionClosed:
            return


def _parse(raw) -> dict:
    if isinstance(raw, bytes):
        raise Problem(400, "unsupported_frame", "Send JSON text frames.")
    if len(raw.encode("utf-8")) > MAX_FRAME_BYTES:
        raise Problem(413, "frame_too_large", f"Frames are at most {MAX_FRAME_BYTES} bytes.")
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError):
        raise Problem(400, "malformed_frame", "Frames must be JSON objects.") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise Problem(400, "malformed_frame", 'Frames must be JSON objects with a "type".')
    return frame


def _handle(session: WidgetSession, frame: dict, channel: Channel) -> None:
    kind = frame["type"]
    if kind == "ping":
        channel.send(frames.pong())
    elif kind == "message":
        said = parse(WidgetMessageRequest, {key: value for key, value in frame.items() if key != "type"})
        visitor_said(session, said.content, said.attachment_ids)
    elif kind == "handoff":
        request_handoff(session.conversation)
    else:
        raise Problem(400, "unknown_frame_type", f"Unknown frame type {kind!r}; send message, ping or handoff.")


def _replay_missed(after: str, channel: Channel) -> None:
    for frame in history_page(live_session().conversation, after=after, limit=REPLAY_LIMIT)["messages"]:
        channel.send(frame)


@sock.route("/ws", bp=bp)
@operation(
    "Open the conversation's WebSocket",
    query=ChatSocketQuery,
    responses={101: Reply("Switching protocols to WebSocket")},
    problems=[400, 401, 403],
    description=__doc__,
    websocket=True,
)
@metrics.open_socket("chat")
def widget_socket(ws):
    """The live channel of the session's conversation."""
    channel = Channel(ws)
    subscription = broker().subscribe(g.conversation_channel)
    # An idle socket must not hold a database connection: the pool is shared by
    # every request of the worker. Each frame below checks one out and returns it.
    db.session.remove()
    stop = threading.Event()
    forwarder = threading.Thread(target=_forward, args=(subscription, channel, stop), daemon=True)
    try:
        if g.replay_after is not None:
            with _unit_of_work():
                _replay_missed(g.replay_after, channel)
        # Live frames wait in the subscription until the missed ones are sent: in order.
        forwarder.start()
        while True:
            raw = ws.receive()
            with _unit_of_work():
                try:
                    session = live_session()
                except Problem:
                    ws.close(CLOSE_UNAUTHORIZED, "session expired or revoked")
                    return
                try:
                    _handle(session, _parse(raw), channel)
                except Problem as problem:
                    channel.error(problem.code, problem.detail)
    finally:
        stop.set()
        subscription.close()
        if forwarder.is_alive():
            forwarder.join(timeout=POLL_SECONDS * 2)
