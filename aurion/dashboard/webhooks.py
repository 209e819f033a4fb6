"""Webhooks: add one with its events (the secret shown once), delete, watch deliveries, resend."""

from flask import flash, g, redirect, render_template, request, url_for

from aurion.dashboard.base import bp, tenant_id
from aurion.problems import ValidationProblem
from aurion.schemas.fields import parse
from aurion.schemas.webhooks import WEBHOOK_EVENTS, WebhookInput
from aurion.services.webhooks import (
    create_webhook,
    delete_webhook,
    delivery_to_dict,
    find_delivery,
    find_webhook,
    list_deliveries,
    list_webhooks,
    resend,
)

# Enough to see whether an endpoint is healthy; the API lists more.
RECENT_DELIVERIES = 10


def _webhooks_page(new_secret: str | None = None, error: str | None = None, status: int = 200):
    webhooks = [
        (webhook, [delivery_to_dict(d) for d in list_deliveries(webhook, RECENT_DELIVERIES)])
        for webhook in list_webhooks(tenant_id())
    ]
    page = render_template(
        "dashboard/webhooks.html",
        webhooks=webhooks,
        events=WEBHOOK_EVENTS,
        new_secret=new_secret,
        error=error,
        # A refused form comes back filled in, to correct rather than retype.
        form_url=request.form.get("url", "") if error else "",
        form_events=request.form.getlist("events") if error else [],
    )
    return page, status


@bp.get("/webhooks")
def webhooks():
    """The tenant's webhooks with their recent deliveries, and the form to add one."""
    return _webhooks_page()


@bp.post("/webhooks")
def create_webhook_view():
    """Add a webhook; the page shows its signing secret this once."""
    try:
        body = parse(WebhookInput, {"url": request.form.get("url", ""), "events": request.form.getlist("events")})
        _, secret = create_webhook(g.admin.tenant, body)
    except ValidationProblem as problem:
        return _webhooks_page(error=problem.detail, status=422)
    return _webhooks_page(new_secret=secret, status=201)


@bp.post("/webhooks/<webhook_id>/delete")
def delete_webhook_view(webhook_id: str):
    """Delete a webhook: nothing more is sent to it."""
    webhook = find_webhook(tenant_id(), webhook_id)
    delete_webhook(webhook)
    flash(f"Webhook {webhook.url} deleted; nothing more is sent to it.")
    return redirect(url_for("dashboard.webhooks"))


@bp.post("/webhooks/<webhook_id>/deliveries/<delivery_id>/resend")
def resend_delivery_view(webhook_id: str, delivery_id: str):
    """Send a delivery's event again."""
    delivery = find_delivery(find_webhook(tenant_id(), webhook_id), delivery_id)
    resend(delivery)
    flash(f"{delivery.event_type} {delivery.event_id} queued to be sent again.")
    return redirect(url_for("dashboard.webhooks"))
