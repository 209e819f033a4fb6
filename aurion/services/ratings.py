"""Ratings: once a conversation has ended, its visitor says how it went (good, okay or bad)
with an optional comment. One rating per conversation; the visitor may change it for a
day after first rating, then it is final."""

from datetime import timedelta

from aurion.extensions import db
from aurion.models import Conversation, Rating
from aurion.problems import Problem
from aurion.schemas.ratings import RatingInput
from aurion.services import webhooks
from aurion.timestamps import isoformat_utc, utcnow

CHANGEABLE_FOR = timedelta(days=1)


def rate(conversation: Conversation, verdict: RatingInput) -> tuple[Rating, bool]:
    """Store or change the conversation's rating; (the rating, whether it is new).

    409 while the conversation is open (rated once a person closed it or the visitor
    ended it), and once the day to change a rating is over.
    """
    if conversation.status != "closed":
        raise Problem(409, "conversation_open", "A conversation is rated once it has ended.")
    rating = conversation.rating
    created = rating is None
    if created:
        rating = Rating(conversation=conversation)
        db.session.add(rating)
    elif utcnow() >= rating.created_at + CHANGEABLE_FOR:
        raise Problem(409, "rating_final", "This rating is more than a day old and can no longer be changed.")
    rating.score = verdict.score
    rating.comment = verdict.comment or ""
    rating.updated_at = utcnow()
    db.session.flush()
    if created:
        webhooks.announce(
            conversation.tenant_id,
            "rating.created",
            {"conversation_id": conversation.public_id, "rating": rating_to_dict(rating)},
        )
    db.session.commit()
    return rating, created


def rating_to_dict(rating: Rating | None) -> dict | None:
    """A rating as the API, the inbox and webhooks show it (None: not rated)."""
    if rating is None:
        return None
    return {
        "score": rating.score,
        "comment": rating.comment,
        "created_at": isoformat_utc(rating.created_at),
        "updated_at": isoformat_utc(rating.updated_at),
        "changeable_until": isoformat_utc(rating.created_at + CHANGEABLE_FOR),
    }
