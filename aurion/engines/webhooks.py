"""Webhook delivery: the SSRF guard, the Stripe-style signature, one POST, and the loop
that drains the durable queue (the `webhook_deliveries` table).

Each process runs one delivery loop, started in each gunicorn worker once forked, or by
a process's first request (never at import or in the factory). Workers and hosts share
the queue without delivering twice: a worker claims one due delivery at a time
(`aurion.engines.leases`), moving its `next_attempt_at` past the request's timeout, and
only the worker whose claim succeeded sends it. A worker
that dies mid-delivery leaves the row to be retried once that lease ends, so a delivery
is at least once: receivers deduplicate on the event id.
"""

import hashlib
import hmac
import http.client
import ipaddress
import random
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask

from aurion.engines import leases
from aurion.engines.background import BackgroundLoop
from aurion.extensions import db
from aurion.models import WebhookDelivery
from aurion.timestamps import utcnow

SIGNATURE_HEADER = "Aurion-Signature"
# How long a claimed delivery is hidden from other workers: longer than any attempt takes.
CLAIM_LEASE = timedelta(seconds=90)
# Retries stop, and the delivery is marked failed, once it is this old.
RETRY_FOR = timedelta(days=1)
MAX_RETRY_DELAY = timedelta(hours=4)
_ERROR_MAX_LENGTH = 500


class UnsafeTarget(ValueError):
    """A webhook URL that may not be called; the message completes "The URL ..."."""


@dataclass(frozen=True)
class Target:
    """Where a webhook URL points, with the one checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve_target(url: str, allow_private: bool) -> Target:
    """Where `url` points, or `UnsafeTarget` saying why it may not be called.

    https only; plain http only to loopback, and only with `allow_private` (development).
    Every address the host resolves to must be public unless `allow_private`: a name
    that also resolves to a private address is refused, since the connection could go
    there. Called when a webhook is saved and again before each attempt (DNS rebinding);
    the attempt then connects to the checked address itself.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeTarget("must be an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("must not carry a user name or password.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("has an invalid port.") from None
    if scheme == "http" and not allow_private:
        raise UnsafeTarget("must be https:// (http:// is allowed only to loopback, with AURION_WEBHOOKS_ALLOW_PRIVATE=1).")
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeTarget(f"names host {parts.hostname!r}, which does not resolve.") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if scheme == "http" and not all(address.is_loopback for address in addresses):
        raise UnsafeTarget("must be https:// (http:// is allowed only to loopback, with AURION_WEBHOOKS_ALLOW_PRIVATE=1).")
    if not allow_private:
        for address in addresses:
            if not _public(address):
                raise UnsafeTarget(
                    f"resolves to {address}, a private, loopback, link-local or reserved address, which webhooks may not call."
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, parts.hostname, port, path, str(addresses[0]))


def signing_secret(secret_key: str, salt: str) -> str:
    """A webhook's signing secret, derived from the app's SECRET_KEY and the webhook's stored salt."""
    digest = hmac.new(secret_key.encode(), b"aurion webhook secret:" + salt.encode(), hashlib.sha256).hexdigest()
    return "whsec_" + digest


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Aurion-Signature` header: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, as Stripe signs."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the SSRF guard checked, not to a fresh lookup of the host."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As `_PinnedHTTPConnection`, verifying the certificate for the URL's host name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(target: Target, body: bytes, secret: str, timeout: float) -> int:
    """POST the signed `body` to `target`; the response's status code. Redirects are not followed."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Aurion-Webhooks/1",
                SIGNATURE_HEADER: signature(secret, int(time.time()), body),
            },
        )
        return connection.getresponse().status
    finally:
        connection.close()


def retry_delay(attempts: int, first_delay: float) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling from `first_delay`
    seconds up to four hours, with ±25 % jitter so that many failures do not retry in step."""
    delay = min(first_delay * 2 ** (attempts - 1), MAX_RETRY_DELAY.total_seconds())
    return timedelta(seconds=delay * random.uniform(0.75, 1.25))


def claim_next() -> int | None:
    """Claim the most overdue delivery for this worker: its id, or None when nothing is due.

    One at a time, because the lease (CLAIM_LEASE) covers one attempt: a batch claimed
    at once could outlive its lease behind slow endpoints and be claimed again elsewhere.
    `next_attempt_at` is both when the delivery is due and its claim's lease.
    """
    claim = leases.claim_next(
        WebhookDelivery.next_attempt_at,
        WebhookDelivery.status == "pending",
        lease=CLAIM_LEASE,
        order_by=WebhookDelivery.next_attempt_at,
        attempts=WebhookDelivery.attempts + 1,
    )
    return None if claim is None else claim.row_id


def attempt(delivery_id: int, secret_key: str, allow_private: bool, timeout: float, first_retry: float) -> None:
    """Send a claimed delivery once and record the outcome: delivered, retried later, or failed."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its webhook was deleted since the claim
        return
    url, body, secret = delivery.webhook.url, delivery.body.encode(), signing_secret(secret_key, delivery.webhook.secret_salt)
    db.session.commit()  # hold no transaction open while the endpoint takes its time
    code, error = None, None
    try:
        code = post(resolve_target(url, allow_private), body, secret, timeout)
    except UnsafeTarget as refused:
        error = f"Not sent: the URL {refused}"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if code is not None and not 200 <= code < 300:
        error = f"The endpoint answered {code}."
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its webhook was deleted during the attempt
        return
    now = utcnow()
    delivery.last_response_code = code
    delivery.last_error = error[:_ERROR_MAX_LENGTH] if error else None
    if error is None:
        delivery.status = "delivered"
        delivery.delivered_at = now
    elif now - delivery.created_at >= RETRY_FOR:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts, first_retry)
    db.session.commit()


class DeliveryLoop(BackgroundLoop):
    """This process's delivery loop: a background thread that drains due deliveries,
    waking every `AURION_WEBHOOKS_POLL_SECONDS` or when this process queues one."""

    def __init__(self, app: Flask):
        super().__init__(app, "aurion-webhooks", "AURION_WEBHOOKS_DELIVER", "AURION_WEBHOOKS_POLL_SECONDS")

    def round(self) -> None:
        self.deliver_due()

    def deliver_due(self) -> None:
        """Send every due delivery, one claim at a time, until none is due."""
        config = self._app.config
        while not self.stopping:
            delivery_id = claim_next()
            if delivery_id is None:
                return
            attempt(
                delivery_id,
                config["SECRET_KEY"],
                config["AURION_WEBHOOKS_ALLOW_PRIVATE"],
                config["AURION_WEBHOOKS_TIMEOUT"],
                config["AURION_WEBHOOKS_FIRST_RETRY_SECONDS"],
            )


def init_app(app: Flask) -> None:
    """Give the app its delivery loop. gunicorn starts it in each worker once forked
    (gunicorn.conf.py); any other server, at its first request."""
    loop = app.extensions["aurion_webhooks"] = DeliveryLoop(app)
    app.before_request(loop.start)
