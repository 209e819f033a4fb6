"""Running agent turns in the background, so a visitor's POST returns at once.

Turns run on a small pool per process (green threads under gunicorn's gevent
worker). The pool also bounds how many turns embed and rank at the same time.
"""

from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app

from aurion.agent.turn import answer_visitor_safely
from aurion.models import Message
from aurion.services.conversations import publish_message

MAX_CONCURRENT_TURNS = 8


class AgentDispatcher:
    """Submits agent turns to a pool, each inside the app's context."""

    def __init__(self, app: Flask):
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_TURNS, thread_name_prefix="aurion-agent")
        self._pending: set[Future] = set()

    def submit(self, conversation_id: int) -> None:
        future = self._pool.submit(self._run, conversation_id)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _run(self, conversation_id: int) -> None:
        with self._app.app_context():
            answer_visitor_safely(conversation_id)

    def drain(self) -> None:
        """Wait for every submitted turn to finish (tests, graceful shutdown)."""
        for future in list(self._pending):
            future.result()


def init_app(app: Flask) -> None:
    app.extensions["aurion_agent"] = AgentDispatcher(app)


def after_visitor_message(message: Message) -> None:
    """Deliver a visitor's new message to the conversation's sockets and, when the
    agent owns the conversation, have it answer in the background: the answer streams
    over the WebSocket."""
    publish_message(message)
    if message.conversation.status == "agent":
        current_app.extensions["aurion_agent"].submit(message.conversation_id)
