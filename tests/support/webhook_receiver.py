"""A webhook receiver written from the issue's description, not from Aurion's code.

It checks `Aurion-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` as a Stripe
verifier would: split the header on commas into key=value pairs, recompute the HMAC of
the timestamp, a dot and the raw body with the webhook's secret, compare in constant
time, and refuse timestamps more than five minutes off.
"""

import hashlib
import hmac
import json
import threading
import time

from tests.support.loopback import LoopbackServer, QuietHandler

TOLERANCE_SECONDS = 300


def signature_valid(secret: str, header: str | None, body: bytes) -> bool:
    """Whether `header` signs `body` with `secret`, the Stripe way."""
    if not header:
        return False
    pairs = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamps = [value for key, value in pairs if key == "t"]
    signatures = [value for key, value in pairs if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or abs(time.time() - int(timestamps[0])) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), timestamps[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


class WebhookReceiver(LoopbackServer):
    """An endpoint on loopback that records what it is sent, answering `failures` 503s first."""

    def __init__(self, failures: int = 0):
        self.secret = ""  # set once the webhook is created and its secret shown
        self.failures_left = failures
        self.received: list[dict] = []  # every request: {"valid": bool, "event": dict}
        self._lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received.append(
                        {
                            "valid": signature_valid(receiver.secret, self.headers.get("Aurion-Signature"), body),
                            "event": json.loads(body),
                        }
                    )
                    failing = receiver.failures_left > 0
                    receiver.failures_left -= failing
                self.send_response(503 if failing else 204)
                self.end_headers()

        super().__init__(Handler)
        self.url = f"http://127.0.0.1:{self.port}/hooks/aurion"

    def events(self, event_type: str | None = None) -> list[dict]:
        """The events received, optionally of one type (repeats included)."""
        with self._lock:
            return [r["event"] for r in self.received if event_type in (None, r["event"]["type"])]

    def wait_for(self, count: int, event_type: str | None = None, timeout: float = 15) -> list[dict]:
        """The events of `event_type` once at least `count` arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events(event_type)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{len(self.events(event_type))} of {count} {event_type or 'events'} arrived: {self.events()}")
