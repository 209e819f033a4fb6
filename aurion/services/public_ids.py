"""The ids the API shows: a prefix naming the kind, then random characters."""

import secrets


def new_public_id(prefix: str) -> str:
    """A random public id such as `ws_...`; ids never reveal row numbers or counts."""
    return prefix + secrets.token_urlsafe(12)
