"""Visitor sessions: who the visitor is, which conversation they get, and bearer checks.

Decisions (also in docs/sessions.md):
- A visitor identified by an email token is the same visitor on every return (one row
  per widget and email); they get back their latest conversation unless it was
  closed, in which case a new one starts.
- Anonymous visitors (only where the widget allows them) get a `visitor_token` with
  their session; sending it back with the next session creation resumes them.
- A bearer token is honoured only while its session row exists, has not expired, and
  its widget still has the public id the token names: `regenerate-key` ends every
  session of the widget at once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from aurion.extensions import db
from aurion.models import Conversation, Visitor, Widget, WidgetSession
from aurion.problems import NotFoundProblem, Problem
from aurion.schemas.fields import PUBLIC_ID_MAX_LENGTH, is_public_id
from aurion.schemas.sessions import WidgetSessionRequest
from aurion.schemas.team import USER_AGENT_MAX_LENGTH
from aurion.services import identity, webhooks
from aurion.services.inbox import publish_row
from aurion.services.public_ids import new_public_id
from aurion.services.ratings import rating_to_dict
from aurion.timestamps import isoformat_utc, utcnow

# A visitor's last_seen_at moves a minute at a time (see mark_seen).
LAST_SEEN_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class NewSession:
    """A created session with its bearer token, and `reply`, the body of `POST /widget/session`
    (which carries an anonymous visitor's visitor token too)."""

    session: WidgetSession
    token: str
    reply: dict


def claimed_widget_id(payload: Any) -> str:
    """The widget a session request names, UNVERIFIED: for rate-limit keys and CORS only.

    Normalised (trimmed, lower-case, cut to an id's length) so that padding or re-casing
    the id, which the request's validation would trim or refuse anyway, does not open a
    fresh rate-limit bucket.
    """
    if not isinstance(payload, dict):
        return ""
    claimed = payload.get("widget_id")
    if not isinstance(claimed, str):
        try:
            claimed = identity.read_email_token(payload.get("email_token")).widget_id
        except Problem:
            return ""
    return claimed.strip().lower()[:PUBLIC_ID_MAX_LENGTH]


def session_widget(request: WidgetSessionRequest) -> Widget:
    """The widget the request is for: named by the email token, or by `widget_id` when anonymous.

    When both are given they must agree. Nothing is verified yet: the caller checks the
    Origin against this widget first (so a browser can read the 401 that may follow),
    then `create_session` verifies the credentials. 401 when the request names neither.
    """
    if request.email_token is None and request.widget_id is None:
        raise Problem(
            401,
            "email_token_required",
            "Send email_token (minted by your backend), or widget_id for an anonymous visitor where the widget allows it.",
        )
    if request.email_token is None:
        missing = NotFoundProblem(f"No widget {request.widget_id!r}; check the embed snippet.", "widget_not_found")
        return _find_widget(request.widget_id, missing)
    claims = identity.read_email_token(request.email_token)
    unknown = Problem(
        401,
        "email_token_unknown_widget",
        f"The email token names widget {claims.widget_id!r}, which does not exist (was its key regenerated?).",
    )
    if request.widget_id is not None and request.widget_id != claims.widget_id:
        raise Problem(401, "email_token_wrong_widget", "The email token was minted for another widget.")
    return _find_widget(claims.widget_id, unknown)


def _find_widget(public_id: str, missing: Problem) -> Widget:
    widget = None
    if is_public_id(public_id):
        widget = db.session.execute(db.select(Widget).filter_by(public_id=public_id)).scalar_one_or_none()
    if widget is None:
        raise missing
    return widget


def mark_seen(visitor: Visitor, now: datetime) -> None:
    """The visitor is here `now` (a session, a message): their last_seen_at, to the minute.
    To the second, every session and message would cost an UPDATE of their row."""
    if visitor.last_seen_at is None or now - visitor.last_seen_at >= LAST_SEEN_STEP:
        visitor.last_seen_at = now


def _identified_visitor(widget: Widget, email: str, display_name: str | None) -> Visitor:
    visitor = db.session.execute(db.select(Visitor).filter_by(widget_id=widget.id, email=email)).scalar_one_or_none()
    if visitor is None:
        # Named and seen in the INSERT: start_session's updates then change nothing. Inserted
        # with the session's other rows, in one flush (a concurrent first session: see create_session).
        visitor = Visitor(
            widget_id=widget.id, public_id=new_public_id("vis_"), email=email, display_name=display_name or "", last_seen_at=utcnow()
        )
        db.session.add(visitor)
    return visitor


def _anonymous_visitor(widget: Widget, visitor_token: str | None) -> Visitor:
    if visitor_token is not None:
        public_id = identity.read_visitor_token(current_app.config["SECRET_KEY"], visitor_token, widget.public_id)
        visitor = db.session.execute(
            db.select(Visitor).filter_by(widget_id=widget.id, public_id=public_id, email=None)
        ).scalar_one_or_none()
        if visitor is None:
            raise Problem(401, "visitor_token_invalid", "The visitor token names no visitor of this widget; start without it.")
        return visitor
    return new_unidentified_visitor(widget)


def new_unidentified_visitor(widget: Widget) -> Visitor:
    """A new visitor without an email: anonymous, or vouched for by the tenant's server (an API key)."""
    visitor = Visitor(widget_id=widget.id, public_id=new_public_id("vis_"), email=None)
    db.session.add(visitor)
    return visitor


def _visitor(widget: Widget, request: WidgetSessionRequest) -> Visitor:
    if request.email_token is not None:
        claims = identity.verify_email_token(request.email_token, widget.public_id, widget.identity_secret)
        return _identified_visitor(widget, claims.email, request.display_name)
    if not widget.allow_anonymous:
        raise Problem(
            401,
            "email_token_required",
            "This widget does not allow anonymous visitors: send an email_token minted by your backend.",
        )
    return _anonymous_visitor(widget, request.visitor_token)


def open_conversation(widget: Widget, visitor: Visitor) -> Conversation:
    """The visitor's latest conversation unless it is closed; otherwise a new one."""
    conversation = None
    if visitor.id is not None:
        conversation = db.session.execute(
            db.select(Conversation).filter_by(widget_id=widget.id, visitor_id=visitor.id).order_by(Conversation.id.desc()).limit(1)
        ).scalar_one_or_none()
    if conversation is None or conversation.status == "closed":
        # rating=None: a new conversation has none, so conversation_summary need not query for it.
        conversation = Conversation(
            public_id=new_public_id("conv_"), tenant_id=widget.tenant_id, widget_id=widget.id, visitor=visitor, rating=None
        )
        db.session.add(conversation)
    return conversation


def conversation_summary(conversation: Conversation) -> dict:
    """A conversation as the API, the inbox and webhooks show it, without its messages."""
    visitor = conversation.visitor
    return {
        "id": conversation.public_id,
        "status": conversation.status,
        "widget_id": conversation.widget.public_id,
        "visitor": {"id": visitor.public_id, "email": visitor.email, "display_name": visitor.display_name},
        "contact_email": conversation.contact_email,
        "arrived_while_away": conversation.arrived_while_away,
        "rating": rating_to_dict(conversation.rating),
        "created_at": isoformat_utc(conversation.created_at),
        "updated_at": isoformat_utc(conversation.updated_at),
    }


def create_session(widget: Widget, request: WidgetSessionRequest, user_agent: str | None = None) -> NewSession:
    """A new session for the visitor the request proves, with their open conversation.

    The page, time zone and `user_agent` (the request's User-Agent header) are kept on the
    session for the team. 401 for a bad, expired or foreign email token, a bad visitor
    token, or an anonymous request to a widget that does not allow anonymous visitors.
    """

    def attempt() -> NewSession:
        return start_session(
            widget,
            _visitor(widget, request),
            request.display_name,
            page_url=request.page_url,
            time_zone=request.time_zone,
            user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH] or None,
        )

    try:
        return attempt()
    except IntegrityError:
        # Two first sessions of one identified visitor at once: the other request inserted
        # the visitor's row first. Again, this one finds it (and its conversation).
        db.session.rollback()
        return attempt()


