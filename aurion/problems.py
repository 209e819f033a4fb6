"""Errors the API reports as `application/problem+json` (RFC 9457).

Services raise these; `aurion.api.errors` turns them into responses. Each has a
stable machine word in `code` that integrators can branch on.
"""

from http import HTTPStatus


class Problem(Exception):
    """An error with an HTTP status, a stable `code` and a human `detail`."""

    def __init__(self, status: int, code: str, detail: str, **extra):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase

    def to_dict(self) -> dict:
        return {
            "type": f"urn:aurion:problem:{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            **self.extra,
        }


class ValidationProblem(Problem):
    """A request field is missing, mistyped or out of range (422)."""

    def __init__(self, field: str, detail: str):
        super().__init__(422, "validation_error", detail, field=field)


class NotFoundProblem(Problem):
    def __init__(self, detail: str, code: str = "not_found"):
        super().__init__(404, code, detail)
