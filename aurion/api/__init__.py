"""The `/api/v1` surfaces, one blueprint each."""

from flask import Flask

from aurion.api import (
    attachments,
    calls,
    config,
    conversations,
    embed,
    errors,
    knowledge,
    limits,
    openapi,
    socket,
    voice,
    voice_socket,
    webhooks,
    widget,
)


def init_app(app: Flask) -> None:
    errors.init_app(app)
    limits.init_app(app)
    for surface in (config, embed, knowledge, widget, attachments, conversations, calls, webhooks, voice, socket, voice_socket, openapi):
        app.register_blueprint(surface.bp)
