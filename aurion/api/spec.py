"""Building blocks for the OpenAPI document; each API module describes its own paths."""

API_KEY = [{"ApiKey": []}]
VISITOR_BEARER = [{"VisitorBearer": []}]
PUBLIC: list = []


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def json_request(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": json_content(schema)}


def response(description: str, schema: dict | None = None, headers: dict | None = None) -> dict:
    body: dict = {"description": description}
    if schema is not None:
        body["content"] = json_content(schema)
    if headers:
        body["headers"] = headers
    return body


_PROBLEM_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or invalid credentials",
    403: "Credentials lack the scope, or the origin is not allowed",
    404: "Not found",
    409: "The resource's state forbids this (e.g. a closed conversation)",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Validation failed; `field` names the offending field",
    429: "Rate limit exceeded; see Retry-After",
}


def problems(*statuses: int) -> dict:
    """Problem responses for `statuses`, keyed by status code."""
    return {
        str(status): {
            "description": _PROBLEM_DESCRIPTIONS[status],
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
        for status in statuses
    }


def widget_id_query() -> dict:
    return {
        "name": "widget_id",
        "in": "query",
        "required": False,
        "description": "Act on this widget of the tenant instead of its default widget.",
        "schema": {"type": "string"},
    }


def operation(summary: str, security: list, responses: dict, scope: str | None = None, **extra) -> dict:
    """One operation; `scope` is recorded as `x-required-scope` and in the description."""
    body = {"summary": summary, "security": security, "responses": responses, **extra}
    if scope:
        body["x-required-scope"] = scope
        body["description"] = (extra.get("description", "") + f"\n\nRequires the `{scope}` scope.").strip()
    return body
