"""A real SMTP server in the test process (aiosmtpd) that keeps what it received, and can
be told to refuse mail (451, try later) or to take its time."""

import asyncio
import email
import email.policy
import socket
import threading
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """The SMTP handler: messages received, and how the server behaves right now."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refusing = False
        self.delay = 0.0
        self.received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refusing:
            return "451 4.3.0 Mailbox busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.received:
            self.messages.append(message)
            self.received.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 15.0) -> list:
        """The messages once there are `count`; fails the test if they do not come in time."""
        deadline = time.monotonic() + timeout
        with self.received:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"the SMTP server received {len(self.messages)} of {count} messages"
                self.received.wait(left)
            return list(self.messages)


@contextmanager
def smtp_server():
    """(`smtp://` URL, Mailbox) of a server on a free loopback port, stopped afterwards."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", mailbox
    finally:
        controller.stop()


def body(message, subtype: str) -> str:
    """The text/plain or text/html part of a received message."""
    return message.get_body(preferencelist=(subtype,)).get_content()
