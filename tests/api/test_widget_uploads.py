"""Uploads: judged by their bytes, size-limited, stored under random names, served safely."""

import io
import os

import pytest

from aurion.services.sniffing import sniff_content_type
from tests.support.attachments import tiny_pdf, tiny_png
from tests.support.visitors import MESSAGES_URL, UPLOADS_URL, bearer, start_session

HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (tiny_png(), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (tiny_pdf(), "application/pdf"),
        ("Order 42: the café was closed\n".encode(), "text/plain"),
        (b"\xef\xbb\xbfhello", "text/plain"),
        (HTML, None),
        (SVG, None),
        (b"  \n<svg/>", None),
        (b"\xef\xbb\xbf<html>", None),
        (b"hello\x00world", None),
        (b"\xc3\x28 not utf-8", None),
        (b"PK\x03\x04zip", None),
        (b"", None),
    ],
)
def test_sniffer(data, expected):
    assert sniff_content_type(data) == expected


@pytest.fixture
def widget(make_tenant):
    return make_tenant("acme", scopes=("conversations:read",))[1]


@pytest.fixture
def upload_dir(instance_path):
    return os.path.join(instance_path, "uploads")


def _upload(client, session, data: bytes, name: str):
    return client.post(UPLOADS_URL, data={"file": (io.BytesIO(data), name)}, headers=bearer(session))


@pytest.mark.parametrize(("data", "name", "content_type"), [(tiny_png(), "screenshot.png", "image/png"), (tiny_pdf(), "invoice.pdf", "application/pdf")])
def test_real_files_are_accepted_and_served_as_downloads(client, widget, upload_dir, data, name, content_type):
    session = start_session(client, widget)
    response = _upload(client, session, data, name)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["name"], body["type"], body["size"]) == (name, content_type, len(data))
    stored = os.listdir(upload_dir)
    assert len(stored) == 1 and name not in stored[0]
    with client.get(body["url"], headers=bearer(session)) as download:
        assert download.status_code == 200
        assert download.data == data
        assert download.headers["Content-Type"] == content_type
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Cache-Control"].startswith("private")
    message = client.post(MESSAGES_URL, json={"content": "", "attachment_ids": [body["id"]]}, headers=bearer(session))
    assert message.status_code == 201
    assert message.get_json()["attachments"] == [body]
    again = client.post(MESSAGES_URL, json={"content": "twice", "attachment_ids": [body["id"]]}, headers=bearer(session))
    assert again.status_code == 422


@pytest.mark.parametrize(("data", "name"), [(HTML, "screenshot.png"), (SVG, "logo.png"), (b"MZ\x90\x00binary", "a.png")])
def test_markup_or_unknown_bytes_renamed_png_are_refused(client, widget, upload_dir, data, name):
    session = start_session(client, widget)
    response = _upload(client, session, data, name)
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "unsupported_file_type"
    assert not os.path.exists(upload_dir) or os.listdir(upload_dir) == []


def test_allowlist_is_configurable(make_app):
    from aurion.services.tenants import create_tenant

    app = make_app(AURION_UPLOAD_TYPES=["image/png"])
    with app.app_context():
        widget = create_tenant("acme").widgets[0]
        client = app.test_client()
        session = start_session(client, widget)
        assert _upload(client, session, tiny_png(), "a.png").status_code == 201
        assert _upload(client, session, tiny_pdf(), "a.pdf").status_code == 415


