"""The dashboard blueprint and what every page of it shares: the signed-in admin, CSRF."""

from flask import Blueprint, g, redirect, request, url_for

from aurion.dashboard import csrf
from aurion.dashboard.forms import FIELD_LIMITS
from aurion.dashboard.session import signed_in_admin
from aurion.services.email import NOT_SENT, email_enabled, note_presence

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

# Pages a signed-out visitor may open.
PUBLIC_ENDPOINTS = frozenset({"dashboard.login"})


@bp.before_request
def check_csrf():
    """Every POST of the dashboard must carry the session's CSRF token."""
    csrf.protect()


@bp.before_request
def require_admin():
    """Pages are for the tenant's signed-in admins; others are sent to sign in first."""
    g.admin = signed_in_admin()
    if g.admin is None and request.endpoint not in PUBLIC_ENDPOINTS:
        return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
    if g.admin is not None:
        note_presence(g.admin)  # "no admin online" decides the waiting-conversation email
    return None


@bp.app_context_processor
def page_helpers() -> dict:
    return {
        "csrf_token": csrf.csrf_token,
        "admin": g.get("admin"),
        "field_limits": FIELD_LIMITS,
        # Without AURION_SMTP_URL every page says what is not sent.
        "email_not_sent": () if email_enabled() else NOT_SENT,
    }


def tenant_id() -> int:
    """The signed-in admin's tenant: every query of a dashboard page is scoped to it."""
    return g.admin.tenant_id
