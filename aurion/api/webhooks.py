"""The webhooks API: where a tenant's systems hear about conversations, and what was sent."""

from flask import Blueprint, g

from aurion.api.operations import Reply, operation
from aurion.api.requests import api_key_required
from aurion.models import Webhook as WebhookRow
from aurion.schemas.webhooks import (
    Delivery,
    DeliveryList,
    DeliveryListQuery,
    NewWebhook,
    Webhook,
    WebhookInput,
    WebhookList,
)
from aurion.services.webhooks import (
    create_webhook,
    delete_webhook,
    delivery_to_dict,
    find_delivery,
    find_webhook,
    list_deliveries,
    list_webhooks,
    resend,
    webhook_to_dict,
)

bp = Blueprint("webhooks_api", __name__, url_prefix="/api/v1/webhooks")


def _webhook(webhook_id: str) -> WebhookRow:
    return find_webhook(g.api_key.tenant_id, webhook_id)


@bp.get("")
@api_key_required("webhooks:read")
@operation("List webhooks", responses={200: Reply("The tenant's webhooks", WebhookList)})
def get_webhooks():
    """The tenant's webhooks, oldest first."""
    return {"webhooks": [webhook_to_dict(webhook) for webhook in list_webhooks(g.api_key.tenant_id)]}


@bp.post("")
@api_key_required("webhooks:write")
@operation(
    "Add a webhook",
    description="The response carries the signing secret; it is not shown again. "
    "A URL that is not https or reaches a private address is a 422 naming `url`.",
    body=WebhookInput,
    responses={201: Reply("The webhook with its signing secret", NewWebhook)},
)
def post_webhook(body: WebhookInput):
    """Add a webhook; its signing secret is in this response only."""
    webhook, secret = create_webhook(g.api_key.tenant, body)
    return {**webhook_to_dict(webhook), "secret": secret}, 201


@bp.get("/<webhook_id>")
@api_key_required("webhooks:read")
@operation("Read a webhook", responses={200: Reply("The webhook", Webhook)}, problems=[404])
def get_webhook(webhook_id: str):
    """One webhook (without its secret)."""
    return webhook_to_dict(_webhook(webhook_id))


@bp.delete("/<webhook_id>")
@api_key_required("webhooks:write")
@operation("Delete a webhook", responses={204: Reply("Deleted")}, problems=[404])
def remove_webhook(webhook_id: str):
    """Delete a webhook; its queued deliveries are dropped."""
    delete_webhook(_webhook(webhook_id))
    return "", 204


@bp.get("/<webhook_id>/deliveries")
@api_key_required("webhooks:read")
@operation(
    "List a webhook's recent deliveries",
    query=DeliveryListQuery,
    responses={200: Reply("The deliveries, newest first", DeliveryList)},
    problems=[404],
)
def get_deliveries(webhook_id: str, query: DeliveryListQuery):
    """The webhook's recent deliveries with their status, attempts and last response code."""
    return {"deliveries": [delivery_to_dict(d) for d in list_deliveries(_webhook(webhook_id), query.limit)]}


@bp.post("/<webhook_id>/deliveries/<delivery_id>/resend")
@api_key_required("webhooks:write")
@operation(
    "Resend a delivery",
    description="Queues the same event (same id and body) again as a new delivery.",
    responses={202: Reply("The new delivery, queued", Delivery)},
    problems=[404],
)
def resend_delivery(webhook_id: str, delivery_id: str):
    """Send an event again; the receiver can tell it is the same event by its id."""
    return delivery_to_dict(resend(find_delivery(_webhook(webhook_id), delivery_id))), 202
