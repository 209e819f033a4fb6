"""Aurion: a self-hostable AI voice and chat support widget."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import aurion.engines.limit_counters  # noqa: F401  (for its effect: the limiter's redis:// storage, see there)
from aurion import api, cli, dashboard, demo, logs
from aurion.agent import dispatch
from aurion.config import Config, instance_secret_key, shipped_folder
from aurion.engines import broker, mail, metrics, webhooks
from aurion.engines.embedding import require_model
from aurion.engines.health import require_database
from aurion.extensions import db, limiter, migrate, sock
from aurion.models.types import render_migration_type
from aurion.services import email
from aurion.voice import readiness as voice_readiness


def create_app(config: type | dict | None = None) -> Flask:
    """Build the application. `config` is a settings class or mapping; default `Config`."""
    # Installed apart from the package (its wheel would pull in torch): say so at once
    # rather than at the first question a visitor asks.
    require_model()
    app = Flask(
        __name__,
        # Unset, Flask's default: instance/ in a checkout, <venv>/var/aurion-instance when installed.
        instance_path=os.environ.get("AURION_INSTANCE_PATH") or None,
        template_folder=shipped_folder("templates"),
        static_folder=shipped_folder("static"),
    )
    if isinstance(config, dict):
        app.config.from_object(Config)
        app.config.update(config)
    else:
        app.config.from_object(config or Config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "aurion.db")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    app.json.sort_keys = False  # keep fields in the order the API documents them
    proxies = app.config["AURION_TRUSTED_PROXIES"]
    if proxies:
        # The client's address, scheme and host as the proxies in front saw them (rate limits key on the address).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    logs.init_app(app)
    metrics.count_messages()
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=shipped_folder("migrations"),
        render_as_batch=True,
        render_item=render_migration_type,
    )
    limiter.init_app(app)
    sock.init_app(app)
    api.init_app(app)
    broker.init_app(app)
    webhooks.init_app(app)
    mail.init_app(app)
    email.init_app(app)
    dispatch.init_app(app)
    voice_readiness.init_app(app)
    dashboard.init_app(app)
    app.register_blueprint(demo.bp)
    cli.init_app(app)
    if app.config["AURION_REQUIRE_DATABASE"]:
        require_database(app)
    return app
