"""Fan-out of frames to every socket of a conversation, in one process or across many.

`InProcessBroker` delivers within the process (the default, one machine).
`RedisBroker` publishes through Redis pub/sub so that sockets held by other gunicorn
workers and hosts get every frame too; each process runs one supervised listener that
hands frames to its local subscribers (see docs/realtime.md, "When Redis goes away"):

- the listener reconnects with backoff (0.1 s doubling to 5 s) and resubscribes;
- while it cannot deliver, every local subscription is *dropped*: the socket behind it
  closes with a retryable code, and the client reconnects and catches up from history;
- publishing never raises: a frame Redis refuses is logged as undelivered and counted,
  and the caller (a request that already committed, an agent turn) carries on.

Besides conversations, the broker carries *revocations*: `revoke_widget_sessions`
tells every process that a widget's sessions ended (its key was regenerated), so each
closes the sockets it holds at once.

`reconnects` and `undelivered` are plain counters per process, for metrics.
"""

import json
import logging
import queue
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from flask import Flask, current_app

from aurion.engines import metrics

log = logging.getLogger(__name__)

# Redis pub/sub ignores the database number, so the channels carry it: servers sharing one
# Redis on different databases (other installs, parallel test runs) never hear each other.
CHANNEL_PREFIX = "aurion:{db}:conversation:"
# Revocations name the widget by the public id its sessions were issued for: random,
# so that servers sharing one Redis (other sites, test runs) never close each other's sockets.
REVOCATION_CHANNEL = "aurion:{db}:revoked-widget"
# The listener's reconnection backoff, jittered.
FIRST_RETRY_SECONDS = 0.1
MAX_RETRY_SECONDS = 5.0
# How long a new socket waits for the listener to (re)connect before it is refused.
READY_TIMEOUT_SECONDS = 3.0
UNDELIVERED_LOG_SECONDS = 5.0


class Subscription:
    """The frames published to its channels (a conversation, and maybe its team-only channel)
    since subscribing, in the order they arrived."""

    def __init__(self, broker: "InProcessBroker", channels: tuple[str, ...]):
        self._broker = broker
        self.channels = channels
        # True once the broker could no longer deliver to it: frames may have been missed.
        self.dropped = False
        self._frames: queue.SimpleQueue = queue.SimpleQueue()

    def deliver(self, frame: dict) -> None:
        self._frames.put(frame)

    def get(self, timeout: float | None = None) -> dict | None:
        """The next frame; None after `timeout` seconds, or once closed or dropped (see `dropped`)."""
        if self.dropped:
            return None
        try:
            return self._frames.get(timeout=timeout)
        except queue.Empty:
            return None

    def drop(self) -> None:
        """The broker lost frames for this subscription: wake the reader, which must start over."""
        self.dropped = True
        self._frames.put(None)

    def close(self) -> None:
        self._broker.unsubscribe(self)
        self._frames.put(None)


class InProcessBroker:
    """Delivers frames to the subscribers of this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._revocation_listeners: list[Callable[[str], None]] = []
        # Set once the process is stopping (`end_streams`): every subscription is dropped at once.
        self._ending = False
        # Counters for metrics: listener reconnections, frames that could not be published.
        self.reconnects = 0
        self.undelivered = 0

    def subscribe(self, *channels: str) -> Subscription:
        """One subscription to every frame published to any of `channels`."""
        subscription = Subscription(self, channels)
        with self._lock:
            for channel in channels:
                self._subscribers[channel].add(subscription)
        if self._ending:
            self.unsubscribe(subscription)
            subscription.drop()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            for channel in subscription.channels:
                subscribers = self._subscribers.get(channel)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del self._subscribers[channel]

    def deliver_locally(self, conversation_id: str, frame: dict) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(conversation_id, ()))
        for subscription in subscribers:
            subscription.deliver(frame)

    def drop_subscribers(self) -> None:
        """Drop every local subscription (their sockets close and reconnect)."""
        with self._lock:
            subscribers = {subscription for group in self._subscribers.values() for subscription in group}
            self._subscribers.clear()
        for subscription in subscribers:
            subscription.drop()

    def end_streams(self) -> None:
        """The process is stopping: drop every subscription, now and from now on. Sockets
        close with 1012 and dashboard streams end, so browsers reconnect to a process that
        serves on, instead of holding this one until its graceful timeout."""
        self._ending = True
        self.drop_subscribers()

    def publish(self, conversation_id: str, frame: dict) -> None:
        """Send `frame` to every socket of `conversation_id`; never raises."""
        self.deliver_locally(conversation_id, frame)

    def ready(self) -> bool:
        """Whether frames published now reach this process's new subscribers (always, in process)."""
        return True

    def on_revocation(self, listener: Callable[[str], None]) -> None:
        """Call `listener(widget_public_id)` whenever a widget's sessions are revoked, in any process."""
        self._revocation_listeners.append(listener)

    def revoke_widget_sessions(self, widget_public_id: str) -> None:
        """Tell every process that sessions issued for `widget_public_id` ended; never raises."""
        self.revoked_locally(widget_public_id)

    def revoked_locally(self, widget_public_id: str) -> None:
        for listener in list(self._revocation_listeners):
            try:
                listener(widget_public_id)
            except Exception:
                log.exception("A revocation listener failed")

    def close(self) -> None:
        """Release connections (nothing to release in process)."""


