"""The deployment of docs/deployment.md, for real: Debian's nginx with `deploy/nginx/aurion.conf.template`
in front of two gunicorn "hosts" on PostgreSQL and Redis.

A visitor's socket (upgraded through nginx) gets the replies a person sends through
either host; the hosts see each client's own address (ProxyFix behind nginx) and share
one rate-limit budget in Redis; /metrics is not reachable through the proxy.
"""

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from string import Template

import pytest
import sqlalchemy as sa

from aurion import create_app
from aurion.config import TestConfig
from aurion.extensions import db
from aurion.services.api_keys import create_api_key
from aurion.services.identity import mint_email_token
from aurion.services.tenants import create_tenant
from tests.support import ROOT
from tests.support.live_server import LIVE_SECRET_KEY, free_port, gunicorn_server
from tests.support.metrics import sample_value
from tests.support.scratch import scratch_database, scratch_key_prefix
from tests.support.sockets import frames_until
from tests.support.visitors import HISTORY_URL, SESSION_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

NGINX = os.environ.get("AURION_NGINX", "/usr/sbin/nginx")
TEMPLATE = ROOT / "deploy" / "nginx" / "aurion.conf.template"
# Two more loopback addresses stand for two visitors on the internet.
FIRST_VISITOR, SECOND_VISITOR = "127.0.0.2", "127.0.0.3"
SESSION_LIMIT = 5  # the guide's default: 5 sessions a minute per client IP and widget


def _postgres_url() -> str:
    url = os.environ.get("AURION_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip(
            "the two-host deployment runs on PostgreSQL: in make test's PostgreSQL pass "
            "(AURION_TEST_DATABASE_URL=postgresql://...)"
        )
    return url


@pytest.fixture(scope="module")
def deployment_database():
    """A database of its own on the test's PostgreSQL server (migrated by the deployment); dropped afterwards."""
    server = sa.engine.make_url(_postgres_url()).set(database="postgres")
    with scratch_database(server.render_as_string(hide_password=False), "aurion_twohost") as url:
        yield url


@pytest.fixture(scope="module")
def shared_redis(redis_url):
    """The Redis both hosts share, under a key prefix of this run."""
    with scratch_key_prefix(redis_url, "aurion-twohost") as prefix:
        yield redis_url, prefix


def _migrate(url: str, instance_path: Path) -> None:
    environment = {**os.environ, "DATABASE_URL": url, "AURION_INSTANCE_PATH": str(instance_path), "SECRET_KEY": LIVE_SECRET_KEY}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"]
    finished = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-2000:]


def _tenant(url: str) -> tuple[dict, str]:
    """A tenant's widget (id and identity secret) and an API key that may reply in conversations."""
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        tenant = create_tenant("acme")
        widget = tenant.widgets[0]
        _, key = create_api_key(tenant, ["conversations:write"])
        identity = {"public_id": widget.public_id, "identity_secret": widget.identity_secret}
        db.session.remove()
        db.engine.dispose()
    return identity, key


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, valid for a day."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
    names = ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    subprocess.run([*request, *names, "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True, timeout=60)
    return certificate, key


def render_site(upstreams: list[str], https_port: int, http_port: int, certificate: Path, key: Path) -> str:
    """deploy/nginx/aurion.conf.template with these ports, as envsubst renders it."""
    site = Template(TEMPLATE.read_text()).safe_substitute(
        AURION_SERVER_NAME="localhost 127.0.0.1",
        AURION_HTTP_LISTEN=f"127.0.0.1:{http_port}",
        AURION_HTTPS_LISTEN=f"127.0.0.1:{https_port}",
        AURION_UPSTREAM_SERVERS=" ".join(f"server {upstream};" for upstream in upstreams),
        AURION_TLS_CERTIFICATE=str(certificate),
        AURION_TLS_CERTIFICATE_KEY=str(key),
    )
    assert "${AURION_" not in site
    return site


@contextmanager
def nginx(site: str, prefix: Path, port: int):
    """Debian's nginx serving `site`, in the foreground, with everything it writes under `prefix`."""
    (prefix / "aurion.conf").write_text(site)
    temp_paths = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx would hand its workers to www-data, who cannot read this private folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {prefix / 'access.log'};\n{temp_paths}\n    include {prefix / 'aurion.conf'};\n}}\n"
    )
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


@pytest.fixture(scope="module")
def two_hosts(deployment_database, shared_redis, tmp_path_factory):
    """nginx on https (and http) in front of two gunicorn hosts; yields what a client needs to reach them.

    One deployment serves the module's tests: each test's visitors come from addresses of their own."""
    for tool in (NGINX, shutil.which("openssl")):
        if not tool or not os.path.exists(tool):
            pytest.skip(f"{tool or 'openssl'} is not installed: apt-get install -y nginx openssl")
    redis_url, prefix = shared_redis
    tmp_path = tmp_path_factory.mktemp("two-hosts")
    _migrate(deployment_database, tmp_path)
    widget, key = _tenant(deployment_database)
    host_settings = {
        "AURION_BROKER_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "AURION_TRUSTED_PROXIES": "1",
        "SESSION_COOKIE_SECURE": "1",
    }
    # Each host has its own instance folder, as on two machines.
    (tmp_path / "host-a").mkdir()
    (tmp_path / "host-b").mkdir()
    (tmp_path / "nginx").mkdir()
    certificate, certificate_key = _certificate(tmp_path)
    with (
        gunicorn_server(deployment_database, str(tmp_path / "host-a"), **host_settings) as host_a,
        gunicorn_server(deployment_database, str(tmp_path / "host-b"), **host_settings) as host_b,
    ):
        https_port, http_port = free_port(), free_port()
        upstreams = [host_a.removeprefix("http://"), host_b.removeprefix("http://")]
        site = render_site(upstreams, https_port, http_port, certificate, certificate_key)
        with nginx(site, tmp_path / "nginx", https_port):
            yield {
                "proxy": f"https://127.0.0.1:{https_port}",
                "plain": f"http://127.0.0.1:{http_port}",
                "hosts": (host_a, host_b),
                "tls": ssl.create_default_context(cafile=str(certificate)),
                "widget": widget,
                "api_key": key,
            }


