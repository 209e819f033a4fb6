"""The team: owners invite teammates, change their roles and remove them; a new teammate
accepts their invitation; every admin edits their own profile (name, avatar)."""

from flask import flash, g, redirect, render_template, request, url_for

from aurion.dashboard.base import bp, tenant_id
from aurion.dashboard.session import sign_in
from aurion.problems import Problem, ValidationProblem
from aurion.schemas.team import ROLES
from aurion.services.avatars import avatar_size_limit, forget_avatar_file, remove_avatar, store_avatar
from aurion.services.invitations import (
    INVITATION_LIFETIME,
    accept_invitation,
    invite,
    open_invitation,
    pending_invitations,
    withdraw_invitation,
)
from aurion.services.team import (
    change_role,
    display_name,
    find_teammate,
    owner_count,
    remove_teammate,
    rename,
    team_members,
)


def _team_page(new_invitation=None, error: str | None = None, email: str = "", status: int = 200):
    page = render_template(
        "dashboard/team.html",
        members=team_members(tenant_id()),
        invitations=pending_invitations(tenant_id()),
        owners=owner_count(tenant_id()),
        roles=ROLES,
        new_invitation=new_invitation,
        error=error,
        email=email,
        invitation_days=INVITATION_LIFETIME.days,
    )
    return page, status


@bp.get("/team")
def team():
    """The tenant's teammates with their roles, pending invitations, and the form to invite."""
    return _team_page()


@bp.post("/team/invitations")
def invite_teammate():
    """Invite someone by email: the one-time link is shown this once (and emailed when email is on)."""
    email = request.form.get("email", "")
    try:
        new_invitation = invite(g.admin.tenant, email, request.form.get("role", ""), invited_by=g.admin)
    except Problem as problem:
        return _team_page(error=problem.detail, email=email, status=problem.status)
    return _team_page(new_invitation=new_invitation, status=201)


@bp.post("/team/invitations/<invitation_id>/withdraw")
def withdraw_teammate_invitation(invitation_id: str):
    """Withdraw a pending invitation: its link stops working."""
    withdraw_invitation(tenant_id(), invitation_id)
    flash("Invitation withdrawn; its link no longer works.")
    return redirect(url_for("dashboard.team"))


@bp.post("/team/<int:admin_id>/role")
def change_teammate_role(admin_id: int):
    """Make a teammate an owner or an agent (never the last owner an agent)."""
    teammate = find_teammate(tenant_id(), admin_id)
    change_role(teammate, request.form.get("role", ""))
    flash(f"{display_name(teammate)} is now {'an owner' if teammate.role == 'owner' else 'an agent'}.")
    return redirect(url_for("dashboard.team" if teammate.role == "owner" or teammate.id != g.admin.id else "dashboard.home"))


@bp.post("/team/<int:admin_id>/remove")
def remove_teammate_view(admin_id: int):
    """Remove a teammate's account (never the last owner's); their messages stay."""
    teammate = find_teammate(tenant_id(), admin_id)
    name = display_name(teammate)
    forget_avatar_file(remove_teammate(teammate))
    flash(f"{name} was removed from the team.")
    return redirect(url_for("dashboard.team"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The invited person's page: choose a name and password, then they are signed in."""
    invitation = open_invitation(token)
    errors: dict[str, str] = {}
    name = request.form.get("display_name", "")
    if request.method == "POST":
        try:
            admin = accept_invitation(token, name, request.form.get("password", ""))
        except Problem as problem:
            if problem.status != 422:
                raise
            errors[problem.extra.get("field", "password")] = problem.detail
        else:
            sign_in(admin)
            flash(f"Welcome to the {admin.tenant.name} team, {display_name(admin)}.")
            return redirect(url_for("dashboard.home"))
    page = render_template("dashboard/invitation.html", invitation=invitation, token=token, name=name, errors=errors)
    return page, 422 if errors else 200


def _profile_page(errors: dict[str, str] | None = None, status: int = 200):
    return render_template("dashboard/profile.html", errors=errors or {}, avatar_size_limit=avatar_size_limit()), status


@bp.get("/profile")
def profile():
    """The signed-in admin's name and avatar, as visitors and teammates see them."""
    return _profile_page()


@bp.post("/profile")
def update_profile():
    """Save the display name."""
    try:
        rename(g.admin, request.form.get("display_name", ""))
    except Problem as problem:
        return _profile_page({"display_name": problem.detail}, problem.status)
    flash("Your name is saved.")
    return redirect(url_for("dashboard.profile"))


@bp.post("/profile/avatar")
def upload_avatar():
    """Replace the avatar with an uploaded picture (PNG, JPEG or WebP, judged by its content)."""
    upload = request.files.get("avatar")
    try:
        if upload is None:
            raise ValidationProblem("avatar", "Choose a picture to upload.")
        store_avatar(g.admin, upload.stream)
    except Problem as problem:
        return _profile_page({"avatar": problem.detail}, problem.status)
    flash("Your picture is saved.")
    return redirect(url_for("dashboard.profile"))


@bp.post("/profile/avatar/remove")
def remove_avatar_view():
    """Back to initials on a colour."""
    remove_avatar(g.admin)
    flash("Your picture is removed; your initials show instead.")
    return redirect(url_for("dashboard.profile"))