@pytest.mark.parametrize("declared_length", [True, False])
def test_oversized_file_is_refused_and_nothing_is_stored(make_app, upload_dir, declared_length):
    from aurion.services.tenants import create_tenant

    app = make_app(AURION_UPLOAD_MAX_BYTES=1024)
    with app.app_context():
        widget = create_tenant("acme").widgets[0]
        client = app.test_client()
        session = start_session(client, widget)
        big = b"a" * 1025
        assert _upload(client, session, b"a" * 1024, "fits.txt").status_code == 201
        os.remove(os.path.join(upload_dir, os.listdir(upload_dir)[0]))
        response = _upload(client, session, big, "big.txt")
        assert response.status_code == 413 and response.get_json()["code"] == "file_too_large"
        huge = b"a" * (200 * 1024)
        if declared_length:
            response = _upload(client, session, huge, "huge.txt")
        else:
            body = b"--b\r\nContent-Disposition: form-data; name=file; filename=huge.txt\r\n\r\n" + huge + b"\r\n--b--\r\n"
            response = client.post(
                UPLOADS_URL, input_stream=io.BytesIO(body), content_type="multipart/form-data; boundary=b", headers=bearer(session)
            )
        assert response.status_code == 413
        assert os.listdir(upload_dir) == []


def test_a_session_uploads_at_most_its_quota_in_all(make_app, upload_dir):
    from aurion.services.tenants import create_tenant

    app = make_app(AURION_UPLOAD_SESSION_MAX_BYTES=2500)
    with app.app_context():
        widget = create_tenant("acme").widgets[0]
        client = app.test_client()
        session = start_session(client, widget)
        assert _upload(client, session, b"a" * 1000, "one.txt").status_code == 201
        assert _upload(client, session, b"b" * 1000, "two.txt").status_code == 201
        refused = _upload(client, session, b"c" * 1000, "three.txt")
        assert refused.status_code == 413 and refused.mimetype == "application/problem+json"
        assert refused.get_json()["code"] == "upload_quota_exceeded"
        assert len(os.listdir(upload_dir)) == 2
        assert _upload(client, session, b"d" * 500, "fits.txt").status_code == 201
        assert _upload(client, start_session(client, widget, "other@example.com"), b"e" * 1000, "x.txt").status_code == 201


def test_a_file_of_another_session_is_refused(client, widget):
    mine = start_session(client, widget, "me@x.test")
    theirs = start_session(client, widget, "them@x.test")
    upload = _upload(client, theirs, tiny_png(), "theirs.png").get_json()
    assert client.get(upload["url"], headers=bearer(mine)).status_code == 404
    attach = client.post(MESSAGES_URL, json={"content": "x", "attachment_ids": [upload["id"]]}, headers=bearer(mine))
    assert attach.status_code == 422


def test_the_same_visitors_next_session_still_reads_their_files(client, widget):
    first = start_session(client, widget)
    upload = _upload(client, first, tiny_png(), "a.png").get_json()
    second = start_session(client, widget)
    with client.get(upload["url"], headers=bearer(second)) as download:
        assert download.status_code == 200


def test_upload_needs_multipart_and_a_file_part(client, widget):
    session = start_session(client, widget)
    assert client.post(UPLOADS_URL, json={"file": "x"}, headers=bearer(session)).status_code == 415
    missing = client.post(UPLOADS_URL, data={"other": (io.BytesIO(tiny_png()), "a.png")}, headers=bearer(session))
    assert (missing.status_code, missing.get_json()["field"]) == (422, "file")
    assert _upload(client, session, b"", "empty.txt").status_code == 422


def test_hostile_file_names_are_only_labels(client, widget, upload_dir):
    session = start_session(client, widget)
    body = _upload(client, session, tiny_pdf(), "../../etc/passwd\x00").get_json()
    assert body["name"] == "passwd.pdf"
    assert os.listdir(upload_dir)[0] != "passwd.pdf"


def test_tenant_reads_attachments_with_an_api_key(client, make_tenant):
    _, widget_a, key_a = make_tenant("tenant-a", scopes=("conversations:read",))
    _, _, key_b = make_tenant("tenant-b", scopes=("conversations:read",))
    _, _, key_no_scope = make_tenant("tenant-c", scopes=("voice-widget:read",))
    upload = _upload(client, start_session(client, widget_a), tiny_png(), "a.png").get_json()
    url = f"/api/v1/attachments/{upload['id']}"
    with client.get(url, headers={"X-API-Key": key_a}) as download:
        assert download.status_code == 200 and download.data == tiny_png()
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(url, headers={"X-API-Key": key_b}).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"X-API-Key": key_no_scope}).status_code == 403
