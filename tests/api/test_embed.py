"""The embed surface: the script (type, caching, Referer check) and the public config."""

import pytest

from aurion.services.demo import setup_demo
from tests.support import ROOT
from tests.support.bundle import built_bundle

SCRIPT = "/api/v1/voice-widget/embed/aurion.js"


@pytest.fixture
def widget(make_tenant):
    _, widget, _ = make_tenant(
        "acme",
        allowed_domains=["shop.example.com", "*.acme.test"],
        greeting="Hello from Acme",
        primary_color="#FACC15",
        position="bottom-left",
    )
    return widget


def test_script_is_javascript_with_an_etag_and_cache_headers(client):
    response = client.get(SCRIPT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert response.data == built_bundle()
    assert response.headers["ETag"]
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_script_answers_304_when_the_etag_matches(client):
    etag = client.get(SCRIPT).headers["ETag"]
    response = client.get(SCRIPT, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert client.get(SCRIPT, headers={"If-None-Match": '"stale"'}).status_code == 200


@pytest.mark.parametrize(
    "referer, status",
    [
        ("https://shop.example.com/pricing", 200),
        ("https://deep.sub.acme.test/", 200),
        ("http://localhost/admin", 200),  # a page of the Aurion server itself
        ("https://evil.example.net/", 403),
        ("https://example.com/", 403),
        ("https://acme.test/", 403),  # the wildcard covers subdomains only
    ],
)
def test_script_checks_the_referer_against_every_widget(client, widget, referer, status):
    response = client.get(SCRIPT, headers={"Referer": referer})
    assert response.status_code == status
    if status == 403:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["code"] == "origin_not_allowed"


def test_script_is_served_without_a_referer(client, widget):
    assert client.get(SCRIPT).status_code == 200


@pytest.mark.parametrize("name", ["aurion-video", "demo", "other"])
def test_only_built_widget_files_are_served(client, name):
    response = client.get(f"/api/v1/voice-widget/embed/{name}.js")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_voice_part_is_served_beside_the_embed_script(client):
    built_bundle()  # make widget builds both
    response = client.get("/api/v1/voice-widget/embed/aurion-voice.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert b"AurionVoice" in response.data


def test_the_livekit_part_is_served_beside_the_embed_script(client):
    built_bundle()  # make widget builds all parts
    assert (ROOT / "static" / "aurion-livekit.js").exists()
    response = client.get("/api/v1/voice-widget/embed/aurion-livekit.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    assert b"AurionLiveKit" in response.data


def test_the_capture_worklet_is_served_to_any_page_in_cors_mode(client):
    # AudioWorklet modules are fetched with CORS: the page's origin must be able to read it.
    built_bundle()  # make widget builds the worklet too
    response = client.get("/api/v1/voice-widget/embed/aurion-capture-worklet.js", headers={"Origin": "https://shop.example.com"})
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert b'registerProcessor("aurion-capture"' in response.data


def test_public_config_for_an_allowed_origin(client, widget):
    origin = "https://shop.example.com"
    response = client.get(f"/api/v1/voice-widget/embed/config/{widget.public_id}", headers={"Origin": origin})
    assert response.status_code == 200
    config = response.get_json()
    strings = config.pop("strings")
    assert config == {
        "widget_id": widget.public_id,
        "name": widget.name,
        "greeting": "Hello from Acme",
        "primary_color": "#FACC15",
        "colors": {"primary": "#FACC15", "on_primary": "#000", "accent": "#1f2937"},
        "position": "bottom-left",
        "modes": ["voice", "chat"],
        "allow_anonymous": False,
        "transcript_auto": False,
        "transcripts": False,
        "team_in": True,
        "next_in": None,
        "locale": "en",
        "team": [],  # the tenant has no admin yet
        "reply_time": None,  # nothing measured, nothing set
    }
    assert strings["send"] == "Send"
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers["Vary"]


def test_public_config_refuses_other_origins_without_cors_headers(client, widget):
    response = client.get(
        f"/api/v1/voice-widget/embed/config/{widget.public_id}", headers={"Origin": "https://evil.example.net"}
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_public_config_of_an_unknown_widget_is_404(client, widget):
    response = client.get("/api/v1/voice-widget/embed/config/wgt_nope", headers={"Origin": "https://shop.example.com"})
    assert response.status_code == 404
    assert response.get_json()["code"] == "widget_not_found"


def test_public_config_without_origin_is_served(client, widget):
    # Server-to-server: no page is involved, and nothing in it is secret.
    assert client.get(f"/api/v1/voice-widget/embed/config/{widget.public_id}").status_code == 200


def test_demo_page_needs_the_demo(client):
    assert client.get("/demo").status_code == 404


def test_demo_page_embeds_the_demo_widget_from_the_other_origin(app, client):
    demo = setup_demo()
    response = client.get("/demo", base_url="http://localhost:5000")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'src="http://127.0.0.1:5000/api/v1/voice-widget/embed/aurion.js" data-widget-id="{demo.widget_id}"' in page
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' http://127.0.0.1:5000" in csp and "unsafe-inline" not in csp
