"""The `/api/v1` surfaces, one blueprint each."""

from flask import Flask

from aurion.api import (
    attachments,
    avatars,
    calls,
    config,
    conversations,
    embed,
    errors,
    headers,
    knowledge,
    limits,
    monitoring,
    open_sockets,
    openapi,
    requests,
    socket,
    visitors,
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
    headers.init_app(app)
    monitoring.init_app(app)
    open_sockets.init_app(app)
    surfaces = (config, embed, knowledge, widget, attachments, avatars, conversations, calls, visitors, webhooks, voice, socket, voice_socket)
    for surface in (*surfaces, openapi):
        app.register_blueprint(surface.bp)
