"""The embed script's weight: a visitor downloads it on every site that embeds Aurion."""

from tests.widget import GZIP_BUDGET_BYTES, ROOT, built_bundle, bundle_sizes


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
