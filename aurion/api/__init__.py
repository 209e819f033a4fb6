"""The `/api/v1` surfaces, one blueprint each."""

from flask import Flask

from aurion.api import attachments, config, conversations, embed, errors, knowledge, limits, openapi, voice, widget


def init_app(app: Flask) -> None:
    errors.init_app(app)
    limits.init_app(app)
    for blueprint in (config.bp, embed.bp, knowledge.bp, widget.bp, attachments.bp, conversations.bp, voice.bp, openapi.bp):
        app.register_blueprint(blueprint)
