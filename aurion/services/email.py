"""Email: what is sent, to whom, and when. Sending is the email loop's business
(`aurion.engines.mail`): these functions only queue, in the caller's transaction or
their own, so no request ever waits for a mail server.

- "A conversation is waiting": to the tenant's admins, when a visitor asks for a person
  and no admin is online (none has used the dashboard for ONLINE_FOR); at most one per
  conversation and admin.
- The transcript of a closed conversation: to the visitor, on request (the widget's
  button; at most one per conversation) or automatically on closing (the widget's
  `transcript_auto` setting), where an address is known.
- Invitations: to the invited address, when an owner invites a teammate
  (`aurion.services.invitations`).

Without AURION_SMTP_URL nothing is queued, and the dashboard says what is not sent.
"""

import logging
from datetime import timedelta

from flask import Flask, current_app, render_template
from sqlalchemy.exc import IntegrityError

from aurion.extensions import db
from aurion.models import Admin, Conversation, Message, OutgoingEmail
from aurion.problems import Problem, ValidationProblem
from aurion.services.colors import widget_colors
from aurion.services.conversations import conversation_closed, conversation_waiting
from aurion.services.public_ids import new_public_id
from aurion.timestamps import utcnow

log = logging.getLogger(__name__)

ONLINE_FOR = timedelta(minutes=5)
# A dashboard request refreshes the admin's presence at most this often (one write a minute).
PRESENCE_EVERY = timedelta(minutes=1)
SENDERS = {"user": "You", "agent": "Assistant", "human": "Support team"}
# What does not go out while AURION_SMTP_URL is unset, for the dashboard to say so.
NOT_SENT = (
    'the "a conversation is waiting" email to admins when none is online',
    "conversation transcripts to visitors",
    "invitations to new teammates (the dashboard shows the link to pass on)",
)


def email_enabled() -> bool:
    """Whether this server sends email (AURION_SMTP_URL is set)."""
    return bool(current_app.config["AURION_SMTP_URL"])


def queue_email(
    tenant_id: int, kind: str, recipient: str, subject: str, text: str, html: str, once_key: str | None = None
) -> OutgoingEmail | None:
    """Queue an email and commit; None when email is off or `once_key` was queued before."""
    if not email_enabled():
        return None
    if once_key and db.session.execute(db.select(OutgoingEmail.id).filter_by(once_key=once_key)).first():
        return None
    email = OutgoingEmail(
        public_id=new_public_id("em_"),
        tenant_id=tenant_id,
        kind=kind,
        once_key=once_key,
        recipient=recipient,
        subject=subject[:200],
        text_body=text,
        html_body=html,
    )
    try:
        with db.session.begin_nested():
            db.session.add(email)
    except IntegrityError:  # another worker queued the same once_key meanwhile
        return None
    db.session.commit()
    current_app.extensions["aurion_email"].wake()
    return email


def note_presence(admin: Admin) -> None:
    """The admin is using the dashboard now (refreshed at most once a PRESENCE_EVERY)."""
    now = utcnow()
    if admin.last_seen_at is None or now - admin.last_seen_at >= PRESENCE_EVERY:
        admin.last_seen_at = now
        db.session.commit()


def admins_online(tenant_id: int) -> bool:
    """Whether an admin of the tenant used the dashboard within ONLINE_FOR."""
    since = utcnow() - ONLINE_FOR
    return db.session.execute(
        db.select(Admin.id).filter(Admin.tenant_id == tenant_id, Admin.last_seen_at >= since).limit(1)
    ).first() is not None


def _render(name: str, conversation: Conversation, **context) -> tuple[str, str]:
    widget = conversation.widget
    context = {"widget": widget, "colors": widget_colors(widget.primary_color), "conversation": conversation, **context}
    return render_template(f"email/{name}.txt", **context), render_template(f"email/{name}.html", **context)


def notify_waiting(conversation: Conversation) -> list[OutgoingEmail]:
    """Tell the tenant's admins that a visitor waits for a person, unless one is online."""
    if not email_enabled() or admins_online(conversation.tenant_id):
        return []
    visitor = conversation.visitor
    who = visitor.display_name or visitor.email or conversation.contact_email or "A visitor"
    last = db.session.execute(
        db.select(Message.content)
        .filter_by(conversation_id=conversation.id, sender="user")
        .order_by(Message.id.desc())
        .limit(1)
    ).scalar()
    link = current_app.config["AURION_DASHBOARD_URL"].rstrip("/") + f"/dashboard/inbox/{conversation.public_id}"
    text, html = _render("waiting", conversation, visitor=who, last_message=last, link=link)
    subject = f"{who} is waiting for a person on {conversation.widget.name}"
    admins = db.session.execute(db.select(Admin).filter_by(tenant_id=conversation.tenant_id).order_by(Admin.id)).scalars()
    queued = [
        queue_email(conversation.tenant_id, "waiting", admin.email, subject, text, html, f"waiting:{conversation.public_id}:{admin.id}")
        for admin in list(admins)
    ]
    return [email for email in queued if email]


def _queue_transcript(conversation: Conversation, recipient: str, once_key: str) -> OutgoingEmail | None:
    messages = list(
        db.session.execute(db.select(Message).filter_by(conversation_id=conversation.id).order_by(Message.id)).scalars()
    )
    text, html = _render("transcript", conversation, messages=messages, senders=SENDERS)
    subject = f"Your conversation with {conversation.widget.name}"
    return queue_email(conversation.tenant_id, "transcript", recipient, subject, text, html, once_key)


def request_transcript(conversation: Conversation) -> str:
    """Email the visitor the transcript of their closed conversation; the address it goes to.

    409 when email is off or the conversation is still open; 422 (`email`) when no
    address is known (an anonymous visitor who left none). Asking again sends nothing more.
    """
    if not email_enabled():
        raise Problem(409, "email_off", "This server does not send email.")
    if conversation.status != "closed":
        raise Problem(409, "conversation_open", "The transcript is sent once the conversation has ended.")
    recipient = conversation.reply_address()
    if not recipient:
        raise ValidationProblem("email", "There is no address to send the transcript to; leave one first.")
    _queue_transcript(conversation, recipient, f"transcript:{conversation.public_id}")
    return recipient


def failed_emails(tenant_id: int, limit: int = 5) -> list[OutgoingEmail]:
    """The tenant's most recent emails that could not be sent after a day of retries."""
    return list(
        db.session.execute(
            db.select(OutgoingEmail)
            .filter_by(tenant_id=tenant_id, status="failed")
            .order_by(OutgoingEmail.id.desc())
            .limit(limit)
        ).scalars()
    )


def _never_failing(listener):
    """A listener whose failure is logged, never raised into the hand-off or close that it follows."""

    def listen(app: Flask, conversation: Conversation) -> None:
        try:
            listener(conversation)
        except Exception:
            log.exception("Could not queue the %s email of %s", listener.__name__, conversation.public_id)
            db.session.rollback()

    return listen


@_never_failing
def waiting(conversation: Conversation) -> None:
    notify_waiting(conversation)


@_never_failing
def transcript_on_closing(conversation: Conversation) -> None:
    recipient = conversation.reply_address()
    if conversation.widget.transcript_auto and recipient:
        _queue_transcript(conversation, recipient, f"transcript:{conversation.public_id}")


def init_app(app: Flask) -> None:
    """Listen for conversations that wait for a person, and those that close."""
    conversation_waiting.connect(waiting, app)
    conversation_closed.connect(transcript_on_closing, app)
