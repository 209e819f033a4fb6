"""The `/api/v1` surfaces, one blueprint each."""

from flask import Flask

from aurion.api import (
    attachments,
    config,
    conversations,
    embed,
    errors,
    knowledge,
    limits,
    open_sockets,
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
    open_sockets.init_app(app)
    for surface in (config, embed, knowledge, widget, attachments, conversations, webhooks, voice, socket, voice_socket, openapi):
        app.register_blueprint(surface.bp)
