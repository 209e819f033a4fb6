"""A visitor's rating of a finished conversation."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from aurion.schemas.fields import Model, OptionalText

# Three faces, not five stars: a visitor answers at a glance, and "okay" is a real answer.
SCORES = ("good", "okay", "bad")
Score = Literal[SCORES]
COMMENT_MAX_LENGTH = 1000


class RatingInput(Model):
    """The visitor's verdict; sending it again within a day changes it."""

    score: Score
    comment: OptionalText(COMMENT_MAX_LENGTH) = Field(None, description="Optional; absent or blank means none.")


class Rating(Model):
    score: Score
    comment: str
    created_at: datetime
    updated_at: datetime
    changeable_until: datetime = Field(description="A day after the first rating; later changes are refused (409).")
