"""The admin dashboard at /dashboard/: server-rendered pages for a tenant's admins.

Views parse the form, call a service and render; the rules live in `aurion.services`.
"""

from flask import Flask

from aurion.dashboard import analytics, auth, calls, inbox, keys, knowledge, saved_replies, team, webhooks, widgets  # noqa: F401  (each registers its views on bp)
from aurion.dashboard.base import bp
from aurion.dashboard.security import add_security_headers


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(add_security_headers)