def start_session(
    widget: Widget,
    visitor: Visitor,
    display_name: str | None = None,
    *,
    page_url: str | None = None,
    time_zone: str | None = None,
    user_agent: str | None = None,
) -> NewSession:
    """A new session for `visitor` (already proven) with their open conversation, and where
    and on what they opened it (shown to the team)."""
    if display_name is not None:
        visitor.display_name = display_name
    mark_seen(visitor, utcnow())
    conversation = open_conversation(widget, visitor)
    is_new = conversation.id is None
    session = WidgetSession(
        public_id=new_public_id("ws_"),
        widget=widget,
        visitor=visitor,
        conversation=conversation,
        expires_at=utcnow() + identity.SESSION_LIFETIME,
        page_url=page_url,
        time_zone=time_zone,
        user_agent=user_agent,
    )
    db.session.add(session)
    if is_new:
        db.session.flush()  # the conversation's defaults (status, created_at), for the event
        webhooks.announce(widget.tenant_id, "conversation.created", {"conversation": conversation_summary(conversation)})
    secret_key = current_app.config["SECRET_KEY"]
    token = identity.issue_session_token(secret_key, session.public_id, widget.public_id, visitor.public_id, session.expires_at)
    visitor_token = None if visitor.email else identity.issue_visitor_token(secret_key, widget.public_id, visitor.public_id)
    # All the caller shows is read before the commit expires the rows: read after it, each
    # row would be loaded again, a query apiece, at the busiest moment (a page's first visit).
    new = NewSession(session, token, _reply(session, token, visitor_token))
    tenant_id, conversation_id = widget.tenant_id, conversation.id
    db.session.commit()
    if is_new:
        publish_row(tenant_id, conversation_id)
    return new


