"""Starting visitor sessions the way a site does: mint an email token, create a session."""

import json
import urllib.request

from aurion.services.identity import mint_email_token


def session_body(widget, email: str = "jane@example.com", ttl: int = 600) -> dict:
    token = mint_email_token(widget.public_id, widget.identity_secret, email, ttl)
    return {"email_token": token, "display_name": "Jane Smith"}


def start_session(client, widget, email: str = "jane@example.com") -> dict:
    """A new session over the Flask test client; returns the 201 body."""
    response = client.post("/api/v1/widget/session", json=session_body(widget, email))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def start_session_over_http(base_url: str, widget, email: str = "jane@example.com") -> dict:
    """A new session against a live server."""
    request = urllib.request.Request(
        base_url + "/api/v1/widget/session",
        data=json.dumps(session_body(widget, email)).encode(),
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
