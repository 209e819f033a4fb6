"""Running agent turns in the background, so a visitor's POST returns at once.

Turns run on a small pool per process (green threads under gunicorn's gevent
worker). The pool also bounds how many turns embed and rank at the same time.
"""

from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask

from aurion.agent.turn import answer_visitor_safely
from aurion.models import Message
from aurion.services.messages import visitor_message_stored

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
    """Give the app its turn pool, and have the agent answer each visitor message it owns."""
    app.extensions["aurion_agent"] = AgentDispatcher(app)
    visitor_message_stored.connect(_answer_in_background, app)


def _answer_in_background(app: Flask, message: Message, answered_by_caller: bool) -> None:
    """When the agent owns the conversation, answer the visitor's new message in the
    background (unless the caller answers it itself): the answer streams over the sockets."""
    if not answered_by_caller and message.conversation.status == "agent":
        app.extensions["aurion_agent"].submit(message.conversation_id)
