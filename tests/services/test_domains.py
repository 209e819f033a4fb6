"""Allowed-domain normalisation and origin matching: the core of the allowlist."""

import pytest

from aurion.services.domains import DomainError, host_allowed, normalize_domain, origin_host


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("example.com", "example.com"),
        ("EXAMPLE.com.", "example.com"),
        ("https://Shop.Example.com:8443/pricing?x=1", "shop.example.com"),
        ("example.com/path", "example.com"),
        ("*.Example.com", "*.example.com"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
        ("bücher.de", "xn--bcher-kva.de"),
    ],
)
def test_normalize(entry, expected):
    assert normalize_domain(entry) == expected


@pytest.mark.parametrize("entry", ["", "   ", "*", "*.com", "a.*.com", "exa mple.com", "-x.com", "x..com", "https://", 7])
def test_normalize_refuses(entry):
    with pytest.raises(DomainError):
        normalize_domain(entry)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://example.com", True),
        ("http://example.com:8080", True),
        ("https://app.example.com", True),
        ("https://deep.app.example.com", True),
        ("https://other.com", False),
        ("https://example.com.evil.test", False),
        ("https://evilexample.com", False),
        ("null", False),
        (None, False),
        ("", False),
        ("file:///etc/passwd", False),
    ],
)
def test_origin_matching(origin, allowed):
    assert host_allowed(origin_host(origin), ["example.com", "*.example.com"]) is allowed


def test_wildcard_does_not_cover_the_apex():
    assert not host_allowed("example.com", ["*.example.com"])