def session_from_bearer(token: str | None) -> WidgetSession:
    """The live session a bearer token names, or a 401 problem saying why not.

    The JWT must verify and be unexpired, and the database must agree: the session
    exists and has not expired, its widget still has the public id the token names
    (regenerate-key ends sessions at once), and the visitor is the token's.
    """
    claims = identity.read_session_token(current_app.config["SECRET_KEY"], token)
    # One query, not four: every visitor request reads the session's widget, visitor and conversation.
    session = db.session.execute(
        db.select(WidgetSession)
        .filter_by(public_id=claims.session_id)
        .options(joinedload(WidgetSession.widget), joinedload(WidgetSession.visitor), joinedload(WidgetSession.conversation))
    ).scalar_one_or_none()
    if session is None:
        raise Problem(401, "session_unknown", "The session no longer exists; create a new one.")
    if session.expires_at <= utcnow():
        raise Problem(401, "session_expired", "The session has expired; create a new one.")
    if session.widget.public_id != claims.widget_id:
        raise Problem(401, "session_revoked", "The widget's key was regenerated, which ended this session; create a new one.")
    if session.visitor.public_id != claims.visitor_id:
        raise Problem(401, "session_token_invalid", "The session token is not valid.")
    return session


def _reply(session: WidgetSession, token: str, visitor_token: str | None) -> dict:
    body = {
        "session_id": session.public_id,
        "token": token,
        "expires_at": isoformat_utc(session.expires_at),
        "conversation_id": session.conversation.public_id,
        "conversation_status": session.conversation.status,
        "visitor_id": session.visitor.public_id,
        "widget_id": session.widget.public_id,
    }
    if visitor_token is not None:
        body["visitor_token"] = visitor_token
    return body
