"""Allowed domains: how an admin's entries are normalised and how origins match.

Decisions (also in docs/config-api.md):
- An entry is a host name, an IP address, or `*.` followed by a host name with at
  least two labels (`*.example.com`). A bare `*` or `*.com` is refused.
- A pasted URL (`https://Example.com:8443/pricing`) is reduced to its host
  (`example.com`); case, a trailing dot and the port are dropped.
- `*.example.com` matches any subdomain at any depth (`a.example.com`,
  `a.b.example.com`) but not `example.com` itself: list both when both embed.
- Matching is by exact host; ports are ignored.
"""

import ipaddress
import re
from urllib.parse import urlsplit

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class DomainError(ValueError):
    """An allowed-domain entry that cannot be understood."""


def _host_from_entry(entry: str) -> str:
    text = entry.strip().lower()
    if "://" in text:
        text = urlsplit(text).netloc
    else:
        text = text.split("/", 1)[0]
    text = text.rsplit("@", 1)[-1]
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    return text.split(":", 1)[0].rstrip(".")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _check_hostname(host: str, original: str) -> None:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise DomainError(f"{original!r} is not a valid domain name.") from exc
    labels = ascii_host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise DomainError(f"{original!r} is not a valid domain name.")


def normalize_domain(entry: str) -> str:
    """The canonical form of one allowed-domain entry, or `DomainError`."""
    if not isinstance(entry, str) or not entry.strip():
        raise DomainError("Each allowed domain must be a non-empty string.")
    host = _host_from_entry(entry)
    if not host:
        raise DomainError(f"{entry!r} has no host name.")
    if _is_ip(host):
        return host
    wildcard = host.startswith("*.")
    bare = host[2:] if wildcard else host
    if "*" in bare:
        raise DomainError(f"{entry!r}: a wildcard is only allowed as the first label, as in *.example.com.")
    _check_hostname(bare, entry)
    bare = bare.encode("idna").decode("ascii")
    if wildcard and "." not in bare:
        raise DomainError(f"{entry!r} would match a whole top-level domain; name a domain such as *.example.com.")
    return f"*.{bare}" if wildcard else bare


def origin_host(origin: str | None) -> str | None:
    """The host of an `Origin` or `Referer` header, or None if it has none.

    The literal `null` origin (sandboxed frames, file: pages) has no host.
    """
    if not origin or origin.strip().lower() == "null":
        return None
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.rstrip(".").lower()


def host_allowed(host: str | None, allowed_domains: list[str]) -> bool:
    """Whether `host` is one of `allowed_domains` (exact, or under a wildcard)."""
    if not host:
        return False
    for entry in allowed_domains:
        if entry.startswith("*."):
            if host.endswith(entry[1:]):
                return True
        elif host == entry:
            return True
    return False
