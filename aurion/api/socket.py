"""`GET /api/v1/widget/ws?token=...`: the widget's live channel.

The handshake is refused (401/403, nothing else sent) for a bad or expired token or a
disallowed origin, and with 503 while live delivery is interrupted. Then frames flow both
ways as JSON objects with a `type`:
server → client `message`, `typing`, `delta`, `handoff`, `error`, `pong`, `ack`
(`{client_id, id}`: a `message` frame with a `client_id` was stored as message `id`);
client → server `message` (same rules and limit as `POST /widget/messages`, with an
optional `client_id`: a resend with the same one is stored once), `ping`, `handoff` (the
visitor asks for a person), `typing` (`{active}`: shown to the team, not stored). A bad frame gets an `error` frame and the socket stays open.
`?after=<message id>` replays what the client missed. The server closes with 4401 when
the session expires or is revoked, and with 1012 when live delivery was interrupted
(reconnect, with `?after=`).
"""

import json
import threading
from contextlib import contextmanager

from flask import Blueprint, g, request
from simple_websocket import ConnectionClosed

from aurion.api.open_sockets import CLOSE_RETRY, CLOSE_UNAUTHORIZED, Channel, open_sockets
from aurion.api.operations import Reply, operation
from aurion.api.origins import require_allowed_origin
from aurion.engines import frames, metrics
from aurion.engines.broker import Subscription, broker
from aurion.extensions import db, sock
from aurion.models import WidgetSession
from aurion.problems import Problem
from aurion.schemas.fields import parse
from aurion.schemas.messages import TypingFrame, WidgetMessageRequest
from aurion.schemas.voice import ChatSocketQuery
from aurion.services.conversations import request_handoff
from aurion.services.messages import cursor_row_id, history_page, visitor_returned, visitor_said, visitor_typing
from aurion.services.sessions import session_from_bearer

bp = Blueprint("widget_socket", __name__, url_prefix="/api/v1/widget")

# A visitor's message is at most 4,000 characters; a frame has room for that in any script.
# (Larger frames, up to SOCK_SERVER_OPTIONS' max_message_size, get an `error` frame; beyond
# that the server closes with 1009 before reading the rest.)
MAX_FRAME_BYTES = 32 * 1024
REPLAY_LIMIT = 100


def live_session() -> WidgetSession:
    """The socket's session, checked again: it may have expired or been revoked since the handshake."""
    return session_from_bearer(request.args.get("token"))


def refuse_while_undeliverable() -> None:
    """503 while the broker cannot deliver (Redis away): the client retries and catches up."""
    if not broker().ready():
        raise Problem(503, "broker_unavailable", "Live delivery is interrupted for a moment; reconnect shortly.")


@bp.before_request
def authenticate_handshake():
    """Refuse the upgrade before it happens: bad query 422, bad token 401, disallowed origin 403,
    an `after` that is no message of the conversation 422, live delivery interrupted 503."""
    query = parse(ChatSocketQuery, request.args.to_dict())
    session = live_session()
    require_allowed_origin(session.widget)
    if query.after is not None:
        cursor_row_id(session.conversation, "after", query.after)
    refuse_while_undeliverable()
    g.socket_session = session
    g.replay_after = query.after


@contextmanager
def _unit_of_work():
    """Database work for one frame; the connection goes back to the pool afterwards."""
    try:
        yield
    finally:
        db.session.remove()


def _forward(subscription: Subscription, channel: Channel) -> None:
    """Send the conversation's frames as they are published; blocks (no polling) until the
    subscription closes, or is dropped by the broker: then the client must reconnect."""
    while (frame := subscription.get()) is not None:
        try:
            channel.send(frame)
        except ConnectionClosed:
            return
    if subscription.dropped:
        channel.close(CLOSE_RETRY, "live delivery interrupted; reconnect with ?after=")


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
    if kind == "message":
        said = parse(WidgetMessageRequest, {key: value for key, value in frame.items() if key != "type"})
        stored = visitor_said(session, said.content, said.attachment_ids, client_id=said.client_id)
        if said.client_id is not None:
            # The stored id: a client that resends after a reconnect is acked with the same one.
            channel.send(frames.ack(said.client_id, stored.frame["id"]))
    elif kind == "handoff":
        request_handoff(session.conversation)
    elif kind == "typing":
        visitor_typing(session.conversation, parse(TypingFrame, {"active": frame.get("active")}).active)
    else:
        raise Problem(400, "unknown_frame_type", f"Unknown frame type {kind!r}; send message, ping, handoff or typing.")


def _replay_missed(after: str, channel: Channel) -> None:
    try:
        missed = history_page(live_session().conversation, after=after, limit=REPLAY_LIMIT)["messages"]
    except Problem as problem:
        channel.error(problem.code, problem.detail)
        return
    for frame in missed:
        channel.send(frame)


@sock.route("/ws", bp=bp)
@operation(
    "Open the conversation's WebSocket",
    query=ChatSocketQuery,
    responses={101: Reply("Switching protocols to WebSocket")},
    problems=[400, 401, 403, (503, "Live delivery is interrupted (the broker is reconnecting)")],
    description=__doc__,
    websocket=True,
)
@metrics.open_socket("chat")
def widget_socket(ws):
    """The live channel of the session's conversation."""
    channel = Channel(ws)
    session = g.pop("socket_session")
    registered = open_sockets().add(channel, session)
    subscription = broker().subscribe(session.conversation.public_id)
    visitor_returned(session.conversation)  # after subscribing: the answer's frames reach this socket
    # An idle socket holds neither a database connection (the pool is shared by every
    # request of the worker) nor ORM objects (memory, times 5,000 sockets): each frame
    # below checks a connection out and returns it.
    del session
    db.session.remove()
    try:
        if g.replay_after is not None:
            with _unit_of_work():
                _replay_missed(g.replay_after, channel)
        # Live frames wait in the subscription until the missed ones are sent: in order.
        threading.Thread(target=_forward, args=(subscription, channel), daemon=True).start()
        while _received(ws.receive(), channel):
            pass
    finally:
        open_sockets().discard(registered)
        subscription.close()


def _received(raw, channel: Channel) -> bool:
    """Handle one frame from the client; False once the session has ended (closed with 4401).

    A `ping` (the widget's keep-alive) and a malformed frame are answered without touching
    the database: the session is watched by the process's sweep and by revocations
    (`aurion.api.open_sockets`). Every other frame checks the session first."""
    try:
        frame = _parse(raw)
    except Problem as problem:
        channel.error(problem.code, problem.detail)
        return True
    if frame["type"] == "ping":
        channel.send(frames.pong())
        return True
    with _unit_of_work():
        try:
            session = live_session()
        except Problem:
            channel.close(CLOSE_UNAUTHORIZED, "session expired or revoked")
            return False
        try:
            _handle(session, frame, channel)
        except Problem as problem:
            channel.error(problem.code, problem.detail)
    return True
