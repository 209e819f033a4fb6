"""A visitor of a widget: email tokens and sessions, through Flask's test client or over real HTTP."""

import io
import json
import urllib.request

from aurion.services.identity import mint_email_token

SESSION_URL = "/api/v1/widget/session"
MESSAGES_URL = "/api/v1/widget/messages"
HISTORY_URL = "/api/v1/widget/history"
UPLOADS_URL = "/api/v1/widget/uploads"


def email_token(widget, email: str = "jane@example.com", ttl: int = 600) -> str:
    return mint_email_token(widget.public_id, widget.identity_secret, email, ttl)


def start_session(client, widget, email: str = "jane@example.com", **body) -> dict:
    """A new session's response body; fails the test unless it is 201."""
    response = client.post(SESSION_URL, json={"email_token": email_token(widget, email), **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def bearer(session: dict) -> dict:
    return {"Authorization": f"Bearer {session['token']}"}


def start_session_over_http(base_url: str, widget, email: str = "jane@example.com") -> dict:
    """A new session against a live server."""
    request = urllib.request.Request(
        base_url + SESSION_URL,
        data=json.dumps({"email_token": email_token(widget, email), "display_name": "Jane Smith"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def history_over_http(base_url: str, token: str) -> list[dict]:
    """The messages of the session's conversation on a live server, oldest first."""
    request = urllib.request.Request(base_url + HISTORY_URL, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["messages"]


def post_json(base_url: str, path: str, body: dict, headers: dict, timeout: float = 10) -> tuple[int, dict]:
    """POST `body` to a live server; returns (status, JSON body), errors included."""
    request = urllib.request.Request(
        base_url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def upload(client, session: dict, data: bytes, name: str = "note.txt") -> dict:
    """Upload a file for the session's next message; fails the test unless it is 201."""
    response = client.post(UPLOADS_URL, data={"file": (io.BytesIO(data), name)}, headers=bearer(session))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def say_with_file(client, session: dict, content: str = "Here is my invoice") -> dict:
    """A visitor's message carrying one uploaded file; returns the stored message."""
    attachment = upload(client, session, content.encode() + b" (text file)")
    response = client.post(MESSAGES_URL, json={"content": content, "attachment_ids": [attachment["id"]]}, headers=bearer(session))
    assert response.status_code == 201, response.get_json()
    return response.get_json()
