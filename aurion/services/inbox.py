"""The inbox a support team works in: its rows, tab counts, filters, unread counts,
assignment, the live tenant channel, and full-text search over messages.

Decisions (also in docs/dashboard.md):
- A row names the visitor by name, then email, then the address they left, then
  "Visitor from <host>" of their latest session's page; its last message is an excerpt.
- Unread: the visitor's messages after the last one this admin saw (`ConversationRead`,
  recorded when the admin opens the conversation), per admin: each inbox's stream reads
  the changed row with its own admin's count.
- Every row change goes out on `inbox_channel(tenant_id)` as the conversation's id; each
  open inbox reads the row and the tenant's counts per (status, assignee), from which each
  page derives its own tab counts ("Mine" differs per admin).
- Search uses the database's own full-text engine (aurion.models.message_search): the
  query's words, each as a prefix, all required; anything else in the query is ignored,
  so no input can make the engine fail.
"""

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import column, func, literal_column, select, text, tuple_

from aurion.engines.broker import publish
from aurion.extensions import db
from aurion.models import Admin, Conversation, ConversationRead, Message, WidgetSession
from aurion.models.message_search import FTS_TABLE, TEXT_SEARCH_CONFIG, search_vector
from aurion.problems import ValidationProblem
from aurion.schemas.fields import is_public_id
from aurion.services.team import display_name
from aurion.timestamps import isoformat_utc

# The status tabs, in the order the inbox shows them.
STATUSES = ("waiting", "human", "agent", "closed")
# Whose conversations: "mine" (assigned to the signed-in admin), "unassigned", or "all".
VIEWS = ("all", "mine", "unassigned")
EXCERPT_LENGTH = 140
# More words than this in a search are ignored (a pasted paragraph is not a query).
SEARCH_MAX_TERMS = 8
_WORD = re.compile(r"\w+")
_ADMIN_ID = re.compile(r"[0-9]{1,10}")


def inbox_channel(tenant_id: int) -> str:
    """The broker channel on which every change of a tenant's inbox rows is published."""
    return f"inbox:{tenant_id}"


def excerpt(content: str, around: str | None = None) -> str:
    """At most EXCERPT_LENGTH characters of `content` on one line, starting near `around` when it occurs."""
    flat = " ".join(content.split())
    start = 0
    if around:
        found = flat.lower().find(around.lower())
        if found > EXCERPT_LENGTH // 3:
            start = found - EXCERPT_LENGTH // 3
    piece = flat[start : start + EXCERPT_LENGTH]
    return ("…" if start else "") + piece + ("…" if start + EXCERPT_LENGTH < len(flat) else "")


def visitor_label(conversation: Conversation, page_url: str | None) -> str:
    """How the inbox names the visitor: name, email, the address they left, or the site they wrote from."""
    visitor = conversation.visitor
    named = visitor.display_name or visitor.email or conversation.contact_email
    if named:
        return named
    host = urlsplit(page_url).hostname if page_url else None
    return f"Visitor from {host}" if host else "Visitor"


def _scoped(query, admin: Admin, view: str):
    """`query` over conversations, narrowed to the admin's tenant and the view."""
    query = query.where(Conversation.tenant_id == admin.tenant_id)
    if view == "mine":
        return query.where(Conversation.assignee_id == admin.id)
    if view == "unassigned":
        return query.where(Conversation.assignee_id.is_(None))
    return query


def count_groups(tenant_id: int) -> list[list]:
    """The tenant's conversations counted per (status, assignee id): `[[status, assignee_id, n], …]`."""
    rows = db.session.execute(
        select(Conversation.status, Conversation.assignee_id, func.count())
        .where(Conversation.tenant_id == tenant_id)
        .group_by(Conversation.status, Conversation.assignee_id)
    )
    return [[status, assignee_id, count] for status, assignee_id, count in rows]


