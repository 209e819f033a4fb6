"""What the team writes beside a conversation: internal notes and saved replies."""

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from aurion.schemas.fields import Model, Text
from aurion.schemas.messages import CONTENT_MAX_LENGTH
from aurion.schemas.team import SHORTCUT_MAX_LENGTH, SHORTCUT_PATTERN


class NoteRequest(Model):
    """An internal note: the team sees it, the visitor never does."""

    content: Text(CONTENT_MAX_LENGTH)


def _shortcut(value: str) -> str:
    value = value.removeprefix("/")
    if not re.fullmatch(SHORTCUT_PATTERN, value):
        raise PydanticCustomError(
            "shortcut", "must be lower-case letters, digits, - or _ (starting with a letter or digit), such as refund-policy"
        )
    return value


# Typed with or without its leading slash; stored without it.
Shortcut = Annotated[Text(SHORTCUT_MAX_LENGTH + 1), AfterValidator(_shortcut)]


class SavedReplyRequest(Model):
    """A saved reply: `/shortcut` in the reply box inserts `content`."""

    shortcut: Shortcut
    content: Text(CONTENT_MAX_LENGTH)
