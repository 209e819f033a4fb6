"""The OpenAPI document and the app's routes describe each other exactly."""

import re


def _routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    return routes


def _documented(document) -> set[tuple[str, str]]:
    return {(path, method) for path, operations in document["paths"].items() for method in operations}


def test_every_route_is_documented_and_every_documented_route_exists(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert _routes(app) == _documented(document)


def test_every_operation_declares_security_and_responses(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "security" in operation, (path, method)
            assert operation["responses"], (path, method)


def test_documented_scopes_match_the_views(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        scope = getattr(view, "required_scope", None)
        if scope is None:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert document["paths"][path][method.lower()]["x-required-scope"] == scope


def test_every_schema_reference_resolves(client):
    document = client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in document["components"]["schemas"]


def test_the_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import OpenAPIV31SpecValidator

    document = client.get("/api/v1/openapi.json").get_json()
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_every_problem_and_json_body_is_a_schema_reference(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            bodies = [operation.get("requestBody", {})] + list(operation["responses"].values())
            for body in bodies:
                for media_type, content in body.get("content", {}).items():
                    if media_type in ("application/json", "application/problem+json") and path != "/api/v1/openapi.json":
                        assert "$ref" in content["schema"], (path, method, media_type)
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert response["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_input_and_ids_lead_to_their_problems(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            parameters = operation.get("parameters", [])
            if "requestBody" in operation and "application/json" in operation["requestBody"]["content"]:
                assert {"400", "413", "415", "422"} <= statuses, (path, method)
            if any(parameter["in"] == "query" for parameter in parameters):
                assert "422" in statuses, (path, method)
            if any(parameter["in"] == "path" for parameter in parameters):
                assert "404" in statuses, (path, method)
            if operation["security"] == [{"ApiKey": []}]:
                assert {"401", "403"} <= statuses, (path, method)


def test_the_websockets_are_documented_as_their_handshake(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/widget/ws", "/api/v1/widget/voice"):
        handshake = paths[path]["get"]
        assert "101" in handshake["responses"] and "401" in handshake["responses"]
        assert "token" in [parameter["name"] for parameter in handshake["parameters"]]


def test_limits_are_documented_from_the_models(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert schemas["WidgetMessageRequest"]["properties"]["content"]["maxLength"] == 4000
    assert schemas["WidgetConfigUpdate"]["properties"]["allowed_domains"]["maxItems"] == 100
    search = document["paths"]["/api/v1/voice-widget/articles/search"]["get"]["parameters"]
    limit = next(parameter for parameter in search if parameter["name"] == "limit")
    assert (limit["schema"]["maximum"], limit["schema"]["default"]) == (20, 5)
