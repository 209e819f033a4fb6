"""API keys: minted once, stored as a hash, checked in constant time, scoped."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from aurion.extensions import db
from aurion.models import ApiKey, Tenant
from aurion.problems import NotFoundProblem, Problem
from aurion.timestamps import utcnow

KEY_PREFIX = "ak_live_"
SCOPES = (
    "voice-widget:read",
    "voice-widget:write",
    "conversations:read",
    "conversations:write",
    "webhooks:read",
    "webhooks:write",
    "calls:read",
    "calls:write",
)
# Recording every use would turn each read into a write; once a minute is enough to show.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw_key: str) -> str:
    # The key carries 256 random bits, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def validate_scopes(scopes: list[str]) -> list[str]:
    """The scopes in canonical order; `ValueError` naming any unknown one."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"Unknown scope {unknown[0]!r}; choose from {', '.join(SCOPES)}.")
    if not scopes:
        raise ValueError("Give the key at least one scope.")
    return [scope for scope in SCOPES if scope in scopes]


def create_api_key(tenant: Tenant, scopes: list[str], name: str = "") -> tuple[ApiKey, str]:
    """A new key for `tenant`; returns the row and the key itself, which is never stored."""
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(
        tenant=tenant,
        name=name,
        prefix=raw_key[: len(KEY_PREFIX) + 6],
        key_hash=_hash(raw_key),
        scopes=validate_scopes(scopes),
    )
    db.session.add(api_key)
    db.session.commit()
    return api_key, raw_key


def grants(api_key: ApiKey, scope: str) -> bool:
    """Whether `api_key` carries `scope`; a `:write` scope implies its `:read`."""
    if scope in api_key.scopes:
        return True
    resource, _, action = scope.partition(":")
    return action == "read" and f"{resource}:write" in api_key.scopes


def authenticate_api_key(raw_key: str | None) -> ApiKey:
    """The live key matching `raw_key`, or a 401 problem."""
    if not raw_key:
        raise Problem(401, "api_key_missing", "Send your API key in the X-API-Key header.")
    digest = _hash(raw_key)
    api_key = db.session.execute(db.select(ApiKey).filter_by(key_hash=digest)).scalar_one_or_none()
    # The lookup is by hash; the explicit comparison keeps the check constant-time
    # even if the index lookup ever changed to a prefix match.
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest) or api_key.revoked_at:
        raise Problem(401, "api_key_invalid", "The API key is unknown or has been revoked.")
    now = utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_RESOLUTION:
        api_key.last_used_at = now
        db.session.commit()
    return api_key


def require_scope(api_key: ApiKey, scope: str) -> None:
    """A 403 problem naming `scope` unless `api_key` carries it."""
    if not grants(api_key, scope):
        raise Problem(403, "insufficient_scope", f"This API key lacks the {scope} scope.", scope=scope)


def revoke_api_key(api_key: ApiKey) -> None:
    """Stop `api_key` working from now on; the row stays for the audit trail."""
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        db.session.commit()


def list_api_keys(tenant_id: int) -> list[ApiKey]:
    """The tenant's keys, newest first, revoked ones included (they show when they stopped)."""
    return list(
        db.session.execute(db.select(ApiKey).filter_by(tenant_id=tenant_id).order_by(ApiKey.id.desc())).scalars()
    )


def find_tenant_api_key(tenant_id: int, key_id: int) -> ApiKey:
    """The tenant's key `key_id`; another tenant's key is reported missing."""
    api_key = db.session.execute(db.select(ApiKey).filter_by(id=key_id, tenant_id=tenant_id)).scalar_one_or_none()
    if api_key is None:
        raise NotFoundProblem(f"No API key {key_id} in this tenant.", "api_key_not_found")
    return api_key