class RedisBroker(InProcessBroker):
    """Publishes through Redis; a supervised listener delivers what any process published."""

    def __init__(self, url: str):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        super().__init__()
        self._errors = (redis.RedisError, OSError)
        # No retries inside redis-py: a lost connection must surface, so that sockets are
        # told (a silent resubscription would hide the frames lost meanwhile).
        no_retry = Retry(NoBackoff(), 0)
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, retry=no_retry)
        self._listener_redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_keepalive=True, retry=no_retry)
        database = self._redis.connection_pool.connection_kwargs.get("db", 0)
        self._channel_prefix = CHANNEL_PREFIX.format(db=database)
        self._revocation_channel = REVOCATION_CHANNEL.format(db=database)
        self._live = threading.Event()
        self._closing = False
        self._pubsub = None
        self._supervisor: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._undelivered_logged_at = float("-inf")

    def _supervise_once_started(self) -> None:
        # Started by the first socket, not at start-up: a process that only publishes
        # (a CLI command, a worker with no sockets) never needs a listener.
        with self._start_lock:
            if self._supervisor is None:
                self._supervisor = threading.Thread(target=self._supervise, name="aurion-broker", daemon=True)
                self._supervisor.start()

    def ready(self) -> bool:
        self._supervise_once_started()
        return self._live.wait(READY_TIMEOUT_SECONDS)

    def subscribe(self, *channels: str) -> Subscription:
        self._supervise_once_started()
        subscription = super().subscribe(*channels)
        if not self._live.is_set():
            # Nothing reaches it until the listener is back: the socket starts over.
            self.unsubscribe(subscription)
            subscription.drop()
        return subscription

    def on_revocation(self, listener: Callable[[str], None]) -> None:
        super().on_revocation(listener)
        self._supervise_once_started()

    def _supervise(self) -> None:
        """Listen, and when the connection is lost, drop local subscribers and listen again."""
        delay = FIRST_RETRY_SECONDS
        connected_before = False
        while not self._closing:
            try:
                self._pubsub = self._listener_redis.pubsub()
                self._pubsub.psubscribe(self._channel_prefix + "*")
                self._pubsub.subscribe(self._revocation_channel)
                self._await_confirmations(2)
                if connected_before:
                    self.reconnects += 1
                    metrics.broker_reconnects.inc()
                    log.warning("Broker listener reconnected to Redis (reconnect %d)", self.reconnects)
                connected_before = True
                delay = FIRST_RETRY_SECONDS
                self._live.set()
                self._listen()
            except self._errors as exc:
                if not self._closing:
                    log.warning("Broker listener lost Redis (%s); retrying in %.1f s", exc, delay)
            except Exception:
                # Whatever it was, the listener must not die (that ended live delivery for good).
                if not self._closing:
                    log.exception("Broker listener failed; retrying in %.1f s", delay)
            finally:
                was_live = self._live.is_set()
                self._live.clear()
                if was_live:
                    self.drop_subscribers()
                self._close_pubsub()
            if not self._closing:
                time.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, MAX_RETRY_SECONDS)

    def _await_confirmations(self, count: int) -> None:
        # Only once Redis confirms is every frame published afterwards delivered.
        confirmed = 0
        deadline = time.monotonic() + 5
        while confirmed < count:
            message = self._pubsub.get_message(timeout=max(deadline - time.monotonic(), 0.01))
            if message is not None and message.get("type") in ("psubscribe", "subscribe"):
                confirmed += 1
            elif message is None and time.monotonic() >= deadline:
                raise ConnectionError("Redis did not confirm the broker subscriptions")

    def _listen(self) -> None:
        for message in self._pubsub.listen():
            kind = message.get("type")
            try:
                if kind == "pmessage":
                    channel = message["channel"].decode()[len(self._channel_prefix) :]
                    self.deliver_locally(channel, json.loads(message["data"]))
                elif kind == "message":
                    self.revoked_locally(message["data"].decode())
            except (ValueError, UnicodeDecodeError):
                log.warning("Dropped a malformed broker message")

    def _close_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            try:
                pubsub.close()
            except self._errors:
                pass

    def _publish(self, channel: str, data: str, what: str) -> None:
        # While this process's listener is away Redis is too, most likely: skip the wait.
        if self._supervisor is not None and not self._live.is_set():
            error = "the listener is reconnecting"
        else:
            try:
                self._redis.publish(channel, data)
                return
            except self._errors as exc:
                error = str(exc)
        self.undelivered += 1
        # Clients catch up from history when their socket reconnects. One line per few
        # seconds: an agent's answer is dozens of frames.
        now = time.monotonic()
        if now - self._undelivered_logged_at >= UNDELIVERED_LOG_SECONDS:
            self._undelivered_logged_at = now
            log.warning(
                "Undelivered %s on %s (broker unavailable: %s); %d undelivered in all", what, channel, error, self.undelivered
            )

    def publish(self, conversation_id: str, frame: dict) -> None:
        self._publish(self._channel_prefix + conversation_id, json.dumps(frame), f"{frame.get('type')} frame")

    def revoke_widget_sessions(self, widget_public_id: str) -> None:
        # Delivered here too through the listener; when Redis is away, the periodic
        # session re-check of every process closes the sockets instead, a few seconds later.
        self.revoked_locally(widget_public_id)
        self._publish(self._revocation_channel, widget_public_id, "revocation")

    def close(self) -> None:
        self._closing = True
        self._close_pubsub()
        self._redis.close()
        self._listener_redis.close()


def init_app(app: Flask) -> None:
    """Give the app its broker: Redis when AURION_BROKER_URL is set, else in-process."""
    url = app.config.get("AURION_BROKER_URL")
    app.extensions["aurion_broker"] = RedisBroker(url) if url else InProcessBroker()


def broker() -> InProcessBroker:
    return current_app.extensions["aurion_broker"]


def publish(conversation_id: str, frame: dict) -> None:
    """Send `frame` to every open socket of the conversation, wherever it is held; never raises:
    a frame that cannot be delivered is logged, and clients catch up from history."""
    broker().publish(conversation_id, frame)
