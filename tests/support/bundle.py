"""The built widget bundle, which tests of the embed script and the browser tests need."""

import gzip

import pytest

from tests.support import ROOT

BUNDLE = ROOT / "static" / "aurion.js"
# The whole embed script, gzipped, must stay within this (12 KB).
GZIP_BUDGET_BYTES = 12 * 1024


def built_bundle() -> bytes:
    """The built embed script; fails the test with the fix if it is not built."""
    if not BUNDLE.exists():
        pytest.fail(f"{BUNDLE} is not built: run `make widget` (make test does it).")
    return BUNDLE.read_bytes()


def bundle_sizes(body: bytes) -> tuple[int, int]:
    """(raw, gzipped at level 9) sizes in bytes."""
    return len(body), len(gzip.compress(body, compresslevel=9))
