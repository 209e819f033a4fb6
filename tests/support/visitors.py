"""Talking to a live server as a visitor: sessions and JSON posts over real HTTP."""

import json
import urllib.request

from tests.widgets import email_token


def start_session_over_http(base_url: str, widget, email: str = "jane@example.com") -> dict:
    """A new session against a live server."""
    request = urllib.request.Request(
        base_url + "/api/v1/widget/session",
        data=json.dumps({"email_token": email_token(widget, email), "display_name": "Jane Smith"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def post_json(base_url: str, path: str, body: dict, headers: dict) -> tuple[int, dict]:
    """POST `body` to a live server; returns (status, JSON body), errors included."""
    request = urllib.request.Request(
        base_url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())
