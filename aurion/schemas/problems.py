"""The body of every error: RFC 9457 problem details (`aurion.problems` raises them)."""

from pydantic import Field

from aurion.schemas.fields import Model


class Problem(Model):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="A stable machine word.")
    field: str | None = Field(None, description="The offending field (validation errors).")
    scope: str | None = Field(None, description="The missing scope (403 on API keys).")
