"""The embed script's weight: a visitor downloads it on every site that embeds Aurion."""

import json

from tests.support import ROOT
from tests.support.bundle import GZIP_BUDGET_BYTES, built_bundle, bundle_sizes


def test_embed_script_is_within_the_gzip_budget():
    raw, gzipped = bundle_sizes(built_bundle())
    assert gzipped <= GZIP_BUDGET_BYTES, f"static/aurion.js is {gzipped} bytes gzipped ({raw} raw); budget {GZIP_BUDGET_BYTES}"


def test_embed_script_needs_no_eval():
    # Pages with a strict Content-Security-Policy forbid eval.
    body = built_bundle().decode()
    for forbidden in ("eval(", "new Function"):
        assert forbidden not in body, forbidden


def test_widget_source_never_writes_html_or_inline_styles():
    # Message content is rendered as text only; `style` attributes break strict CSP.
    for path in (ROOT / "widget_src" / "src").iterdir():
        source = path.read_text()
        for forbidden in ("innerHTML", "dangerouslySetInnerHTML", "insertAdjacentHTML", "document.write", "style="):
            assert forbidden not in source, f"{forbidden} in {path.name}"


def _livekit_client_version() -> str:
    """The livekit-client version the lock file pins (the SDK writes it into its join request)."""
    lock = json.loads((ROOT / "widget_src" / "package-lock.json").read_text())
    return lock["packages"]["node_modules/livekit-client"]["version"]


def test_livekit_client_is_only_in_its_own_part():
    # livekit-client is ~140 KB gzipped: only LiveKit calls download it, as aurion-livekit.js.
    main = built_bundle().decode()
    voice = (ROOT / "static" / "aurion-voice.js").read_text()
    livekit_path = ROOT / "static" / "aurion-livekit.js"
    assert livekit_path.exists(), "static/aurion-livekit.js is not built: run `make widget`"
    livekit = livekit_path.read_text()
    markers = [f'version:"{_livekit_client_version()}"', "RTCPeerConnection"]
    for marker in markers:
        assert marker in livekit, marker
        assert marker not in voice, f"livekit-client code ({marker}) is in aurion-voice.js"
        assert marker not in main, f"livekit-client code ({marker}) is in aurion.js"
    # aurion.js knows nothing of LiveKit; the voice part only names the part it loads
    # (`chat.part("livekit", "AurionLiveKit")` fetches aurion-livekit.js).
    assert "livekit" not in main.lower()
    assert '"livekit","AurionLiveKit"' in voice
    for forbidden in ("eval(", "new Function"):
        assert forbidden not in livekit, forbidden
    _, gzipped = bundle_sizes(voice.encode())
    assert gzipped <= 8 * 1024, f"aurion-voice.js is {gzipped} bytes gzipped; the LiveKit client belongs in aurion-livekit.js"


def test_voice_captures_through_an_audio_worklet():
    # ScriptProcessorNode is deprecated (and warns on the page's console).
    built_bundle()
    voice = (ROOT / "static" / "aurion-voice.js").read_text()
    assert "createScriptProcessor" not in voice
    assert "AudioWorkletNode" in voice and "aurion-capture-worklet.js" in voice
