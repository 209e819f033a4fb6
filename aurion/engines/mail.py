"""Outgoing email over SMTP, drained from the durable queue (the `outgoing_emails` table,
through `aurion.engines.job_queue`), so a slow or failing mail server never holds up a
request: requests only queue, and this loop sends, retries with backoff and records
failures.

`AURION_SMTP_URL` names the server:
- `smtp://user:pass@host:587`: plain SMTP, upgraded with STARTTLS whenever the server
  offers it; a password is only ever sent encrypted, or to a loopback server;
- `smtps://user:pass@host:465`: TLS from the first byte.
User name and password are URL-encoded (`%40` for an @ in the user name).
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from ipaddress import ip_address
from urllib.parse import unquote, urlsplit

from flask import Flask

from aurion.engines.job_queue import QueueLoop, record_attempt
from aurion.extensions import db
from aurion.models import OutgoingEmail
from aurion.timestamps import utcnow


class BadSmtpUrl(ValueError):
    """AURION_SMTP_URL cannot be used; the message says why."""


@dataclass(frozen=True)
class SmtpServer:
    implicit_tls: bool
    host: str
    port: int
    username: str | None
    password: str | None

    def loopback(self) -> bool:
        try:
            return ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"


def parse_smtp_url(url: str) -> SmtpServer:
    """The server `url` names (see the module's docstring), or `BadSmtpUrl`."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise BadSmtpUrl("AURION_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465.")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError:
        raise BadSmtpUrl("AURION_SMTP_URL has an invalid port.") from None
    return SmtpServer(
        implicit_tls=parts.scheme == "smtps",
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def compose(sender: str, email: OutgoingEmail) -> EmailMessage:
    """The message: plain text with an HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    return message


def send(server: SmtpServer, message: EmailMessage, timeout: float) -> None:
    """Hand `message` to `server`; raises OSError or smtplib.SMTPException when it does not take it."""
    context = ssl.create_default_context()
    if server.implicit_tls:
        connection = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=timeout)
    with connection:
        if not server.implicit_tls:
            connection.ehlo()
            if connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
            elif server.password and not server.loopback():
                raise smtplib.SMTPException("The server offers no STARTTLS; the password is not sent in clear.")
        if server.username:
            connection.login(server.username, server.password or "")
        connection.send_message(message)


def attempt(email_id: int, smtp_url: str, sender: str, timeout: float, first_retry: float) -> None:
    """Send a claimed email once and record the outcome: sent, retried later, or failed."""
    email = db.session.get(OutgoingEmail, email_id)
    if email is None:
        return
    message = compose(sender, email)
    db.session.commit()  # hold no transaction open while the server takes its time
    error = None
    try:
        send(parse_smtp_url(smtp_url), message, timeout)
    except BadSmtpUrl as bad:
        error = str(bad)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    email = db.session.get(OutgoingEmail, email_id)
    if email is None:
        return
    if record_attempt(email, error, first_retry, "sent"):
        email.sent_at = utcnow()
    db.session.commit()


def init_app(app: Flask) -> None:
    """Give the app its email loop; it runs only where AURION_SMTP_URL is set."""
    config = app.config
    if not config["AURION_SMTP_URL"]:
        config["AURION_EMAIL_DELIVER"] = False
    else:
        parse_smtp_url(config["AURION_SMTP_URL"])  # a bad URL stops the server at start, saying why

    def attempt_email(email_id: int) -> None:
        attempt(
            email_id,
            config["AURION_SMTP_URL"],
            config["AURION_EMAIL_FROM"],
            config["AURION_SMTP_TIMEOUT"],
            config["AURION_EMAIL_FIRST_RETRY_SECONDS"],
        )

    loop = QueueLoop(app, "aurion-email", OutgoingEmail, "AURION_EMAIL", attempt_email)
    app.extensions["aurion_email"] = loop
    app.before_request(loop.start)
