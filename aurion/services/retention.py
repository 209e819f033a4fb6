"""What is kept and for how long: pruning dead sessions and orphan uploads, and erasing a visitor.

Decisions (also in docs/security.md):
- `prune` (cron: `flask aurion prune`, daily) deletes sessions past their expiry, and
  uploads that no message carries once they are a day old (a visitor uploads just
  before sending; a day is far beyond any draft), their files with them. Files in the
  upload directory that no row names (a crash between writing and committing) go too,
  once a day old.
- `forget_visitor` is the GDPR erasure of one visitor, by email: their visitor rows,
  sessions, conversations with every message (the agent's and people's replies
  included), uploaded files and recordings, their ratings, the team's notes on their
  conversations, the knowledge-gap questions they asked, and the webhook
  deliveries still stored that carry one of their conversations. Scoped to a tenant
  (the API) or to everything the operator runs (the command line); a widget narrows it.
- Rows are deleted explicitly, children first (SQLite does not enforce ON DELETE
  CASCADE), by `erase_conversations`, which deleting a widget uses too; files are removed
  after the commit, so a failed commit keeps them.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aurion.extensions import db
from aurion.models import (
    Attachment,
    Call,
    Conversation,
    ConversationNote,
    ConversationRead,
    Message,
    Rating,
    UnansweredQuestion,
    Visitor,
    Webhook,
    WebhookDelivery,
    Widget,
    WidgetSession,
)
from aurion.services.uploads import attachment_path, recording_path, upload_dir
from aurion.timestamps import utcnow

ORPHAN_UPLOAD_AGE = timedelta(days=1)
# Storage names are looked up this many at a time (bound parameters per query).
_NAME_BATCH = 500


@dataclass(frozen=True)
class Pruned:
    """What `prune` deleted."""

    sessions: int
    uploads: int
    stray_files: int

    def to_dict(self) -> dict:
        return asdict(self)


def prune(now: datetime | None = None) -> Pruned:
    """Delete expired sessions, orphan uploads older than a day and their files, and stray files."""
    now = now or utcnow()
    expired = db.select(WidgetSession.id).where(WidgetSession.expires_at <= now)
    db.session.execute(db.update(Attachment).where(Attachment.session_id.in_(expired)).values(session_id=None))
    sessions = db.session.execute(db.delete(WidgetSession).where(WidgetSession.expires_at <= now)).rowcount
    orphans = list(
        db.session.execute(
            db.select(Attachment).where(Attachment.message_id.is_(None), Attachment.created_at < now - ORPHAN_UPLOAD_AGE)
        ).scalars()
    )
    files = [attachment_path(attachment) for attachment in orphans]
    for attachment in orphans:
        db.session.delete(attachment)
    db.session.commit()
    for path in files:
        path.unlink(missing_ok=True)
    return Pruned(sessions=sessions, uploads=len(orphans), stray_files=_remove_stray_files(now))


def _remove_stray_files(now: datetime) -> int:
    directory = upload_dir()
    if not directory.is_dir():
        return 0
    cutoff = (now - ORPHAN_UPLOAD_AGE).timestamp()
    old = [path for path in directory.iterdir() if path.is_file() and path.stat().st_mtime < cutoff]
    removed = 0
    for start in range(0, len(old), _NAME_BATCH):
        batch = {path.name: path for path in old[start : start + _NAME_BATCH]}
        known = set(
            db.session.execute(db.select(Attachment.storage_name).where(Attachment.storage_name.in_(batch))).scalars()
        )
        for name, path in batch.items():
            if name not in known:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


@dataclass(frozen=True)
class Forgotten:
    """What `forget_visitor` erased."""

    visitors: int
    conversations: int
    messages: int
    files: int

    def to_dict(self) -> dict:
        return asdict(self)


def forget_visitor(email: str, tenant_id: int | None = None, widget: Widget | None = None) -> Forgotten:
    """Erase every trace of the visitor with `email` (already normalised, see `clean_email`).

    Within `tenant_id` when given (the API), within `widget` when given; otherwise in
    every tenant (the operator's command line).
    """
    visitors = db.select(Visitor.id).where(Visitor.email == email)
    if widget is not None:
        visitors = visitors.where(Visitor.widget_id == widget.id)
    if tenant_id is not None:
        visitors = visitors.where(Visitor.widget_id.in_(db.select(Widget.id).filter_by(tenant_id=tenant_id)))
    visitor_ids = list(db.session.execute(visitors).scalars())
    conversations = list(
        db.session.execute(db.select(Conversation).where(Conversation.visitor_id.in_(visitor_ids))).scalars()
    )
    conversation_ids = [conversation.id for conversation in conversations]
    messages = db.session.execute(
        db.select(db.func.count(Message.id)).where(Message.conversation_id.in_(conversation_ids))
    ).scalar_one()
    _forget_deliveries(conversations)
    files = erase_conversations(conversation_ids)
    db.session.execute(db.delete(Visitor).where(Visitor.id.in_(visitor_ids)))
    db.session.commit()
    for path in files:
        path.unlink(missing_ok=True)
    return Forgotten(visitors=len(visitor_ids), conversations=len(conversations), messages=messages, files=len(files))


def erase_conversations(conversation_ids) -> list[Path]:
    """Delete the conversations (ids, or a select of them) with everything that hangs off them,
    children first, in the caller's transaction; returns their files, to unlink after the commit."""
    attachments = db.select(Attachment).where(Attachment.conversation_id.in_(conversation_ids))
    files = [attachment_path(attachment) for attachment in db.session.execute(attachments).scalars()]
    recorded = db.select(Call).where(Call.conversation_id.in_(conversation_ids), Call.recording_name.is_not(None))
    files += [recording_path(call) for call in db.session.execute(recorded).scalars()]
    for model in (Attachment, Call, UnansweredQuestion, Rating, ConversationNote, ConversationRead, Message, WidgetSession):
        db.session.execute(db.delete(model).where(model.conversation_id.in_(conversation_ids)))
    db.session.execute(db.delete(Conversation).where(Conversation.id.in_(conversation_ids)))
    return files


def _forget_deliveries(conversations: list[Conversation]) -> None:
    """Stored webhook bodies that carry one of the conversations (the visitor's email and words) go too."""
    for conversation in conversations:
        tenant_hooks = db.select(Webhook.id).filter_by(tenant_id=conversation.tenant_id)
        db.session.execute(
            db.delete(WebhookDelivery).where(
                WebhookDelivery.webhook_id.in_(tenant_hooks), WebhookDelivery.body.contains(f'"{conversation.public_id}"', autoescape=True),
            )
        )
