"""The demo set-up that `make run` creates, so a new user sees everything at once."""

import secrets
from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from aurion.extensions import db
from aurion.models import Admin, Widget
from aurion.problems import NotFoundProblem
from aurion.services.api_keys import SCOPES, create_api_key
from aurion.services.tenants import create_admin, create_tenant, find_tenant_by_name

DEMO_TENANT = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.test"
DEMO_DOMAINS = ["127.0.0.1", "localhost"]


@dataclass(frozen=True)
class Demo:
    tenant_id: int
    widget_id: str
    admin_email: str
    admin_password: str
    api_key: str


def setup_demo() -> Demo:
    """Create the demo tenant, widget, admin and key, or refresh them if they exist.

    Passwords and keys are stored only as hashes, so each run sets a new admin
    password and mints a new key, and prints both.
    """
    tenant = find_tenant_by_name(DEMO_TENANT, missing_ok=True) or create_tenant(DEMO_TENANT)
    widget = tenant.widgets[0]
    widget.name = "Demo site"
    widget.allow_anonymous = True
    widget.allowed_domains = sorted(set(widget.allowed_domains) | set(DEMO_DOMAINS))
    password = secrets.token_urlsafe(12)
    admin = db.session.execute(db.select(Admin).filter_by(email=DEMO_ADMIN_EMAIL)).scalar_one_or_none()
    if admin is None:
        create_admin(tenant, DEMO_ADMIN_EMAIL, password)
    else:
        admin.password_hash = generate_password_hash(password, method="scrypt")
    db.session.commit()
    _, api_key = create_api_key(tenant, list(SCOPES), name="make run demo")
    return Demo(tenant.id, widget.public_id, DEMO_ADMIN_EMAIL, password, api_key)


def demo_widget() -> Widget:
    """The demo tenant's widget, which the demo page embeds."""
    tenant = find_tenant_by_name(DEMO_TENANT, missing_ok=True)
    if tenant is None or not tenant.widgets:
        raise NotFoundProblem("There is no demo yet: run `flask aurion setup-demo` (make run does).", "demo_not_set_up")
    return tenant.widgets[0]


def demo_page_url(base_url: str) -> str:
    """Where the demo page is: the server under its other loopback name, so page and API are different origins."""
    return swap_loopback_name(base_url) + "/demo"


def swap_loopback_name(url: str) -> str:
    """`http://127.0.0.1:5000` ⇄ `http://localhost:5000`; other hosts stay as they are."""
    if "://127.0.0.1" in url:
        return url.replace("://127.0.0.1", "://localhost", 1)
    return url.replace("://localhost", "://127.0.0.1", 1)
