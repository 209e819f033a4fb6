"""The people of a tenant's team: how visitors and teammates see them (a name and an avatar),
their roles, and who may change them.

Decisions (also in docs/dashboard.md):
- A tenant always keeps at least one owner: the last owner can be neither demoted nor
  removed (checked under a lock on the tenant's owners, so two owners demoting each
  other at once cannot both succeed on PostgreSQL; SQLite runs one writer at a time).
- Removing a teammate deletes their account; their messages, notes and assignments stay,
  without an author (the same on SQLite, whose foreign keys are not enforced, as on PostgreSQL).
"""

import hashlib

from sqlalchemy import delete, func, update

from aurion.extensions import db
from aurion.models import Admin, Conversation, ConversationNote, ConversationRead, Invitation, Message
from aurion.problems import NotFoundProblem, Problem, ValidationProblem
from aurion.schemas.team import ADMIN_NAME_MAX_LENGTH, ROLES

# Avatar backgrounds for initials: each keeps white text above 4.5:1 contrast (WCAG AA).
AVATAR_COLORS = ("#1d4ed8", "#047857", "#b91c1c", "#6d28d9", "#c2410c", "#0e7490", "#be185d", "#4d7c0f")
# An uploaded avatar is served from here, under its random storage name (public: the widget shows it).
AVATAR_PATH = "/api/v1/voice-widget/avatars/"


def display_name(admin: Admin) -> str:
    """The admin's chosen name, or their email's local part until they choose one."""
    return admin.display_name or admin.email.split("@", 1)[0]


def initials(name: str) -> str:
    """Up to two letters: the first of the first and last words ("Sam Lee" → "SL", "sam.lee" → "S")."""
    words = name.split()
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def avatar_color(admin: Admin) -> str:
    """A stable colour per admin, from their email (so it survives renames)."""
    digest = hashlib.sha256(admin.email.encode()).digest()
    return AVATAR_COLORS[digest[0] % len(AVATAR_COLORS)]


def person_card(admin: Admin) -> dict:
    """What a visitor may see of a teammate: name, initials, colour, and the picture's path if any.

    Never the email: it is the admin's sign-in and is not the visitor's business.
    """
    name = display_name(admin)
    return {
        "name": name,
        "initials": initials(name),
        "color": avatar_color(admin),
        "avatar_url": AVATAR_PATH + admin.avatar_storage_name if admin.avatar_storage_name else None,
    }


def is_owner(admin: Admin) -> bool:
    """Owners may do everything; agents work the inbox only."""
    return admin.role == "owner"


def team_members(tenant_id: int) -> list[Admin]:
    """The tenant's admins, owners first, then by name."""
    admins = db.session.execute(db.select(Admin).filter_by(tenant_id=tenant_id)).scalars()
    return sorted(admins, key=lambda admin: (admin.role != "owner", display_name(admin).lower(), admin.id))


def find_teammate(tenant_id: int, admin_id: int) -> Admin:
    """An admin of the tenant, or 404 (also for another tenant's)."""
    admin = db.session.get(Admin, admin_id)
    if admin is None or admin.tenant_id != tenant_id:
        raise NotFoundProblem("There is no such teammate.", "teammate_not_found")
    return admin


def _require_another_owner(admin: Admin, action: str) -> None:
    """409 when `admin` is the tenant's last owner; locks the owners' rows until commit."""
    if admin.role != "owner":
        return
    owners = db.session.execute(
        db.select(Admin.id).filter_by(tenant_id=admin.tenant_id, role="owner").with_for_update()
    ).scalars().all()
    if len(owners) <= 1:
        raise Problem(409, "last_owner", f"{display_name(admin)} is the team's only owner and cannot be {action}: make someone else an owner first.")


def change_role(admin: Admin, role: str) -> None:
    """Make `admin` an owner or an agent; never the last owner an agent."""
    if role not in ROLES:
        raise ValidationProblem("role", f"The role must be one of {', '.join(ROLES)}.")
    if role != admin.role and role != "owner":
        _require_another_owner(admin, "made an agent")
    admin.role = role
    db.session.commit()


def remove_teammate(admin: Admin) -> str | None:
    """Delete `admin`'s account (never the last owner's); their messages and notes stay without an author.

    Returns the storage name of their avatar, whose file the caller deletes once this is committed.
    """
    _require_another_owner(admin, "removed")
    for model, column in ((Conversation, Conversation.assignee_id), (Message, Message.admin_id), (ConversationNote, ConversationNote.admin_id), (Invitation, Invitation.invited_by_id)):
        db.session.execute(update(model).where(column == admin.id).values({column.key: None}))
    db.session.execute(delete(ConversationRead).where(ConversationRead.admin_id == admin.id))
    avatar = admin.avatar_storage_name
    db.session.delete(admin)
    db.session.commit()
    return avatar


def clean_display_name(value: str) -> str:
    """The name as typed, trimmed; 422 on `display_name` when empty or too long."""
    name = " ".join((value or "").split())
    if not name:
        raise ValidationProblem("display_name", "Enter the name visitors and teammates will see.")
    if len(name) > ADMIN_NAME_MAX_LENGTH:
        raise ValidationProblem("display_name", f"The name must be at most {ADMIN_NAME_MAX_LENGTH} characters.")
    return name


def rename(admin: Admin, name: str) -> None:
    """Set the name visitors and teammates see; 422 when empty or too long. Commits."""
    admin.display_name = clean_display_name(name)
    db.session.commit()


def owner_count(tenant_id: int) -> int:
    return db.session.execute(db.select(func.count(Admin.id)).filter_by(tenant_id=tenant_id, role="owner")).scalar_one()
