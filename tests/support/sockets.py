"""A WebSocket client for tests: frames as dicts, waits with deadlines."""

import json
import time
from contextlib import contextmanager

from simple_websocket import Client, ConnectionClosed


def ws_url(base_url: str, token: str, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in {"token": token, **params}.items())
    return base_url.replace("http://", "ws://", 1) + "/api/v1/widget/ws?" + query


@contextmanager
def widget_socket(base_url: str, token: str, origin: str | None = None, **params: str):
    """An open socket of the widget's live channel; closed on exit."""
    headers = {"Origin": origin} if origin else None
    client = Client.connect(ws_url(base_url, token, **params), headers=headers)
    try:
        yield client
    finally:
        client.close()


def frames_until(client, predicate, timeout: float = 15.0) -> list[dict]:
    """Every frame received up to and including the first that satisfies `predicate`."""
    frames = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            raw = client.receive(timeout=max(deadline - time.monotonic(), 0.01))
        except ConnectionClosed:
            break
        if raw is None:
            continue
        frame = json.loads(raw)
        frames.append(frame)
        if predicate(frame):
            return frames
    raise AssertionError(f"no matching frame within {timeout} s; got {frames}")


def send(client, frame: dict) -> None:
    client.send(json.dumps(frame))
