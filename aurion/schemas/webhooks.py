"""Webhooks as the API and the dashboard take and show them."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from aurion.schemas.fields import Limit, Model, Query, Text

WEBHOOK_URL_MAX_LENGTH = 2048
# `rating.created` is accepted now and fires once visitors can rate a conversation.
WEBHOOK_EVENTS = (
    "conversation.created",
    "message.created",
    "conversation.waiting",
    "conversation.assigned",
    "conversation.closed",
    "rating.created",
    "call.ended",
)
WebhookEvent = Literal[WEBHOOK_EVENTS]
DELIVERY_STATUSES = ("pending", "delivered", "failed")
DELIVERIES_DEFAULT_LIMIT = 50
DELIVERIES_MAX_LIMIT = 100


class WebhookInput(Model):
    """A new webhook: where to POST, and which events."""

    url: Text(WEBHOOK_URL_MAX_LENGTH) = Field(
        description="https:// URL; it must resolve to public addresses (see docs/webhooks.md)."
    )
    events: list[WebhookEvent] = Field(min_length=1, max_length=len(WEBHOOK_EVENTS))


class Webhook(Model):
    id: str
    url: str
    events: list[WebhookEvent]
    created_at: datetime


class NewWebhook(Webhook):
    """The created webhook with its signing secret, shown this once."""

    secret: str = Field(description="Verifies the Aurion-Signature header; shown only in this response.")


class WebhookList(Model):
    webhooks: list[Webhook]


class Delivery(Model):
    """One event sent (or being sent) to one webhook."""

    id: str
    event_id: str
    event_type: WebhookEvent
    status: Literal[DELIVERY_STATUSES]
    attempts: int
    last_response_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When the next attempt is due; null once delivered or failed.")
    created_at: datetime
    delivered_at: datetime | None


class DeliveryList(Model):
    deliveries: list[Delivery]


class DeliveryListQuery(Query):
    limit: Limit(DELIVERIES_MAX_LIMIT) = DELIVERIES_DEFAULT_LIMIT
