"""The visitors API: erasing a visitor's data on request (GDPR)."""

from flask import Blueprint, g

from aurion.api.operations import Reply, operation
from aurion.api.requests import api_key_required
from aurion.schemas.visitors import VisitorErasure, VisitorErasureQuery
from aurion.services.retention import forget_visitor
from aurion.services.widgets import find_tenant_widget

bp = Blueprint("visitors_api", __name__, url_prefix="/api/v1/visitors")


@bp.delete("")
@api_key_required("conversations:write")
@operation(
    "Erase a visitor's data (GDPR)",
    query=VisitorErasureQuery,
    responses={200: Reply("What was erased", VisitorErasure)},
    problems=[404],
    description=(
        "Deletes the tenant's visitor with this email (in one widget with `widget_id`): their sessions, "
        "conversations with every message, uploaded files, knowledge-gap questions and stored webhook "
        "deliveries about them. Their open sockets are closed (4401) when their sessions are next checked. "
        "The same as `flask aurion forget-visitor --email ...`."
    ),
)
def delete_visitor(query: VisitorErasureQuery):
    """Erase every trace of the visitor with `email` in the API key's tenant."""
    widget = find_tenant_widget(g.api_key.tenant_id, query.widget_id) if query.widget_id is not None else None
    return forget_visitor(query.email, tenant_id=g.api_key.tenant_id, widget=widget).to_dict()
