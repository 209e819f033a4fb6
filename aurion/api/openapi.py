"""The OpenAPI 3.1 document of `/api/v1`, generated from the operations the views declare.

Every rule of the app's url_map under `/api/v1` contributes the `Operation` its view
carries (`aurion.api.operations`); request and response schemas are the models'
own JSON Schema (`model_json_schema`), referenced from `components/schemas`.
"""

import re

from flask import Blueprint, Flask, current_app
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from aurion.api.operations import PUBLIC, Operation, Reply, operation
from aurion.schemas.fields import ROW_ID_MAX
from aurion.schemas.problems import Problem

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

API_PREFIX = "/api/v1"
SCHEMA_REF = "#/components/schemas/{model}"
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# Ids that cannot name a row (a NUL, an integer beyond the column) are answered 404, like unknown ones.
_PATH_SCHEMAS = {
    "int": {"type": "integer", "minimum": 0, "maximum": ROW_ID_MAX},
    None: {"type": "string"},
}


def openapi_path(rule: str) -> str:
    """`/articles/<int:article_id>` as OpenAPI writes it: `/articles/{article_id}`."""
    return _ARGUMENT.sub(lambda match: "{" + match.group(2) + "}", rule)


def documented_operations(app: Flask) -> list[tuple[Rule, str, Operation]]:
    """(rule, method, operation) for every /api/v1 route whose view declares its operation."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "operation", None)
        if rule.rule.startswith(API_PREFIX) and declared is not None:
            declared = declared.for_view(view)
            found += [(rule, method.lower(), declared) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def _schema_without_titles(schema: dict) -> dict:
    return {key: value for key, value in schema.items() if key not in ("title", "description")}


def _parameters(rule: Rule, declared: Operation, components: dict) -> list[dict]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _PATH_SCHEMAS.get(converter, _PATH_SCHEMAS[None])}
        for converter, name in _ARGUMENT.findall(rule.rule)
    ]
    if declared.query is not None:
        schema = declared.query.model_json_schema(ref_template=SCHEMA_REF)
        components.update(schema.get("$defs", {}))
        required = set(schema.get("required", ()))
        for name, field in schema["properties"].items():
            parameter = {"name": name, "in": "query", "required": name in required, "schema": _schema_without_titles(field)}
            if "description" in field:
                parameter["description"] = field["description"]
            parameters.append(parameter)
    return parameters


def _reply(reply: Reply, refs: dict) -> dict:
    answer: dict = {"description": reply.description}
    schema = refs[reply.model] if reply.model is not None else reply.schema
    if schema is not None:
        answer["content"] = {reply.media_type: {"schema": schema}}
    if reply.headers:
        answer["headers"] = dict(reply.headers)
    return answer


def _operation_object(rule: Rule, declared: Operation, refs: dict, components: dict) -> dict:
    parameters = _parameters(rule, declared, components)
    problems = dict(declared.problems)
    if any(parameter["in"] == "path" for parameter in parameters):
        problems.setdefault(404, "Not found")
    responses = {str(status): _reply(reply, refs) for status, reply in declared.responses.items()}
    for status, description in sorted(problems.items()):
        responses[str(status)] = {
            "description": description,
            "content": {"application/problem+json": {"schema": refs[Problem]}},
        }
    security = declared.security if declared.security is not None else PUBLIC
    body: dict = {"operationId": rule.endpoint, "summary": declared.summary, "security": security}
    description = declared.description or ""
    if declared.scope:
        body["x-required-scope"] = declared.scope
        description = f"{description}\n\nRequires the `{declared.scope}` scope.".strip()
    if description:
        body["description"] = description
    if parameters:
        body["parameters"] = parameters
    if declared.body is not None:
        body["requestBody"] = {"required": True, "content": {"application/json": {"schema": refs[declared.body]}}}
    elif declared.form is not None:
        body["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": declared.form}}}
    body["responses"] = responses
    return body


def openapi_document(app: Flask) -> dict:
    """The whole document for `app`."""
    operations = documented_operations(app)
    models = [(Problem, "serialization")]
    for _, _, declared in operations:
        if declared.body is not None:
            models.append((declared.body, "validation"))
        models += [(reply.model, "serialization") for reply in declared.responses.values() if reply.model is not None]
    mapping, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=SCHEMA_REF)
    refs = {model: schema for (model, _), schema in mapping.items()}
    components = dict(definitions.get("$defs", {}))
    paths: dict = {}
    for rule, method, declared in operations:
        paths.setdefault(openapi_path(rule.rule), {})[method] = _operation_object(rule, declared, refs, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Aurion API",
            "version": "1",
            "description": "Voice and chat support widget: config, visitor sessions, realtime, knowledge base, helpdesk.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "VisitorBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
    }


@bp.get("/openapi.json")
@operation("This document", responses={200: Reply("The OpenAPI 3.1 document", schema={"type": "object"})})
def get_openapi():
    """The OpenAPI 3.1 document for every /api/v1 endpoint."""
    # Built once per app: the routes and models cannot change while it runs.
    document = current_app.extensions.get("aurion_openapi")
    if document is None:
        document = current_app.extensions["aurion_openapi"] = openapi_document(current_app)
    return document
