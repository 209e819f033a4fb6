"""The `/api/v1` surfaces, one blueprint each."""

from flask import Flask

from aurion.api import (
    attachments,
    calls,
    config,
    conversations,
    embed,
    errors,
    headers,
    knowledge,
    limits,
    monitoring,
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
    headers.init_app(app)
    monitoring.init_app(app)
    for surface in (config, embed, knowledge, widget, attachments, conversations, calls, webhooks, voice, socket, voice_socket, openapi):
        app.register_blueprint(surface.bp)
