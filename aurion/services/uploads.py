"""Attachments: checked, stored under random names, and found again only by those allowed.

Decisions (also in docs/sessions.md):
- The type is decided from the bytes (`aurion.services.sniffing`) and must be in
  `AURION_UPLOAD_TYPES`; the name the visitor gave is kept only for display, with the
  right extension appended when it does not match the type.
- A file over `AURION_UPLOAD_MAX_BYTES` is refused with 413 before anything is written.
- A session may upload `AURION_UPLOAD_SESSION_MAX_BYTES` in all (attached or not); the
  file that would pass it is refused with 413 `upload_quota_exceeded`. Two uploads at
  the same instant may together pass it by one file: a bound on abuse, not an account.
- A session's visitor reads the attachments of their conversation (from any of their
  sessions); the tenant reads every attachment of its conversations. Anyone else gets
  404, exactly as for an id that does not exist.
"""

import os
import secrets
import unicodedata
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func

from aurion.extensions import db
from aurion.models import Attachment, Call, Conversation, WidgetSession
from aurion.problems import NotFoundProblem, Problem
from aurion.schemas.fields import is_public_id
from aurion.schemas.messages import ATTACHMENT_NAME_MAX_LENGTH
from aurion.services.public_ids import new_public_id
from aurion.services.sniffing import EXTENSIONS, sniff_content_type
from aurion.timestamps import isoformat_utc

ATTACHMENT_URL = "/api/v1/widget/uploads/{id}"


def upload_dir() -> Path:
    """Where attachments are stored: `AURION_UPLOAD_DIR`, or `uploads` in the instance folder."""
    return Path(current_app.config["AURION_UPLOAD_DIR"] or os.path.join(current_app.instance_path, "uploads"))


def too_large_problem() -> Problem:
    limit = current_app.config["AURION_UPLOAD_MAX_BYTES"]
    return Problem(413, "file_too_large", f"The file is larger than the limit of {limit} bytes.")


def display_name(filename: str | None, content_type: str) -> str:
    """The visitor's file name without any path or control characters, with an extension that fits its type."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().strip(".") or "upload"
    extensions = EXTENSIONS[content_type]
    if not name.lower().endswith(extensions):
        name += extensions[0]
    return name[-ATTACHMENT_NAME_MAX_LENGTH:]


def require_upload_quota(session: WidgetSession, size: int) -> None:
    """413 `upload_quota_exceeded` when `size` more bytes would pass the session's upload quota."""
    quota = current_app.config["AURION_UPLOAD_SESSION_MAX_BYTES"]
    used = db.session.execute(
        db.select(func.coalesce(func.sum(Attachment.size), 0)).where(Attachment.session_id == session.id)
    ).scalar_one()
    if used + size > quota:
        raise Problem(
            413,
            "upload_quota_exceeded",
            f"This session has uploaded {used} of its {quota} bytes; this file does not fit. Start a new session later.",
        )


def store_upload(session: WidgetSession, stream: BinaryIO, filename: str | None) -> Attachment:
    """Check and store an uploaded file for `session`'s conversation; 413 or 415 when refused."""
    max_bytes = current_app.config["AURION_UPLOAD_MAX_BYTES"]
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large_problem()
    require_upload_quota(session, len(data))
    if not data:
        raise Problem(422, "file_empty", "The file is empty.", field="file")
    content_type = sniff_content_type(data)
    allowed = current_app.config["AURION_UPLOAD_TYPES"]
    if content_type not in allowed:
        raise Problem(
            415,
            "unsupported_file_type",
            f"This kind of file is not accepted (judged by its content, not its name); send one of {', '.join(allowed)}.",
        )
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    storage_name = secrets.token_hex(16)
    path = directory / storage_name
    with open(path, "xb") as handle:
        handle.write(data)
    try:
        attachment = Attachment(
            public_id=new_public_id("att_"),
            conversation_id=session.conversation_id,
            session_id=session.id,
            name=display_name(filename, content_type),
            content_type=content_type,
            size=len(data),
            storage_name=storage_name,
        )
        db.session.add(attachment)
        db.session.commit()
    except Exception:
        # No row, no file: a failed commit must not leave an orphan on disk.
        path.unlink(missing_ok=True)
        raise
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    return upload_dir() / attachment.storage_name


def recording_path(call: Call) -> Path | None:
    """The file of a call's recording (`recordings/` in the upload directory); None when it has none."""
    return upload_dir() / "recordings" / call.recording_name if call.recording_name else None


def _not_found(public_id: str) -> NotFoundProblem:
    return NotFoundProblem(f"No attachment {public_id!r} here.", "attachment_not_found")


def find_session_attachment(session: WidgetSession, public_id: str) -> Attachment:
    """An attachment of the session's conversation, or 404 (also for anyone else's)."""
    attachment = None
    if is_public_id(public_id):
        attachment = db.session.execute(
            db.select(Attachment).filter_by(public_id=public_id, conversation_id=session.conversation_id)
        ).scalar_one_or_none()
    if attachment is None:
        raise _not_found(public_id)
    return attachment


def open_attachment_for_tenant(tenant_id: int, public_id: str) -> Attachment:
    """An attachment of one of the tenant's conversations, or 404 (also for another tenant's)."""
    attachment = None
    if is_public_id(public_id):
        attachment = db.session.execute(
            db.select(Attachment)
            .join(Conversation, Attachment.conversation_id == Conversation.id)
            .where(Attachment.public_id == public_id, Conversation.tenant_id == tenant_id)
        ).scalar_one_or_none()
    if attachment is None:
        raise _not_found(public_id)
    return attachment


def attachment_to_dict(attachment: Attachment) -> dict:
    """An attachment as the API shows it, in upload responses and inside messages."""
    return {
        "id": attachment.public_id,
        "name": attachment.name,
        "type": attachment.content_type,
        "size": attachment.size,
        "url": ATTACHMENT_URL.format(id=attachment.public_id),
        "created_at": isoformat_utc(attachment.created_at),
    }
