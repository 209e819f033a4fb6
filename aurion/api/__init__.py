"""The `/api/v1` surfaces, one blueprint each."""

from flask import Flask

from aurion.api import config, errors, knowledge, openapi


def init_app(app: Flask) -> None:
    errors.init_app(app)
    for blueprint in (config.bp, knowledge.bp, openapi.bp):
        app.register_blueprint(blueprint)
