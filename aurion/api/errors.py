"""One place that turns every error into a response: `application/problem+json` under
`/api/` and for the dashboard's scripts (which ask for JSON), an HTML page everywhere
else (the dashboard).

Bad input is refused at the edge (`aurion.schemas.fields`); a value the database still
cannot store (too long for its column, out of its range, a NUL on PostgreSQL, a lone
surrogate) is the client's error all the same: 400 `unstorable_value`, never a 500,
logged as a warning so the edge that let it through gets fixed. A rate-limit storage
that cannot be reached with the in-memory fallback turned off is a 503 with Retry-After.
"""

from flask import Flask, Response, current_app, json, render_template, request
from limits.errors import StorageError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from aurion.extensions import db
from aurion.problems import Problem

PROBLEM_MIMETYPE = "application/problem+json"

# Stable machine words for the HTTP errors Werkzeug raises on its own.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
}


API_PREFIX = "/api/"
# Retry-After while the rate-limit storage cannot be reached (and limits do not fail open).
LIMITS_RETRY_SECONDS = 5


def problem_response(problem: Problem, headers: dict | None = None) -> Response:
    """The HTTP response for `problem`: problem JSON for the API and scripts, an HTML page for people."""
    if request.path.startswith(API_PREFIX) or request.accept_mimetypes.best in ("application/json", PROBLEM_MIMETYPE):
        response = Response(json.dumps(problem.to_dict()), status=problem.status, mimetype=PROBLEM_MIMETYPE)
    else:
        response = Response(render_template("error.html", problem=problem), status=problem.status, mimetype="text/html")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    detail = error.description or ""
    if status == 404:
        detail = f"Nothing is at {request.path}."
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.path}."
    elif status == 429:
        # Flask-Limiter's description is the limit hit, e.g. "5 per 1 minute".
        detail = f"Too many requests: the limit is {detail}. Try again after Retry-After seconds."
    problem = Problem(status, _HTTP_CODES.get(status, "http_error"), detail)
    headers = {}
    original = error.get_response()
    for name in ("Allow", "Retry-After"):
        if name in original.headers:
            headers[name] = original.headers[name]
    return problem_response(problem, headers)


def _from_unexpected(error: Exception) -> Response:
    # Logged with its traceback for the operator; the client learns nothing of it.
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return problem_response(Problem(500, "internal_error", "Something went wrong on our side."))


def _from_unstorable(error: Exception) -> Response:
    if isinstance(error, UnicodeEncodeError) and error.reason != "surrogates not allowed":
        return _from_unexpected(error)
    # The transaction is dead on PostgreSQL; the error page must not reuse it.
    db.session.rollback()
    current_app.logger.warning("Unstorable value on %s %s: %s", request.method, request.path, str(error).splitlines()[0])
    return problem_response(
        Problem(
            400,
            "unstorable_value",
            "A value in the request cannot be stored: too long, out of range, or with a NUL or a lone surrogate.",
        )
    )


def _from_limit_storage(error: StorageError) -> Response:
    current_app.logger.error("Rate limit storage unreachable on %s %s: %s", request.method, request.path, error)
    problem = Problem(503, "limits_unavailable", "Rate limits cannot be checked right now; try again shortly.")
    return problem_response(problem, {"Retry-After": str(LIMITS_RETRY_SECONDS)})


def init_app(app: Flask) -> None:
    """Answer every error, expected or not, as problem JSON (or a page outside the API)."""
    app.register_error_handler(Problem, problem_response)
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(DataError, _from_unstorable)
    app.register_error_handler(UnicodeEncodeError, _from_unstorable)
    app.register_error_handler(StorageError, _from_limit_storage)
    app.register_error_handler(Exception, _from_unexpected)
