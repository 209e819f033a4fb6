"""Saved replies: answers the team reuses, inserted in the reply box by typing `/shortcut`."""

from sqlalchemy.exc import IntegrityError

from aurion.extensions import db
from aurion.models import SavedReply
from aurion.problems import NotFoundProblem, ValidationProblem
from aurion.schemas.fields import is_public_id
from aurion.schemas.notes import SavedReplyRequest
from aurion.services.public_ids import new_public_id


def list_saved_replies(tenant_id: int) -> list[SavedReply]:
    """The tenant's saved replies, by shortcut."""
    return list(db.session.execute(db.select(SavedReply).filter_by(tenant_id=tenant_id).order_by(SavedReply.shortcut)).scalars())


def saved_reply_to_dict(saved: SavedReply) -> dict:
    """What the reply box's picker needs of a saved reply."""
    return {"id": saved.public_id, "shortcut": saved.shortcut, "content": saved.content}


def find_saved_reply(tenant_id: int, public_id: str) -> SavedReply:
    """The tenant's saved reply `public_id`; another tenant's is reported missing."""
    saved = None
    if is_public_id(public_id):
        saved = db.session.execute(db.select(SavedReply).filter_by(tenant_id=tenant_id, public_id=public_id)).scalar_one_or_none()
    if saved is None:
        raise NotFoundProblem(f"No saved reply {public_id!r} in this tenant.", "saved_reply_not_found")
    return saved


def save_reply(tenant_id: int, request: SavedReplyRequest, saved: SavedReply | None = None) -> SavedReply:
    """Create a saved reply, or change `saved`; 422 on `shortcut` when the tenant already has that one."""
    query = db.select(SavedReply.id).filter_by(tenant_id=tenant_id, shortcut=request.shortcut)
    if saved is not None:
        query = query.where(SavedReply.id != saved.id)
    if db.session.execute(query).first() is not None:
        raise _taken(request.shortcut)
    if saved is None:
        saved = SavedReply(public_id=new_public_id("sr_"), tenant_id=tenant_id)
        db.session.add(saved)
    saved.shortcut = request.shortcut
    saved.content = request.content
    try:
        db.session.commit()
    except IntegrityError:
        # The same shortcut, saved by a teammate a moment ago.
        db.session.rollback()
        raise _taken(request.shortcut) from None
    return saved


def delete_saved_reply(saved: SavedReply) -> None:
    db.session.delete(saved)
    db.session.commit()


def _taken(shortcut: str) -> ValidationProblem:
    return ValidationProblem("shortcut", f"/{shortcut} is already a saved reply; choose another shortcut or edit that one.")
