"""Visitors' data: the GDPR erasure of one visitor (`DELETE /visitors`)."""

from pydantic import Field

from aurion.schemas.fields import Email, Model, Query


class VisitorErasureQuery(Query):
    email: Email = Field(description="The visitor's email address, as the email tokens carry it (case does not matter).")
    # Not `Text`: an id that cannot exist is answered like an unknown one, 404.
    widget_id: str | None = Field(None, description="Only this widget's visitor; otherwise every widget of the tenant.")


class VisitorErasure(Model):
    """What was erased; all zero when the tenant has no visitor with that email (erasing is idempotent)."""

    visitors: int
    conversations: int
    messages: int
    files: int
