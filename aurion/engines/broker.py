"""Fan-out of frames to every socket of a conversation, in one process or across many.

`InProcessBroker` delivers within the process (the default, one machine).
`RedisBroker` publishes through Redis pub/sub so that sockets held by other gunicorn
workers and hosts get every frame too; each process runs one listener that hands
frames to its local subscribers.
"""

import json
import logging
import queue
import threading
from collections import defaultdict

from flask import Flask, current_app

from aurion.engines import metrics

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "aurion:conversation:"


class Subscription:
    """The frames published to one conversation since subscribing, in order."""

    def __init__(self, broker: "InProcessBroker", channel: str):
        self._broker = broker
        self.channel = channel
        self._frames: queue.Queue = queue.Queue()

    def deliver(self, frame: dict) -> None:
        self._frames.put(frame)

    def get(self, timeout: float | None = None) -> dict | None:
        """The next frame, or None after `timeout` seconds (or once closed)."""
        try:
            return self._frames.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._broker.unsubscribe(self)
        self._frames.put(None)


class InProcessBroker:
    """Delivers frames to the subscribers of this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    def subscribe(self, conversation_id: str) -> Subscription:
        subscription = Subscription(self, conversation_id)
        with self._lock:
            self._subscribers[conversation_id].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            subscribers = self._subscribers.get(subscription.channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[subscription.channel]

    def deliver_locally(self, conversation_id: str, frame: dict) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(conversation_id, ()))
        for subscription in subscribers:
            subscription.deliver(frame)

    def publish(self, conversation_id: str, frame: dict) -> None:
        """Send `frame` to every socket of `conversation_id`."""
        self.deliver_locally(conversation_id, frame)

    def close(self) -> None:
        """Release connections (nothing to release in process)."""


class RedisBroker(InProcessBroker):
    """Publishes through Redis; a listener thread delivers what any process published."""

    def __init__(self, url: str):
        import redis

        super().__init__()
        self._redis = redis.Redis.from_url(url)
        self._pubsub = None
        self._start_lock = threading.Lock()

    def subscribe(self, conversation_id: str) -> Subscription:
        self._start_listening()
        return super().subscribe(conversation_id)

    def _start_listening(self) -> None:
        # Started by the first socket, not at start-up: a process that only publishes
        # (a CLI command, a worker with no sockets) never needs a listener.
        with self._start_lock:
            if self._pubsub is not None:
                return
            pubsub = self._redis.pubsub()
            # One pattern subscription per process: simpler than tracking channels, and
            # a process drops frames for conversations none of its sockets hold.
            pubsub.psubscribe(CHANNEL_PREFIX + "*")
            # Wait for Redis to confirm, so no frame published after this returns is missed.
            confirmation = None
            while confirmation is None or confirmation.get("type") != "psubscribe":
                confirmation = pubsub.get_message(timeout=5)
                if confirmation is None:
                    raise ConnectionError("Redis did not confirm the broker subscription")
            self._pubsub = pubsub
            metrics.broker_reconnects.inc()
            threading.Thread(target=self._listen, name="aurion-broker", daemon=True).start()

    def _listen(self) -> None:
        for message in self._pubsub.listen():
            if message.get("type") != "pmessage":
                continue
            try:
                channel = message["channel"].decode()[len(CHANNEL_PREFIX) :]
                frame = json.loads(message["data"])
            except (ValueError, UnicodeDecodeError):
                log.warning("Dropped a malformed broker message")
                continue
            self.deliver_locally(channel, frame)

    def publish(self, conversation_id: str, frame: dict) -> None:
        self._redis.publish(CHANNEL_PREFIX + conversation_id, json.dumps(frame))

    def close(self) -> None:
        if self._pubsub is not None:
            self._pubsub.close()
        self._redis.close()


def init_app(app: Flask) -> None:
    """Give the app its broker: Redis when AURION_BROKER_URL is set, else in-process."""
    url = app.config.get("AURION_BROKER_URL")
    app.extensions["aurion_broker"] = RedisBroker(url) if url else InProcessBroker()


def broker() -> InProcessBroker:
    return current_app.extensions["aurion_broker"]


def publish(conversation_id: str, frame: dict) -> None:
    """Send `frame` to every open socket of the conversation, wherever it is held."""
    broker().publish(conversation_id, frame)
