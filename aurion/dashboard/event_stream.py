"""Broker frames as server-sent events, for the dashboard's live conversation view.

The dashboard reads a conversation with `EventSource`, authenticated by the admin's
session cookie like any page, so it needs no token of its own.
"""

import json
from collections.abc import Callable, Iterable, Iterator

from aurion.engines.broker import Subscription

# A comment line this often keeps proxies from closing an idle stream and lets the
# server notice a browser that went away.
KEEPALIVE_SECONDS = 15.0


def _event(frame: dict) -> str:
    return f"data: {json.dumps(frame)}\n\n"


def server_sent_events(
    subscription: Subscription, first: Iterable[dict] = (), expand: Callable[[dict], dict | None] | None = None
) -> Iterator[str]:
    """`first` frames, then every frame published to the subscription, until the client leaves.

    With `expand`, each published frame is what `expand` makes of it (None: nothing is sent).
    A comment line goes first, so the response starts at once: the browser's `open` event
    then means the stream is subscribed, not merely asked for.
    """
    try:
        yield ": open\n\n"
        for frame in first:
            yield _event(frame)
        while True:
            frame = subscription.get(timeout=KEEPALIVE_SECONDS)
            if subscription.dropped:
                # The broker lost frames: the browser's EventSource reconnects and catches up.
                return
            if frame is None:
                yield ": keepalive\n\n"
                continue
            if expand is not None:
                frame = expand(frame)
            if frame is not None:
                yield _event(frame)
    finally:
        subscription.close()
