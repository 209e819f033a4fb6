"""Broker frames as server-sent events, for the dashboard's live conversation view.

The dashboard reads a conversation with `EventSource`, authenticated by the admin's
session cookie like any page, so it needs no token of its own.
"""

import json
from collections.abc import Iterable, Iterator

from aurion.engines.broker import Subscription

# A comment line this often keeps proxies from closing an idle stream and lets the
# server notice a browser that went away.
KEEPALIVE_SECONDS = 15.0


def _event(frame: dict) -> str:
    return f"data: {json.dumps(frame)}\n\n"


def server_sent_events(subscription: Subscription, first: Iterable[dict] = ()) -> Iterator[str]:
    """`first` frames, then every frame published to the subscription, until the client leaves."""
    try:
        for frame in first:
            yield _event(frame)
        while True:
            frame = subscription.get(timeout=KEEPALIVE_SECONDS)
            if subscription.dropped:
                # The broker lost frames: the browser's EventSource reconnects and catches up.
                return
            yield ": keepalive\n\n" if frame is None else _event(frame)
    finally:
        subscription.close()
