"""`flask --app wsgi aurion <command>`: operators' commands.

Each prints its result as the last line of standard output and exits non-zero with a
clear message on bad input.
"""

import asyncio
import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from aurion.problems import Problem
from aurion.schemas.fields import clean_email
from aurion.schemas.team import ROLES
from aurion.services.api_keys import SCOPES, create_api_key
from aurion.services.calls import prune_recordings
from aurion.services.demo import demo_page_url, setup_demo
from aurion.services.identity import EMAIL_TOKEN_MAX_LIFETIME, mint_email_token
from aurion.services.invitations import invite
from aurion.services.retention import forget_visitor, prune
from aurion.services.tenants import create_admin, create_tenant, find_tenant_by_name
from aurion.services.widgets import find_widget
from aurion.voice.tokens import livekit_configured

EMAIL_TOKEN_MAX_SECONDS = int(EMAIL_TOKEN_MAX_LIFETIME.total_seconds())

aurion_cli = AppGroup("aurion", help="Manage tenants, keys, admins and widgets.")


def _tenant(name: str):
    try:
        return find_tenant_by_name(name)
    except Problem as exc:
        raise click.ClickException(exc.detail) from exc


@aurion_cli.command("create-tenant")
@click.argument("name")
def create_tenant_command(name: str) -> None:
    """Create a tenant and its default widget; prints the tenant's id."""
    try:
        tenant = create_tenant(name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(tenant.id)


@aurion_cli.command("create-api-key")
@click.option("--tenant", "tenant_name", required=True, help="The tenant's name.")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES), help="Repeat for each scope.")
@click.option("--name", default="", help="A label to tell keys apart.")
def create_api_key_command(tenant_name: str, scopes: tuple[str, ...], name: str) -> None:
    """Create an API key; prints the key, which is shown only this once."""
    _, raw_key = create_api_key(_tenant(tenant_name), list(scopes), name)
    click.echo(raw_key)


@aurion_cli.command("create-admin")
@click.option("--tenant", "tenant_name", required=True, help="The tenant's name.")
@click.option("--email", required=True)
@click.password_option("--password", help="Prompted for when not given.")
def create_admin_command(tenant_name: str, email: str, password: str) -> None:
    """Create a dashboard admin; prints the admin's id."""
    try:
        admin = create_admin(_tenant(tenant_name), email, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(admin.id)


@aurion_cli.command("invite")
@click.option("--tenant", "tenant_name", required=True, help="The tenant's name.")
@click.option("--email", required=True, help="The new teammate's email address.")
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True, help="owner: everything; agent: the inbox and calls.")
def invite_command(tenant_name: str, email: str, role: str) -> None:
    """Invite a teammate; prints the one-time link (also emailed when AURION_SMTP_URL is set)."""
    try:
        new_invitation = invite(_tenant(tenant_name), email, role)
    except Problem as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(new_invitation.link)


@aurion_cli.command("widget-info")
@click.option("--tenant", "tenant_name", required=True, help="The tenant's name.")
def widget_info_command(tenant_name: str) -> None:
    """Print the tenant's default widget as JSON, identity secret included."""
    tenant = _tenant(tenant_name)
    if not tenant.widgets:
        raise click.ClickException(f"Tenant {tenant_name!r} has no widget.")
    widget = tenant.widgets[0]
    click.echo(
        json.dumps(
            {
                "widget_id": widget.public_id,
                "identity_secret": widget.identity_secret,
                "allowed_domains": widget.allowed_domains,
                "modes": widget.modes,
                "allow_anonymous": widget.allow_anonymous,
            }
        )
    )


@aurion_cli.command("mint-email-token")
@click.option("--widget", "widget_id", required=True, help="The widget's public id (wgt_...).")
@click.option("--email", required=True, help="The visitor's email address.")
@click.option("--ttl", default=3600, show_default=True, type=click.IntRange(1, EMAIL_TOKEN_MAX_SECONDS), help="Lifetime in seconds.")
def mint_email_token_command(widget_id: str, email: str, ttl: int) -> None:
    """Mint a visitor's email token with the widget's identity secret (for local testing); prints it."""
    if "@" not in email:
        raise click.ClickException(f"{email!r} is not an email address.")
    try:
        widget = find_widget(widget_id)
    except Problem as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(mint_email_token(widget.public_id, widget.identity_secret, email, ttl))


@aurion_cli.command("setup-demo")
@click.option("--base-url", default="http://127.0.0.1:5000", help="Where the server will listen.")
def setup_demo_command(base_url: str) -> None:
    """Create (or refresh) the demo tenant, widget, admin and API key; prints them."""
    demo = setup_demo()
    click.echo(f"Dashboard:   {base_url}/dashboard/ (sign in as {demo.admin_email} / {demo.admin_password})")
    click.echo(f"API docs:    {base_url}/api/v1/openapi.json")
    click.echo(f"API key:     {demo.api_key}")
    click.echo(f"Widget id:   {demo.widget_id}")
    click.echo(f"Demo page:   {demo_page_url(base_url)}  (the widget, on another origin than the API)")
    click.echo(f"Try:         curl {base_url}/api/v1/voice-widget/config -H 'X-API-Key: {demo.api_key}'")


@aurion_cli.command("prune")
def prune_command() -> None:
    """Delete expired sessions, uploads no message carries after a day (files included) and
    call recordings older than their widget's retention; prints the counts as JSON."""
    click.echo(json.dumps({**prune().to_dict(), "call_recordings": prune_recordings()}))


@aurion_cli.command("forget-visitor")
@click.option("--email", required=True, help="The visitor's email address.")
@click.option("--widget-id", default=None, help="Only this widget's visitor (wgt_...); otherwise in every tenant.")
def forget_visitor_command(email: str, widget_id: str | None) -> None:
    """Erase a visitor's conversations, messages, sessions and files (GDPR erasure); prints the counts as JSON."""
    address = clean_email(email)
    if address is None:
        raise click.ClickException(f"{email!r} is not an email address.")
    widget = None
    if widget_id is not None:
        try:
            widget = find_widget(widget_id)
        except Problem as exc:
            raise click.ClickException(exc.detail) from exc
    click.echo(json.dumps(forget_visitor(address, widget=widget).to_dict()))


@aurion_cli.command("voice-worker")
@click.option("--health-port", default=8081, show_default=True, help="Port of the worker's health check (0: any free one).")
def voice_worker_command(health_port: int) -> None:
    """Speak for the agent in the LiveKit rooms dispatched to this worker (needs LIVEKIT_URL,
    LIVEKIT_API_KEY, LIVEKIT_API_SECRET and `pip install aurion[livekit]`)."""
    app = current_app._get_current_object()
    if not livekit_configured(app.config):
        raise click.ClickException(
            "LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET must all be set; without LiveKit, "
            "voice runs embedded in the web server and needs no worker."
        )
    try:
        import livekit.agents  # noqa: F401

        from aurion.voice.livekit_worker import run_worker
    except ImportError:
        raise click.ClickException("The voice worker needs LiveKit's agent framework: pip install 'aurion[livekit]'.") from None
    click.echo(f"Voice worker registered for dispatch on {app.config['LIVEKIT_URL']} (Ctrl+C to stop)")
    try:
        asyncio.run(run_worker(app, health_port))
    except KeyboardInterrupt:
        pass


def init_app(app: Flask) -> None:
    app.cli.add_command(aurion_cli)


