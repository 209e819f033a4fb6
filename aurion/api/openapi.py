"""The OpenAPI 3.1 document of `/api/v1`, assembled from each API module's own part."""

from flask import Blueprint

from aurion.api import attachments, config, conversations, embed, knowledge, socket, voice, voice_socket, widget

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

# Each module that serves /api/v1 routes contributes OPENAPI_PATHS (and maybe OPENAPI_SCHEMAS).
DOCUMENTED_MODULES = [config, embed, knowledge, widget, attachments, voice, socket, voice_socket, conversations]

_PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "A stable machine word."},
        "field": {"type": "string", "description": "The offending field (validation errors)."},
        "scope": {"type": "string", "description": "The missing scope (403 on API keys)."},
    },
}


def openapi_document() -> dict:
    """The whole document."""
    paths: dict = {
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI document"}},
            }
        }
    }
    schemas: dict = {"Problem": _PROBLEM_SCHEMA}
    for module in DOCUMENTED_MODULES:
        for path, operations in module.OPENAPI_PATHS.items():
            paths.setdefault(path, {}).update(operations)
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Aurion API",
            "version": "1",
            "description": "Voice and chat support widget: config, visitor sessions, realtime, knowledge base, helpdesk.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "VisitorBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
    }


@bp.get("/openapi.json")
def get_openapi():
    """The OpenAPI 3.1 document for every /api/v1 endpoint."""
    return openapi_document()