def tab_counts(groups: Iterable[list], admin_id: int, view: str) -> dict[str, int]:
    """Conversations per status tab in `view`, from `count_groups` (static/dashboard.js does the same)."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, assignee_id, count in groups:
        if status in counts and (
            view == "all" or (view == "mine" and assignee_id == admin_id) or (view == "unassigned" and assignee_id is None)
        ):
            counts[status] += count
    return counts


def inbox_rows(conversations: list[Conversation], admin: Admin | None = None) -> list[dict]:
    """The inbox rows of `conversations`, with `admin`'s unread counts when given; a few queries for all rows."""
    ids = [conversation.id for conversation in conversations]
    if not ids:
        return []
    last_ids = select(func.max(Message.id)).where(Message.conversation_id.in_(ids)).group_by(Message.conversation_id)
    last_messages = {
        message.conversation_id: message
        for message in db.session.execute(select(Message).where(Message.id.in_(last_ids))).scalars()
    }
    latest_sessions = select(func.max(WidgetSession.id)).where(WidgetSession.conversation_id.in_(ids)).group_by(
        WidgetSession.conversation_id
    )
    page_urls = dict(
        db.session.execute(
            select(WidgetSession.conversation_id, WidgetSession.page_url).where(WidgetSession.id.in_(latest_sessions))
        ).all()
    )
    unread = _unread_counts(admin, ids) if admin is not None else None
    rows = []
    for conversation in conversations:
        row = _row(conversation, last_messages.get(conversation.id), page_urls.get(conversation.id))
        if unread is not None:
            row["unread"] = unread.get(conversation.id, 0)
        rows.append(row)
    return rows


def _row(conversation: Conversation, last: Message | None, page_url: str | None) -> dict:
    assignee = conversation.assignee
    return {
        "id": conversation.public_id,
        "status": conversation.status,
        "visitor": visitor_label(conversation, page_url),
        "visitor_email": conversation.visitor.email,
        "last_message": None
        if last is None
        else {
            "id": last.public_id,
            "sender": last.sender,
            "excerpt": excerpt(last.content),
            "created_at": isoformat_utc(last.created_at),
        },
        "assignee": None if assignee is None else {"id": assignee.id, "name": display_name(assignee)},
        "arrived_while_away": conversation.arrived_while_away,
        "rating": conversation.rating.score if conversation.rating else None,
        "updated_at": isoformat_utc(conversation.updated_at),
    }


def _unread_counts(admin: Admin, conversation_ids: list[int]) -> dict[int, int]:
    read_up_to = func.coalesce(ConversationRead.last_read_message_id, 0)
    rows = db.session.execute(
        select(Message.conversation_id, func.count())
        .outerjoin(
            ConversationRead,
            (ConversationRead.conversation_id == Message.conversation_id) & (ConversationRead.admin_id == admin.id),
        )
        .where(Message.conversation_id.in_(conversation_ids), Message.sender == "user", Message.id > read_up_to)
        .group_by(Message.conversation_id)
    )
    return dict(rows.all())


def list_inbox(admin: Admin, status: str, view: str, limit: int, before: str | None = None) -> dict:
    """One page of the admin's inbox: a status tab within a view, most recently active first.

    `before` is the id of the last conversation of the previous page (422 if it names none of the tenant's).
    """
    query = _scoped(select(Conversation), admin, view).where(Conversation.status == status)
    if before:
        # An impossible id (a NUL byte would make PostgreSQL fail) names nothing, without a query.
        cursor = None
        if is_public_id(before):
            cursor = db.session.execute(
                select(Conversation).filter_by(tenant_id=admin.tenant_id, public_id=before)
            ).scalar_one_or_none()
        if cursor is None:
            raise ValidationProblem("before", "before must be the id of a conversation of this tenant.")
        query = query.where(tuple_(Conversation.updated_at, Conversation.id) < tuple_(cursor.updated_at, cursor.id))
    query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(limit + 1)
    conversations = list(db.session.execute(query).scalars())
    return {
        "rows": inbox_rows(conversations[:limit], admin),
        "next_cursor": conversations[limit - 1].public_id if len(conversations) > limit else None,
    }


def publish_row(tenant_id: int, conversation_id: int) -> None:
    """Tell every open inbox of the tenant that the conversation's row changed (never raises).

    Only the conversation's id goes out: each open inbox reads the row itself
    (`changed_row`), so a message costs no inbox query while no inbox is open.
    """
    publish(inbox_channel(tenant_id), {"type": "inbox", "conversation_id": conversation_id})


def changed_row(admin_id: int, notice: dict) -> dict | None:
    """The admin's inbox frame for a `publish_row` notice: the conversation's row as it is now,
    with their unread count, and the tenant's counts; None for a conversation that is gone (or,
    defensively, another tenant's) and for an admin who is gone."""
    admin = db.session.get(Admin, admin_id)
    conversation = db.session.get(Conversation, notice["conversation_id"])
    if admin is None or conversation is None or conversation.tenant_id != admin.tenant_id:
        return None
    return {"type": "inbox", "conversation": inbox_rows([conversation], admin)[0], "counts": count_groups(admin.tenant_id)}


