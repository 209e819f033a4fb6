"""Request ids: honoured or generated, returned, and on every log line of the request; JSON logs."""

import json
import logging

import pytest

HEALTHZ = "/healthz"


def test_a_sane_request_id_is_honoured(client):
    response = client.get(HEALTHZ, headers={"X-Request-ID": "edge-7f3a:42"})
    assert response.headers["X-Request-ID"] == "edge-7f3a:42"


@pytest.mark.parametrize("offered", [None, "", "has space", "x" * 129, 'semi;colon', '<script>'])
def test_a_missing_or_odd_request_id_is_replaced(client, offered):
    headers = {"X-Request-ID": offered} if offered is not None else {}
    returned = client.get(HEALTHZ, headers=headers).headers["X-Request-ID"]
    assert returned != offered
    assert len(returned) == 32 and int(returned, 16) >= 0


def test_errors_carry_the_request_id_too(client):
    response = client.get("/api/v1/nothing-here", headers={"X-Request-ID": "abc123"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "abc123"


def test_every_log_line_of_a_request_names_it(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/api/v1/nothing-here", headers={"X-Request-ID": "trace-me"})
    access = [record for record in caplog.records if record.name == "aurion.access"]
    assert access and access[-1].request_id == "trace-me"
    assert '"GET /api/v1/nothing-here" 404' in access[-1].getMessage()
    # Outside a request, the line says so.
    logging.getLogger("aurion.test").warning("between requests")
    assert caplog.records[-1].request_id == "-"


def test_text_lines_show_the_request_id(client, capsys):
    client.get(HEALTHZ, headers={"X-Request-ID": "text-line"})
    line = [line for line in capsys.readouterr().err.splitlines() if "GET /healthz" in line][-1]
    assert "INFO aurion.access [text-line] 127.0.0.1" in line


def test_json_logs_are_one_object_per_line(make_app, capsys):
    client = make_app(AURION_LOG_FORMAT="json").test_client()
    client.get(HEALTHZ, headers={"X-Request-ID": "json-line"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [entry for entry in lines if entry["logger"] == "aurion.access"][-1]
    assert access["request_id"] == "json-line"
    assert access["level"] == "INFO"
    assert (access["method"], access["path"], access["status"], access["remote_addr"]) == ("GET", HEALTHZ, 200, "127.0.0.1")
    assert isinstance(access["duration_ms"], float)
    assert access["time"].endswith("Z")


def test_an_unknown_log_format_stops_the_app(make_app):
    with pytest.raises(RuntimeError, match="AURION_LOG_FORMAT='xml' is not one of text, json"):
        make_app(AURION_LOG_FORMAT="xml")
