"""A WebSocket client for tests: frames as dicts, waits with deadlines."""

import base64
import http.client
import json
import os
import socket
import struct
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


def close_code(client) -> int:
    """The code the server closed `client` with; waits until it has (fails after 10 s)."""
    for _ in received(client, 10):
        pass
    assert not client.connected, "the server did not close the socket"
    return client.close_reason


@contextmanager
def raw_socket(base_url: str, token: str):
    """A TCP connection upgraded to the chat socket, for frames no client library would send."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    path = ws_url(base_url, token).split(f":{port}", 1)[1]
    connection.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += connection.recv(4096)
    assert response.startswith(b"HTTP/1.1 101"), response
    try:
        yield connection
    finally:
        connection.close()


def text_frame_header(length: int) -> bytes:
    """The header of one masked text frame announcing `length` payload bytes (masked with zeros)."""
    return bytes([0x81, 0x80 | 127]) + struct.pack("!Q", length) + b"\0\0\0\0"