def mark_read(admin: Admin, conversation: Conversation) -> None:
    """The admin has seen every message of the conversation so far: their open inboxes
    (another tab, another screen) stop counting them unread."""
    last_id = db.session.execute(
        select(func.max(Message.id)).where(Message.conversation_id == conversation.id)
    ).scalar_one_or_none()
    if last_id is None:
        return
    read = db.session.execute(
        select(ConversationRead).filter_by(admin_id=admin.id, conversation_id=conversation.id)
    ).scalar_one_or_none()
    if read is None:
        read = ConversationRead(admin_id=admin.id, conversation_id=conversation.id, last_read_message_id=0)
        db.session.add(read)
    if read.last_read_message_id >= last_id:
        db.session.commit()
        return
    read.last_read_message_id = last_id
    db.session.commit()
    publish_row(conversation.tenant_id, conversation.id)


def assignable_admins(tenant_id: int) -> list[dict]:
    """The teammates a conversation can be assigned to, as `{"id", "name"}` by name."""
    admins = db.session.execute(select(Admin).filter_by(tenant_id=tenant_id)).scalars()
    return sorted(({"id": admin.id, "name": display_name(admin)} for admin in admins), key=lambda a: a["name"].lower())


def find_assignee(me: Admin, value: str) -> Admin | None:
    """The teammate a form's `assignee` names: "me", a teammate's id of my tenant, or "" for nobody (422 otherwise)."""
    value = value.strip()
    if value == "":
        return None
    if value == "me":
        return me
    # Beyond a 32-bit id PostgreSQL would fail on the lookup itself.
    admin = db.session.get(Admin, int(value)) if _ADMIN_ID.fullmatch(value) and int(value) < 2**31 else None
    if admin is None or admin.tenant_id != me.tenant_id:
        raise ValidationProblem("assignee", 'assignee must be "me", a teammate\'s id, or empty for nobody.')
    return admin


def assign_to(conversation: Conversation, admin: Admin | None) -> Conversation:
    """Make `admin` (a teammate of the conversation's tenant, or None for nobody) the conversation's assignee."""
    if conversation.assignee_id != (admin.id if admin else None):
        conversation.assignee = admin
        db.session.commit()
        publish_row(conversation.tenant_id, conversation.id)
    return conversation


def search_terms(query: str) -> list[str]:
    """The words of a search query, lower-cased; punctuation and operators are dropped."""
    return [word.lower() for word in _WORD.findall(query)][:SEARCH_MAX_TERMS]


def _matching(terms: list[str]):
    """A condition on Message: its content holds every term (as a word prefix)."""
    if db.session.get_bind().dialect.name == "sqlite":
        # Each term quoted: FTS5 reads it as a plain string, never as syntax.
        match = " ".join(f'"{term}"*' for term in terms)
        rowids = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match").bindparams(match=match)
        return Message.id.in_(rowids.columns(column("rowid")))
    # Terms are word characters only, so to_tsquery sees no operator but ours.
    tsquery = " & ".join(f"{term}:*" for term in terms)
    return search_vector(Message.content).op("@@")(func.to_tsquery(literal_column(f"'{TEXT_SEARCH_CONFIG}'"), tsquery))


def search_messages(tenant_id: int, query: str, limit: int, before: str | None = None) -> dict:
    """The tenant's messages matching `query`, newest first, each with its conversation's row.

    `before` is the id of the last message of the previous page (422 if it is not one of the tenant's).
    """
    terms = search_terms(query)
    if not terms:
        return {"results": [], "next_cursor": None, "terms": terms}
    statement = (
        select(Message)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .where(Conversation.tenant_id == tenant_id, _matching(terms))
    )
    if before:
        cursor = None
        if is_public_id(before):
            cursor = db.session.execute(
                select(Message.id)
                .join(Conversation, Message.conversation_id == Conversation.id)
                .where(Message.public_id == before, Conversation.tenant_id == tenant_id)
            ).scalar_one_or_none()
        if cursor is None:
            raise ValidationProblem("before", "before must be the id of a message of this tenant.")
        statement = statement.where(Message.id < cursor)
    messages = list(db.session.execute(statement.order_by(Message.id.desc()).limit(limit + 1)).scalars())
    shown = messages[:limit]
    rows = {row["id"]: row for row in inbox_rows(list({m.conversation_id: m.conversation for m in shown}.values()))}
    results = [
        {
            "conversation": rows[message.conversation.public_id],
            "message": {
                "id": message.public_id,
                "sender": message.sender,
                "excerpt": excerpt(message.content, terms[0]),
                "created_at": isoformat_utc(message.created_at),
            },
        }
        for message in shown
    ]
    return {"results": results, "next_cursor": shown[-1].public_id if len(messages) > limit else None, "terms": terms}
