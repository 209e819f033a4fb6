"""The dashboard blueprint and what every page of it shares: the signed-in admin, their role's reach, CSRF."""

from flask import Blueprint, g, redirect, request, url_for

from aurion.dashboard import csrf
from aurion.dashboard.forms import FIELD_LIMITS
from aurion.dashboard.session import signed_in_admin
from aurion.models import Admin
from aurion.problems import Problem
from aurion.services.email import NOT_SENT, email_enabled, note_presence
from aurion.services.team import is_owner, person_card

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

# Pages a signed-out visitor may open.
PUBLIC_ENDPOINTS = frozenset({"dashboard.login", "dashboard.invitation"})
# What an `agent` may reach, by path under /dashboard: the inbox and everything under it
# (conversations, their actions and live events), attachments, calls, their own profile.
# Gating by path, not by endpoint name, lets new inbox actions work for agents without a list to keep.
AGENT_PATHS = ("/inbox", "/attachments", "/calls", "/profile")
AGENT_ENDPOINTS = frozenset({"dashboard.home", "dashboard.logout"})


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
        if not may_reach(g.admin, request.endpoint, request.path):
            raise Problem(403, "owners_only", "This page is for owners only. Ask an owner of your team if you need something here.")
    return None


def may_reach(admin: Admin, endpoint: str, path: str) -> bool:
    """Whether `admin` may use this dashboard page or action: an owner every one, an agent those of AGENT_PATHS."""
    if is_owner(admin) or endpoint in PUBLIC_ENDPOINTS | AGENT_ENDPOINTS:
        return True
    inside = path.removeprefix(bp.url_prefix)
    return any(inside == section or inside.startswith(section + "/") for section in AGENT_PATHS)


def may_open(endpoint: str) -> bool:
    """Whether the signed-in admin may open the page of `endpoint` (one without arguments): the nav shows only those."""
    admin = g.get("admin")
    return admin is not None and may_reach(admin, endpoint, url_for(endpoint))


@bp.app_context_processor
def page_helpers() -> dict:
    return {
        "csrf_token": csrf.csrf_token,
        "admin": g.get("admin"),
        "field_limits": FIELD_LIMITS,
        "may_open": may_open,
        "person_card": person_card,
        # Without AURION_SMTP_URL every page says what is not sent.
        "email_not_sent": () if email_enabled() else NOT_SENT,
    }


def tenant_id() -> int:
    """The signed-in admin's tenant: every query of a dashboard page is scoped to it."""
    return g.admin.tenant_id
