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
    openapi,
    requests,
    socket,
    voice,
    voice_socket,
    webhooks,
    widget,
)


def init_app(app: Flask) -> None:
    # Before any route is added (the dashboard's too): rules bind their converter when added.
    app.url_map.converters["int"] = requests.RowId
    errors.init_app(app)
    limits.init_app(app)
    for surface in (config, embed, knowledge, widget, attachments, conversations, webhooks, voice, socket, voice_socket, openapi):
        app.register_blueprint(surface.bp)
