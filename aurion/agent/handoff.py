"""Recognising a visitor who wants a person instead of the agent."""

import re

_ASKS_FOR_PERSON = re.compile(
    r"\b(human|real person|a person|someone real|live (agent|chat|person)|representative|operator|"
    r"support (staff|team)|customer service|talk to (someone|somebody|a person|support)|"
    r"speak (to|with) (someone|somebody|a person|support)|connect me)\b",
    re.IGNORECASE,
)
_AFFIRMATIVE = re.compile(r"^\s*(yes|yes please|yeah|yep|sure|please do|ok(ay)?|please)\s*[.!]*\s*$", re.IGNORECASE)


def asks_for_person(text: str, agent_offered_person: bool = False) -> bool:
    """Whether `text` asks for a person; a plain "yes" counts right after the agent offered one."""
    if _ASKS_FOR_PERSON.search(text):
        return True
    return agent_offered_person and bool(_AFFIRMATIVE.match(text))