def _request(base_url: str, method: str, path: str, *, tls=None, body=None, headers=None, source: str | None = None):
    """(status, headers, body) of one request, from the loopback address `source` when given."""
    host, port = base_url.split("://", 1)[1].split(":")
    options = {"timeout": 10, "source_address": (source, 0) if source else None}
    if base_url.startswith("https"):
        connection = http.client.HTTPSConnection(host, int(port), context=tls, **options)
    else:
        connection = http.client.HTTPConnection(host, int(port), **options)
    payload = json.dumps(body).encode() if body is not None else None
    try:
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _new_session(deployment, source: str | None = None, forwarded_for: str | None = None):
    widget = deployment["widget"]
    token = mint_email_token(widget["public_id"], widget["identity_secret"], "jane@example.com")
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return _request(deployment["proxy"], "POST", SESSION_URL, tls=deployment["tls"], body={"email_token": token}, headers=headers, source=source)


def _scrape(host: str) -> str:
    with urllib.request.urlopen(host + "/metrics", timeout=10) as response:
        return response.read().decode()


def test_a_reply_through_either_host_reaches_a_socket_upgraded_through_nginx(two_hosts):
    from simple_websocket import Client

    status, _, body = _new_session(two_hosts)
    assert status == 201
    token = json.loads(body)["token"]
    proxy, tls = two_hosts["proxy"], two_hosts["tls"]
    status, _, body = _request(proxy, "GET", HISTORY_URL, tls=tls, headers={"Authorization": f"Bearer {token}"})
    conversation_id = json.loads(body)["conversation_id"]
    ws = Client.connect(proxy.replace("https://", "wss://") + f"/api/v1/widget/ws?token={token}", ssl_context=tls)
    try:
        ws.send(json.dumps({"type": "ping"}))
        assert frames_until(ws, lambda frame: frame["type"] == "pong", timeout=10)
        # The socket is held by one host; one of these replies is sent through the other.
        for index, host in enumerate(two_hosts["hosts"]):
            status, _, _ = _request(
                host,
                "POST",
                f"/api/v1/conversations/{conversation_id}/messages",
                body={"content": f"A person, via host {index}"},
                headers={"X-API-Key": two_hosts["api_key"]},
            )
            assert status == 201
            reply = frames_until(ws, lambda frame: frame["type"] == "message" and frame["sender"] == "human", timeout=10)[-1]
            assert reply["content"] == f"A person, via host {index}"
    finally:
        ws.close()
        # Its reader thread may still be inside OpenSSL, which reads by descriptor number: until
        # the thread ends, the next connection (given the same number) could lose bytes to it.
        ws.thread.join(timeout=10)


def test_each_client_keeps_its_own_address_and_the_hosts_share_one_budget(two_hosts):
    for _ in range(SESSION_LIMIT):
        assert _new_session(two_hosts, source=FIRST_VISITOR)[0] == 201
    status, headers, body = _new_session(two_hosts, source=FIRST_VISITOR)
    assert status == 429 and json.loads(body)["code"] == "rate_limited"
    assert int(headers["Retry-After"]) > 0
    # A forged first hop does not buy a fresh budget: ProxyFix believes the hop nginx added.
    assert _new_session(two_hosts, source=FIRST_VISITOR, forwarded_for="198.51.100.23")[0] == 429
    # Another client, behind the same nginx, has a budget of its own.
    assert _new_session(two_hosts, source=SECOND_VISITOR)[0] == 201
    # nginx sent sessions to both hosts: the budget held across them.
    for host in two_hosts["hosts"]:
        assert sample_value(_scrape(host), "aurion_http_requests_total", route=SESSION_URL, method="POST", status="201") >= 1


def test_nginx_serves_https_only_and_keeps_metrics_in(two_hosts):
    proxy, tls = two_hosts["proxy"], two_hosts["tls"]
    status, headers, _ = _request(two_hosts["plain"], "GET", "/healthz")
    assert status == 301 and headers["Location"].startswith("https://")
    status, headers, body = _request(proxy, "GET", "/healthz", tls=tls)
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert len(headers["X-Request-ID"]) == 32  # nginx's $request_id, the same in both logs
    assert _request(proxy, "GET", "/healthz", tls=tls, headers={"X-Request-ID": "lb-check-1"})[1]["X-Request-ID"] == "lb-check-1"
    assert _request(proxy, "GET", "/readyz", tls=tls)[0] == 200
    assert _request(proxy, "GET", "/metrics", tls=tls)[0] == 404
    # Even a host reached directly refuses a request some proxy forwarded.
    assert _request(two_hosts["hosts"][0], "GET", "/metrics", headers={"X-Forwarded-For": "127.0.0.1"})[0] == 404
