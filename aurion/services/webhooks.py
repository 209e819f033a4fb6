"""A tenant's webhooks: saving them (with the SSRF guard), queueing events, resending.

Services announce what happened with `announce(...)` before committing their change, so
the change and its deliveries commit together: an event is queued exactly when the
thing it reports is stored. The delivery loop (`aurion.engines.webhooks`) sends them.

Events: conversation.created, message.created, conversation.waiting,
conversation.assigned, conversation.closed, and rating.created.
"""

import json
import secrets

from flask import current_app

from aurion.engines.webhooks import UnsafeTarget, resolve_target, signing_secret
from aurion.extensions import db
from aurion.models import Tenant, Webhook, WebhookDelivery
from aurion.problems import NotFoundProblem, ValidationProblem
from aurion.schemas.fields import is_public_id
from aurion.schemas.webhooks import DELIVERIES_DEFAULT_LIMIT, WebhookInput
from aurion.services.public_ids import new_public_id
from aurion.timestamps import isoformat_utc, utcnow


def create_webhook(tenant: Tenant, request: WebhookInput) -> tuple[Webhook, str]:
    """Save a webhook; returns it and its signing secret, which only the creator is shown.

    422 naming `url` when the URL is not https, does not resolve, or reaches a private,
    loopback or link-local address (unless AURION_WEBHOOKS_ALLOW_PRIVATE is on).
    """
    try:
        resolve_target(request.url, current_app.config["AURION_WEBHOOKS_ALLOW_PRIVATE"])
    except UnsafeTarget as refused:
        raise ValidationProblem("url", f"The URL {refused}") from None
    webhook = Webhook(
        public_id=new_public_id("wh_"),
        tenant=tenant,
        url=request.url,
        events=list(dict.fromkeys(request.events)),
        secret_salt=secrets.token_urlsafe(32),
    )
    db.session.add(webhook)
    db.session.commit()
    return webhook, webhook_secret(webhook)


def webhook_secret(webhook: Webhook) -> str:
    """The secret that signs the webhook's deliveries (derived, never stored)."""
    return signing_secret(current_app.config["SECRET_KEY"], webhook.secret_salt)


def list_webhooks(tenant_id: int) -> list[Webhook]:
    """The tenant's webhooks, oldest first."""
    return list(db.session.execute(db.select(Webhook).filter_by(tenant_id=tenant_id).order_by(Webhook.id)).scalars())


def find_webhook(tenant_id: int, public_id: str) -> Webhook:
    """The tenant's webhook `public_id`; another tenant's is reported missing."""
    webhook = None
    if is_public_id(public_id):
        webhook = db.session.execute(
            db.select(Webhook).filter_by(tenant_id=tenant_id, public_id=public_id)
        ).scalar_one_or_none()
    if webhook is None:
        raise NotFoundProblem(f"No webhook {public_id!r} in this tenant.", "webhook_not_found")
    return webhook


def delete_webhook(webhook: Webhook) -> None:
    """Delete a webhook and its queued deliveries: nothing more is sent to it."""
    db.session.execute(db.delete(WebhookDelivery).filter_by(webhook_id=webhook.id))
    db.session.delete(webhook)
    db.session.commit()


def list_deliveries(webhook: Webhook, limit: int = DELIVERIES_DEFAULT_LIMIT) -> list[WebhookDelivery]:
    """The webhook's most recent deliveries, newest first."""
    return list(
        db.session.execute(
            db.select(WebhookDelivery).filter_by(webhook_id=webhook.id).order_by(WebhookDelivery.id.desc()).limit(limit)
        ).scalars()
    )


def find_delivery(webhook: Webhook, public_id: str) -> WebhookDelivery:
    """The webhook's delivery `public_id`, or 404."""
    delivery = None
    if is_public_id(public_id):
        delivery = db.session.execute(
            db.select(WebhookDelivery).filter_by(webhook_id=webhook.id, public_id=public_id)
        ).scalar_one_or_none()
    if delivery is None:
        raise NotFoundProblem(f"No delivery {public_id!r} of this webhook.", "delivery_not_found")
    return delivery


def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event (same id and body) again, as a new delivery with a fresh day of retries."""
    again = _queue(delivery.webhook, delivery.event_id, delivery.event_type, delivery.body)
    db.session.commit()
    _wake_delivery()
    return again


def announce(tenant_id: int, event_type: str, data: dict) -> None:
    """Queue `event_type` for every webhook of the tenant that subscribed to it.

    Adds the deliveries to the caller's transaction; the caller commits them with the
    change they report.
    """
    webhooks = [webhook for webhook in list_webhooks(tenant_id) if event_type in webhook.events]
    if not webhooks:
        return
    event_id = new_public_id("evt_")
    body = json.dumps(
        {"id": event_id, "type": event_type, "created_at": isoformat_utc(utcnow()), "data": data},
        separators=(",", ":"),
    )
    for webhook in webhooks:
        _queue(webhook, event_id, event_type, body)
    _wake_delivery()


def _queue(webhook: Webhook, event_id: str, event_type: str, body: str) -> WebhookDelivery:
    delivery = WebhookDelivery(
        public_id=new_public_id("whd_"), webhook=webhook, event_id=event_id, event_type=event_type, body=body
    )
    db.session.add(delivery)
    return delivery


def _wake_delivery() -> None:
    # Sooner than the next poll; the loop may look before the caller commits, and the
    # poll after that finds it.
    current_app.extensions["aurion_webhooks"].wake()


def webhook_to_dict(webhook: Webhook) -> dict:
    """A webhook as the API shows it (never with its secret)."""
    return {
        "id": webhook.public_id,
        "url": webhook.url,
        "events": webhook.events,
        "created_at": isoformat_utc(webhook.created_at),
    }


def delivery_to_dict(delivery: WebhookDelivery) -> dict:
    """A delivery as the API and the dashboard show it."""
    return {
        "id": delivery.public_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_response_code": delivery.last_response_code,
        "last_error": delivery.last_error,
        "next_attempt_at": isoformat_utc(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "created_at": isoformat_utc(delivery.created_at),
        "delivered_at": isoformat_utc(delivery.delivered_at),
    }
