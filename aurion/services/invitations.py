"""Invitations: an owner asks a new teammate in with a one-time link.

Decisions (also in docs/dashboard.md):
- The link carries a random token; only its SHA-256 is stored, so a database leak opens
  no account. The link is shown to the owner once (and emailed when SMTP is set up).
- A link works once and for INVITATION_LIFETIME. Using it is a conditional update
  (`used_at IS NULL`), so two browsers racing on one link create one account.
- Inviting an address again withdraws its earlier pending link.
- An address signs in to one team (emails are unique across tenants). Inviting one of
  this team's members is refused; inviting an address of another tenant's team looks
  like any invitation to the owner (refusing it would tell them who uses Aurion), and
  the invitee, on accepting, is told why it cannot join (409).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import update

from aurion.extensions import db
from aurion.models import Admin, Invitation, Tenant
from aurion.problems import NotFoundProblem, Problem, ValidationProblem
from aurion.schemas.fields import clean_email
from aurion.schemas.team import ROLES
from aurion.services.colors import widget_colors
from aurion.services.email import queue_email
from aurion.services.public_ids import new_public_id
from aurion.services.team import clean_display_name, display_name
from aurion.services.tenants import MIN_PASSWORD_LENGTH, create_admin
from aurion.timestamps import utcnow

INVITATION_LIFETIME = timedelta(days=7)
INVITATION_PATH = "/dashboard/invitations/"
# The invitation email's colour when the tenant has no widget to take it from (the dashboard's top bar).
DEFAULT_EMAIL_COLOR = "#1e1b4b"


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    link: str  # shown once: only the token's hash is stored
    emailed: bool


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_link(token: str) -> str:
    return current_app.config["AURION_DASHBOARD_URL"].rstrip("/") + INVITATION_PATH + token


def _pending(tenant_id: int):
    return db.select(Invitation).where(
        Invitation.tenant_id == tenant_id, Invitation.used_at.is_(None), Invitation.expires_at > utcnow()
    )


def pending_invitations(tenant_id: int) -> list[Invitation]:
    """The tenant's invitations not yet used, withdrawn or expired, newest first."""
    return list(db.session.execute(_pending(tenant_id).order_by(Invitation.id.desc())).scalars())


def invite(tenant: Tenant, email: str, role: str, invited_by: Admin | None = None) -> NewInvitation:
    """A new one-time link for `email` to join `tenant` as `role`; emailed when email is on. Commits."""
    address = clean_email(email)
    if address is None:
        raise ValidationProblem("email", "Enter the email address of the person to invite.")
    if role not in ROLES:
        raise ValidationProblem("role", f"The role must be one of {', '.join(ROLES)}.")
    # Only this team's members are refused here: saying that an address signs in to another
    # tenant's dashboard would tell this owner who uses Aurion. The invitee learns it on accepting.
    if db.session.execute(db.select(Admin.id).filter_by(email=address, tenant_id=tenant.id)).first():
        raise ValidationProblem("email", f"{address} is already on your team.")
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.tenant_id == tenant.id, Invitation.email == address, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        public_id=new_public_id("inv_"),
        tenant_id=tenant.id,
        email=address,
        role=role,
        token_hash=_token_hash(token),
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=now + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.commit()
    link = invitation_link(token)
    return NewInvitation(invitation, link, _email_invitation(tenant, invitation, link, invited_by) is not None)


def _email_invitation(tenant: Tenant, invitation: Invitation, link: str, invited_by: Admin | None):
    inviter = display_name(invited_by) if invited_by else "An owner"
    widget = tenant.widgets[0] if tenant.widgets else None
    context = {
        "widget": {"name": tenant.name},
        "colors": widget_colors(widget.primary_color if widget else DEFAULT_EMAIL_COLOR),
        "inviter": inviter,
        "tenant": tenant,
        "invitation": invitation,
        "link": link,
        "days": INVITATION_LIFETIME.days,
    }
    text = render_template("email/invitation.txt", **context)
    html = render_template("email/invitation.html", **context)
    subject = f"{inviter} invites you to the {tenant.name} support team on Aurion"
    return queue_email(tenant.id, "invitation", invitation.email, subject, text, html)


def withdraw_invitation(tenant_id: int, public_id: str) -> None:
    """Make a pending invitation's link useless; 404 for another tenant's or an unknown one."""
    done = db.session.execute(
        update(Invitation)
        .where(Invitation.tenant_id == tenant_id, Invitation.public_id == public_id, Invitation.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    db.session.commit()
    if not done:
        raise NotFoundProblem("There is no such pending invitation.", "invitation_not_found")


def open_invitation(token: str) -> Invitation:
    """The invitation of a link, while it can still be used; otherwise a problem that says why."""
    invitation = db.session.execute(db.select(Invitation).filter_by(token_hash=_token_hash(token))).scalar_one_or_none()
    if invitation is None:
        raise NotFoundProblem("This invitation link is not valid. Check that it was copied whole, or ask for a new one.", "invitation_not_found")
    if invitation.used_at is not None:
        raise Problem(410, "invitation_used", "This invitation link was already used (or withdrawn). Sign in, or ask an owner for a new link.")
    if invitation.expires_at <= utcnow():
        raise Problem(410, "invitation_expired", "This invitation link has expired. Ask an owner of the team for a new one.")
    return invitation


def accept_invitation(token: str, name: str, password: str) -> Admin:
    """Create the invited teammate's account, once per link; 422 on a bad name or password. Commits."""
    invitation = open_invitation(token)
    name = clean_display_name(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationProblem("password", f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    claimed = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None)).values(used_at=utcnow())
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Problem(410, "invitation_used", "This invitation link was already used (or withdrawn). Sign in, or ask an owner for a new link.")
    try:
        return create_admin(invitation.tenant, invitation.email, password, role=invitation.role, display_name=name)
    except ValueError as exc:  # the address signs in to another team (one address, one team)
        db.session.rollback()
        raise Problem(
            409,
            "email_taken",
            f"{invitation.email} already signs in to an Aurion dashboard, and an address belongs to one team. "
            "Ask the owner who invited you for an invitation to another address.",
        ) from exc
