"""Our Flask integration of pydantic: each API view declares its operation once.

`@operation(...)`, placed under the route decorator (and under `api_key_required`),
declares what the view takes and gives: its JSON body and query string as models of
`aurion.schemas`, its responses, and the problems it may answer. It parses the body
into the view's `body` argument and the query string into `query` (a bad one is a
422 problem naming the field, like every other error of the API), and records the
declaration on the view, where `aurion.api.openapi` finds it through the app's
url_map: the document lists exactly the routes the app serves.

Why our own hundred lines rather than flask-openapi3, spectree or apiflask: those
replace Flask's app or Blueprint classes, or answer bad input with their own error
bodies, while every error of ours is RFC 9457 problem JSON with a stable `code` and
a `field`, and the two WebSocket endpoints (flask-sock routes, whose handshake is an
ordinary GET) must be documented beside the rest. pydantic does the hard part
(validation, and JSON Schema 2020-12, which is OpenAPI 3.1's own dialect); what is
left is small enough to own. See docs/api.md.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import wraps

from flask import Response, current_app, request
from pydantic import BaseModel

from aurion.api.requests import json_body
from aurion.schemas.fields import parse

# Security requirements, as OpenAPI writes them.
API_KEY = [{"ApiKey": []}]
VISITOR_BEARER = [{"VisitorBearer": []}]
PUBLIC: list = []

PROBLEM_DESCRIPTIONS = {
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
_BODY_PROBLEMS = (400, 413, 415, 422)


@dataclass(frozen=True)
class Reply:
    """A documented response: a JSON `model`, or another `media_type` whose body `schema` describes."""

    description: str
    model: type[BaseModel] | None = None
    media_type: str = "application/json"
    schema: dict | None = None
    headers: Mapping[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """What one view takes and gives, for parsing its requests and for the OpenAPI document."""

    summary: str
    description: str | None
    responses: Mapping[int, Reply]
    problems: Mapping[int, str]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    form: dict | None = None
    security: list | None = None
    scope: str | None = None

    def for_view(self, view: Callable) -> "Operation":
        """The operation as the routed `view` serves it: an `api_key_required` view adds the
        API key, its scope and their problems (401, 403)."""
        required_scope = getattr(view, "required_scope", None)
        if required_scope is None:
            return self
        return replace(
            self,
            scope=self.scope or required_scope,
            security=self.security if self.security is not None else API_KEY,
            problems=_problem_table([*self.problems.items(), 401, 403]),
        )


def _problem_table(statuses: Iterable[int | tuple[int, str]]) -> dict[int, str]:
    table = {}
    for status in statuses:
        number, description = status if isinstance(status, tuple) else (status, PROBLEM_DESCRIPTIONS[status])
        table.setdefault(number, description)
    return dict(sorted(table.items()))


def operation(
    summary: str,
    *,
    responses: Mapping[int, Reply],
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    form: dict | None = None,
    problems: Iterable[int | tuple[int, str]] = (),
    security: list | None = None,
    scope: str | None = None,
    description: str | None = None,
    websocket: bool = False,
) -> Callable:
    """Declare a view's operation; parse its `body` and `query` into the view's arguments of those names.

    `problems` lists the statuses the view itself may raise, each a number or a
    (number, description) pair; those that follow from the declaration are added:
    400/413/415/422 with a body, 422 with a query, 404 with path parameters (added
    by the document). Placed under `api_key_required` (which then checks the key
    before the body is parsed), the view is documented with the API key, its scope,
    401 and 403 (`Operation.for_view`). Without `security`, a view is public. A WebSocket
    route (`websocket=True`) is documented, not wrapped: its blueprint checks the
    handshake, since nothing can be answered once the socket is open.
    """

    def decorate(view: Callable) -> Callable:
        derived: list[int] = []
        if body is not None:
            derived += _BODY_PROBLEMS
        if query is not None:
            derived.append(422)
        declared = Operation(
            summary=summary,
            description=description,
            responses=dict(responses),
            problems=_problem_table([*problems, *derived]),
            body=body,
            query=query,
            form=form,
            security=security,
            scope=scope,
        )
        if websocket:
            view.operation = declared
            return view

        @wraps(view)
        def parsed(*args, **kwargs):
            if body is not None:
                kwargs["body"] = parse(body, json_body())
            if query is not None:
                kwargs["query"] = parse(query, request.args.to_dict())
            answer = view(*args, **kwargs)
            if current_app.testing:
                answer = _checked(declared, answer)
            return answer

        parsed.operation = declared
        return parsed

    return decorate


def _checked(declared: Operation, answer) -> Response:
    """The test suite's contract check: a JSON answer must fit its documented model."""
    response = current_app.make_response(answer)
    reply = declared.responses.get(response.status_code)
    if reply is not None and reply.model is not None and response.is_json:
        reply.model.model_validate_json(response.get_data())
    return response
