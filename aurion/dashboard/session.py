"""Who is signed in to the dashboard, kept in Flask's signed session cookie.

The cookie holds the admin's id and a fingerprint of their password hash, so
changing the password signs out every other browser. Signing in starts a fresh
session (new CSRF token); signing out clears it.
"""

import hashlib
import hmac

from flask import current_app, session

from aurion.extensions import db
from aurion.models import Admin

ADMIN_KEY = "admin_id"
FINGERPRINT_KEY = "admin_fingerprint"


def _fingerprint(admin: Admin) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, admin.password_hash.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def sign_in(admin: Admin) -> None:
    """Start a new dashboard session for `admin`, dropping whatever the old one held."""
    session.clear()
    session.permanent = True
    session[ADMIN_KEY] = admin.id
    session[FINGERPRINT_KEY] = _fingerprint(admin)


def sign_out() -> None:
    session.clear()


def signed_in_admin() -> Admin | None:
    """The admin this browser is signed in as, or None."""
    admin_id = session.get(ADMIN_KEY)
    if not isinstance(admin_id, int):
        return None
    admin = db.session.get(Admin, admin_id)
    if admin is None or not hmac.compare_digest(session.get(FINGERPRINT_KEY, ""), _fingerprint(admin)):
        return None
    return admin
