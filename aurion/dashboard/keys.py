"""API keys: create with chosen scopes (shown once), list, revoke."""

from flask import flash, g, redirect, render_template, request, url_for

from aurion.dashboard.base import bp, tenant_id
from aurion.problems import ValidationProblem
from aurion.schemas.fields import parse
from aurion.schemas.keys import NewApiKey
from aurion.services.api_keys import SCOPES, create_api_key, find_tenant_api_key, list_api_keys, revoke_api_key


def _keys_page(new_key: str | None = None, error: str | None = None, status: int = 200):
    page = render_template(
        "dashboard/keys.html", keys=list_api_keys(tenant_id()), scopes=SCOPES, new_key=new_key, error=error
    )
    return page, status


@bp.get("/keys")
def keys():
    """The tenant's API keys with their scopes and last use, and the form to create one."""
    return _keys_page()


@bp.post("/keys")
def create_key():
    """Create a key; the page shows it this once (it is stored only as a hash)."""
    try:
        name = parse(NewApiKey, {"name": request.form.get("name", "")}).name
        _, raw_key = create_api_key(g.admin.tenant, request.form.getlist("scopes"), name)
    except ValidationProblem as problem:
        return _keys_page(error=problem.detail, status=422)
    except ValueError as exc:
        return _keys_page(error=str(exc), status=422)
    return _keys_page(new_key=raw_key, status=201)


@bp.post("/keys/<int:key_id>/revoke")
def revoke_key(key_id: int):
    """Revoke a key: it stops working at once."""
    api_key = find_tenant_api_key(tenant_id(), key_id)
    revoke_api_key(api_key)
    flash(f"Key {api_key.prefix}\u2026 revoked; requests with it are refused from now on.")
    return redirect(url_for("dashboard.keys"))
