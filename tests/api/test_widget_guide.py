"""The guide's session API run as written against gunicorn, and the README's token recipes."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from aurion.services.identity import verify_email_token
from aurion.services.knowledge import create_article
from tests.support import ROOT
from tests.support.attachments import tiny_png
from tests.support.guide import run_guide_request
from tests.support.knowledge import PASSWORD
from tests.support.visitors import SESSION_URL, email_token

CREATE_SESSION = '''curl -X POST "https://apps.aurionai.net/api/v1/widget/session" \\
-H "Content-Type: application/json" \\
-d '{
"email_token": "hmac_signed_token",
"display_name": "Jane Smith"
}\''''

SEND_MESSAGE = '''curl -X POST "https://apps.aurionai.net/api/v1/widget/messages" \\
-H "Authorization: Bearer eyJhbGci..." \\
-H "Content-Type: application/json" \\
-d '{
"content": "I need help resetting my password"
}\''''

GET_HISTORY = '''curl "https://apps.aurionai.net/api/v1/widget/history" \\
-H "Authorization: Bearer eyJhbGci..."'''

UPLOAD = '''curl -X POST "https://apps.aurionai.net/api/v1/widget/uploads" \\
-H "Authorization: Bearer eyJhbGci..." \\
-F "file=@screenshot.png"'''


def test_guide_session_message_history_and_upload(live_server, make_tenant, tmp_path):
    widget = make_tenant("acme")[1]
    create_article(widget, PASSWORD)
    created = run_guide_request(CREATE_SESSION, live_server, {"hmac_signed_token": email_token(widget)})
    assert created.status == 201, created.body
    session = created.json()
    assert session["session_id"].startswith("ws_") and session["expires_at"].endswith("Z")
    as_visitor = {"eyJhbGci...": session["token"]}

    sent = run_guide_request(SEND_MESSAGE, live_server, as_visitor)
    assert sent.status == 201, sent.body
    assert sent.json()["content"] == "I need help resetting my password"

    (tmp_path / "screenshot.png").write_bytes(tiny_png())
    uploaded = run_guide_request(UPLOAD, live_server, as_visitor, cwd=str(tmp_path))
    assert uploaded.status == 201, uploaded.body
    assert (uploaded.json()["name"], uploaded.json()["type"]) == ("screenshot.png", "image/png")

    # The agent's answer streams over the socket and is stored; history shows both turns.
    deadline = time.monotonic() + 15
    while True:
        history = run_guide_request(GET_HISTORY, live_server, as_visitor)
        assert history.status == 200, history.body
        messages = history.json()["messages"]
        if len(messages) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [(m["sender"], m["mode"]) for m in messages] == [("user", "chat"), ("agent", "chat")]
    assert messages[0]["content"] == "I need help resetting my password"
    assert "reset link" in messages[1]["content"]
    assert [source["title"] for source in messages[1]["sources"]] == ["Resetting your password"]

    refused = run_guide_request(GET_HISTORY, live_server, {"eyJhbGci...": session["token"] + "x"})
    assert refused.status == 401 and json.loads(refused.body)["code"] == "session_token_invalid"


def _readme_example(marker: str) -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {marker} -->\s*```\w+\n(.*?)```\s*<!-- /{marker} -->", readme, re.S)
    assert match, f"README.md lost its {marker} example"
    return match.group(1)


@pytest.mark.parametrize(("marker", "command"), [("email-token-python", [sys.executable, "-c"]), ("email-token-node", ["node", "-e"])])
def test_readme_token_examples_are_accepted(client, make_tenant, marker, command):
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed")
    widget = make_tenant("acme")[1]
    env = {**os.environ, "AURION_WIDGET_ID": widget.public_id, "AURION_IDENTITY_SECRET": widget.identity_secret}
    completed = subprocess.run([*command, _readme_example(marker)], env=env, capture_output=True, text=True, check=True, timeout=30)
    token = completed.stdout.strip().splitlines()[-1]
    response = client.post(SESSION_URL, json={"email_token": token})
    assert response.status_code == 201, response.get_json()


def test_cli_mints_a_token_the_api_accepts(runner, client, make_tenant):
    widget = make_tenant("acme")[1]
    result = runner.invoke(args=["aurion", "mint-email-token", "--widget", widget.public_id, "--email", "jane@example.com", "--ttl", "120"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert verify_email_token(token, widget.public_id, widget.identity_secret).email == "jane@example.com"
    assert client.post(SESSION_URL, json={"email_token": token}).status_code == 201


@pytest.mark.parametrize(
    "args",
    [
        ["--widget", "wgt_nope", "--email", "a@b.test"],
        ["--widget", "WIDGET", "--email", "not-an-email"],
        ["--widget", "WIDGET", "--email", "a@b.test", "--ttl", "0"],
        ["--widget", "WIDGET", "--email", "a@b.test", "--ttl", "9999999"],
    ],
)
def test_cli_mint_refuses_bad_input(runner, make_tenant, args):
    widget = make_tenant("acme")[1]
    result = runner.invoke(args=["aurion", "mint-email-token", *[widget.public_id if arg == "WIDGET" else arg for arg in args]])
    assert result.exit_code != 0
    assert "Error" in result.output and "Traceback" not in result.output
