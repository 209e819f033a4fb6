"""The demo set-up that `make run` creates, so a new user sees everything at once."""

import secrets
from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from aurion.extensions import db
from aurion.models import Admin, Widget
from aurion.problems import NotFoundProblem
from aurion.services.api_keys import SCOPES, create_api_key
from aurion.services.knowledge import create_article, list_articles
from aurion.services.tenants import create_admin, create_tenant, find_tenant_by_name

DEMO_TENANT = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.test"
# How the demo's visitors see the admin's replies ("Sam · Demo site").
DEMO_ADMIN_NAME = "Sam"
DEMO_DOMAINS = ["127.0.0.1", "localhost"]
# What the demo agent knows, so a first question on the demo page gets a real answer.
DEMO_ARTICLES = [
    {
        "title": "Adding the widget to your website",
        "body": "To install the chat and voice widget on your site, paste the embed snippet from the dashboard "
        "(Configuration > Voice Widget) into your pages, just before the closing body tag. The widget only loads on the domains listed under allowed domains, so add "
        "every host that serves your site, or a wildcard such as *.example.com for all subdomains.",
    },
    {
        "title": "Identifying signed-in visitors",
        "body": "Your backend mints an email token for each signed-in visitor with the widget's identity secret: "
        "an HMAC-SHA256 signature over the visitor's email, the widget id and an expiry. Pass it in the snippet as "
        "data-email-token or call Aurion('identify', {email_token}). Returning visitors get their conversation back.",
    },
    {
        "title": "Talking to a person",
        "body": "Ask for a person at any time, for example by writing 'can I talk to a human?'. The conversation then "
        "waits in the team's inbox and a colleague replies right here in the chat. The assistant stays quiet while a "
        "person is helping you.",
    },
    {
        "title": "Rate limits",
        "body": "A visitor can start 5 sessions a minute, send 60 messages a minute and upload 30 files a minute. "
        "Past a limit the widget waits and tells the visitor when to try again.",
    },
    {
        "title": "Uploading screenshots and files",
        "body": "Attach screenshots, PDFs or text files with the paper-clip button, by dragging them into the chat or by "
        "pasting. Files can be up to 10 MB; their type is checked from their content.",
    },
]


@dataclass(frozen=True)
class Demo:
    tenant_id: int
    widget_id: str
    admin_email: str
    admin_password: str
    api_key: str


def setup_demo() -> Demo:
    """Create the demo tenant, widget (with a small knowledge base), admin and key, or refresh them.

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
        create_admin(tenant, DEMO_ADMIN_EMAIL, password, display_name=DEMO_ADMIN_NAME)
    else:
        admin.password_hash = generate_password_hash(password, method="scrypt")
        admin.display_name = admin.display_name or DEMO_ADMIN_NAME
    db.session.commit()
    if not list_articles(widget):
        for article in DEMO_ARTICLES:
            create_article(widget, article)
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
