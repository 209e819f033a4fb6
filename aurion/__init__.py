"""Aurion: a self-hostable AI voice and chat support widget."""

import os

from flask import Flask

from aurion import api, cli, dashboard, demo
from aurion.agent import dispatch
from aurion.config import Config, instance_secret_key
from aurion.engines import broker
from aurion.extensions import db, limiter, migrate, sock
from aurion.models.types import render_migration_type
from aurion.voice import readiness as voice_readiness


def create_app(config: type | dict | None = None) -> Flask:
    """Build the application. `config` is a settings class or mapping; default `Config`."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=os.environ.get("AURION_INSTANCE_PATH", os.path.join(root, "instance")),
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
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
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(root, "migrations"),
        render_as_batch=True,
        render_item=render_migration_type,
    )
    limiter.init_app(app)
    sock.init_app(app)
    api.init_app(app)
    broker.init_app(app)
    dispatch.init_app(app)
    voice_readiness.init_app(app)
    dashboard.init_app(app)
    app.register_blueprint(demo.bp)
    cli.init_app(app)
    return app
