"""The people of a tenant's team as visitors and teammates see them: a name and an avatar."""

import hashlib

from aurion.models import Admin

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
