"""Webhook delivery: the SSRF guard, the Stripe-style signature, one POST, and the loop
that drains the durable queue (the `webhook_deliveries` table).

The queue is `aurion.engines.job_queue`: each process runs one delivery loop, and a
worker claims one due delivery at a time with an atomic UPDATE, so workers and hosts
share the queue without delivering twice. A worker that dies mid-delivery leaves the row
to be retried once its lease ends, so a delivery is at least once: receivers
deduplicate on the event id.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask

from aurion.engines.job_queue import QueueLoop, record_attempt
from aurion.extensions import db
from aurion.models import WebhookDelivery
from aurion.timestamps import utcnow

SIGNATURE_HEADER = "Aurion-Signature"


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
    delivery.last_response_code = code
    if record_attempt(delivery, error, first_retry, "delivered"):
        delivery.delivered_at = utcnow()
    db.session.commit()


def init_app(app: Flask) -> None:
    """Give the app its delivery loop over the queue (`aurion.engines.job_queue`). gunicorn
    starts it in each worker once forked (gunicorn.conf.py); any other server, at its first request."""
    config = app.config

    def attempt_delivery(delivery_id: int) -> None:
        attempt(
            delivery_id,
            config["SECRET_KEY"],
            config["AURION_WEBHOOKS_ALLOW_PRIVATE"],
            config["AURION_WEBHOOKS_TIMEOUT"],
            config["AURION_WEBHOOKS_FIRST_RETRY_SECONDS"],
        )

    loop = QueueLoop(app, "aurion-webhooks", WebhookDelivery, "AURION_WEBHOOKS", attempt_delivery)
    app.extensions["aurion_webhooks"] = loop
    app.before_request(loop.start)
