"""The sockets this process holds, and the one sweep that ends those whose session ended.

A session ends when it expires, when its row goes, or when `regenerate-key` gives its
widget a new public id. Each open socket (chat or voice call) is registered here with
its session; then:

- a revocation published through the broker (`regenerate-key`, in any process) closes
  the widget's sockets at once;
- every `RECHECK_SECONDS` one sweep per process re-reads the sessions of all its open
  sockets in one query per `SWEEP_CHUNK` (250) sockets (not a query per socket), and closes
  with 4401 those that expired or were revoked while Redis could not say so.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app
from simple_websocket import ConnectionClosed

from aurion.engines import frames
from aurion.extensions import db
from aurion.models import Widget, WidgetSession
from aurion.timestamps import utcnow

log = logging.getLogger(__name__)

# 4401 mirrors HTTP 401: the session ended; the client needs a new session, not a retry.
CLOSE_UNAUTHORIZED = 4401
# 1012 "service restart": live delivery was interrupted (the broker lost Redis); the
# client reconnects with backoff and catches up with `?after=`.
CLOSE_RETRY = 1012
RECHECK_SECONDS = 5.0
# Rows per query of a sweep: well under SQLite's bound-parameter limit.
SWEEP_CHUNK = 250


class Channel:
    """One socket: sends are serialised because several greenlets write to it."""

    def __init__(self, ws):
        self.ws = ws
        # The code this side closed with, if it did (4401: the session ended).
        self.closed_with: int | None = None
        self._lock = threading.Lock()

    def send(self, frame: dict) -> None:
        with self._lock:
            self.ws.send(json.dumps(frame))

    def send_bytes(self, data: bytes) -> None:
        with self._lock:
            self.ws.send(data)

    def error(self, code: str, detail: str) -> None:
        self.send(frames.error(code, detail))

    def close(self, code: int, reason: str) -> None:
        """Close with `code`, and wake the handler blocked in `receive()` so it returns at once."""
        self.closed_with = code
        with self._lock:
            if self.ws.connected:
                try:
                    self.ws.close(code, reason)
                except (ConnectionClosed, OSError):
                    pass
        # simple-websocket's close() does not wake a pending receive(); its event does.
        self.ws.event.set()


@dataclass(eq=False, slots=True)
class OpenSocket:
    """A registered socket: what its session was at the handshake."""

    channel: Channel
    session_id: int
    widget_public_id: str
    expires_at: datetime = field(repr=False)


class OpenSockets:
    """This process's open sockets, closed with 4401 when their session ends."""

    def __init__(self, app: Flask):
        self._app = app
        self._lock = threading.Lock()
        self._sockets: set[OpenSocket] = set()
        self._some_open = threading.Event()
        self._sweeper: threading.Thread | None = None

    def add(self, channel: Channel, session: WidgetSession) -> OpenSocket:
        entry = OpenSocket(channel, session.id, session.widget.public_id, session.expires_at)
        with self._lock:
            self._sockets.add(entry)
            if self._sweeper is None:
                # Started with the first socket: a process that never holds one never sweeps.
                self._app.extensions["aurion_broker"].on_revocation(self.revoke_widget)
                self._sweeper = threading.Thread(target=self._sweep_forever, name="aurion-socket-sweep", daemon=True)
                self._sweeper.start()
        self._some_open.set()
        return entry

    def discard(self, entry: OpenSocket) -> None:
        with self._lock:
            self._sockets.discard(entry)
            if not self._sockets:
                self._some_open.clear()

    def __len__(self) -> int:
        return len(self._sockets)

    def revoke_widget(self, widget_public_id: str) -> None:
        """Close every socket whose session was issued for `widget_public_id` (its key was regenerated)."""
        with self._lock:
            ended = [entry for entry in self._sockets if entry.widget_public_id == widget_public_id]
        self._end(ended)

    def sweep(self) -> None:
        """Close the sockets whose session expired, was deleted, or whose widget got a new key."""
        with self._lock:
            entries = list(self._sockets)
        now = utcnow()
        ended = [entry for entry in entries if entry.expires_at <= now]
        current = {}
        ids = sorted({entry.session_id for entry in entries})
        with self._app.app_context():
            try:
                for start in range(0, len(ids), SWEEP_CHUNK):
                    rows = db.session.execute(
                        db.select(WidgetSession.id, WidgetSession.expires_at, Widget.public_id)
                        .join(Widget, Widget.id == WidgetSession.widget_id)
                        .where(WidgetSession.id.in_(ids[start : start + SWEEP_CHUNK]))
                    )
                    current.update({row_id: (expires_at, public_id) for row_id, expires_at, public_id in rows})
                    # Let the sockets' greenlets run between chunks: 5,000 rows at once would stall them.
                    time.sleep(0)
            finally:
                db.session.remove()
        for entry in entries:
            expires_at, public_id = current.get(entry.session_id, (now, None))
            if expires_at <= now or public_id != entry.widget_public_id:
                ended.append(entry)
        self._end(ended)

    def _end(self, entries) -> None:
        for entry in entries:
            entry.channel.close(CLOSE_UNAUTHORIZED, "session expired or revoked")

    def _sweep_forever(self) -> None:
        while True:
            # Asleep while no socket is open: an idle process does nothing.
            self._some_open.wait()
            time.sleep(RECHECK_SECONDS)
            try:
                self.sweep()
            except Exception:
                log.exception("The open sockets' session sweep failed; retrying")


def init_app(app: Flask) -> None:
    """Give the app its registry of open sockets."""
    app.extensions["aurion_open_sockets"] = OpenSockets(app)


def open_sockets() -> OpenSockets:
    return current_app.extensions["aurion_open_sockets"]
