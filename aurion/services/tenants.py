"""Tenants and their dashboard admins."""

import secrets
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from aurion.extensions import db
from aurion.models import Admin, Tenant
from aurion.problems import NotFoundProblem
from aurion.schemas.fields import clean_email
from aurion.services.widgets import create_widget

MIN_PASSWORD_LENGTH = 10


def create_tenant(name: str) -> Tenant:
    """A new tenant with its default widget. `ValueError` if the name is taken or empty."""
    name = name.strip()
    if not name:
        raise ValueError("A tenant needs a name.")
    if find_tenant_by_name(name, missing_ok=True):
        raise ValueError(f"A tenant named {name!r} already exists.")
    tenant = Tenant(name=name)
    db.session.add(tenant)
    create_widget(tenant)
    return tenant


def find_tenant_by_name(name: str, missing_ok: bool = False) -> Tenant | None:
    tenant = db.session.execute(db.select(Tenant).filter_by(name=name)).scalar_one_or_none()
    if tenant is None and not missing_ok:
        raise NotFoundProblem(f"No tenant named {name!r}.", "tenant_not_found")
    return tenant


def create_admin(tenant: Tenant, email: str, password: str, role: str = "owner", display_name: str = "") -> Admin:
    """A dashboard admin; the password is stored as a scrypt hash. Commits."""
    address = clean_email(email)
    if address is None:
        raise ValueError(f"{email!r} is not an email address (at most 254 characters).")
    email = address
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if db.session.execute(db.select(Admin).filter_by(email=email)).scalar_one_or_none():
        raise ValueError(f"An admin with email {email!r} already exists.")
    admin = Admin(
        tenant=tenant,
        email=email,
        password_hash=generate_password_hash(password, method="scrypt"),
        role=role,
        display_name=display_name,
    )
    db.session.add(admin)
    db.session.commit()
    return admin


def authenticate_admin(email: str, password: str) -> Admin | None:
    """The admin with these credentials, or None. Takes as long for an unknown email."""
    address = clean_email(email)
    admin = None
    if address is not None:
        admin = db.session.execute(db.select(Admin).filter_by(email=address)).scalar_one_or_none()
    if admin is None:
        # Hash anyway so response time does not reveal which emails exist.
        check_password_hash(_dummy_hash(), password)
        return None
    return admin if check_password_hash(admin.password_hash, password) else None


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")
