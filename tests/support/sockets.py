"""A WebSocket client for tests: frames as dicts, waits with deadlines."""

import base64
import http.client
import json
import os
import time
from contextlib import contextmanager

from simple_websocket import Client, ConnectionClosed

CHAT_SOCKET = "/api/v1/widget/ws"
VOICE_SOCKET = "/api/v1/widget/voice"


def ws_url(base_url: str, token: str, path: str = CHAT_SOCKET, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in {"token": token, **params}.items())
    return base_url.replace("http://", "ws://", 1) + path + "?" + query


@contextmanager
def widget_socket(base_url: str, token: str, origin: str | None = None, path: str = CHAT_SOCKET, **params: str):
    """An open socket of the widget's live channel (or, with `path=VOICE_SOCKET`, a voice call); closed on exit."""
    headers = {"Origin": origin} if origin else None
    client = Client.connect(ws_url(base_url, token, path, **params), headers=headers)
    try:
        yield client
    finally:
        if client.connected:
            client.close()


def received(client, timeout: float):
    """Each message `client` receives (text, or bytes on a voice call) until `timeout` s have passed or it closes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            raw = client.receive(timeout=max(deadline - time.monotonic(), 0.01))
        except ConnectionClosed:
            return
        if raw is not None:
            yield raw


def frames_until(client, predicate, timeout: float = 15.0) -> list[dict]:
    """Every frame received up to and including the first that satisfies `predicate`."""
    frames = []
    for raw in received(client, timeout):
        frames.append(json.loads(raw))
        if predicate(frames[-1]):
            return frames
    raise AssertionError(f"no matching frame within {timeout} s; got {frames}")


def send(client, frame: dict) -> None:
    client.send(json.dumps(frame))


def handshake_status(base_url: str, token: str, origin: str | None = None, path: str = CHAT_SOCKET, **params: str) -> int:
    """The HTTP status the server answers a WebSocket upgrade with (101 when accepted)."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
        **({"Origin": origin} if origin else {}),
    }
    try:
        connection.request("GET", ws_url(base_url, token, path, **params).split(f":{port}", 1)[1], headers=headers)
        response = connection.getresponse()
        return response.status
    finally:
        connection.close()
