"""What the agent's backends see and return (`turn.choose_backend` picks the backend)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from aurion.agent.handoff import HandoffDecision
from aurion.engines.retrieval import Hit


@dataclass(frozen=True)
class Turn:
    """One earlier message: `sender` is user, agent or human."""

    sender: str
    content: str


@dataclass(frozen=True)
class AgentContext:
    """Everything a backend needs to answer the visitor's last message."""

    product_name: str
    turns: list[Turn]
    question: str
    # Knowledge-base hits above the relevance threshold, best first.
    hits: list[Hit]
    # The built-in hand-off decision; a model backend applies it when its endpoint fails.
    handoff: HandoffDecision = HandoffDecision(False, "not judged")
    # What was retrieved with: the question, read with the one before it when it is a
    # follow-up ("and for monthly plans?"). Empty means the question alone.
    query: str = ""
    # The agent's previous answer in this conversation drew on no article.
    previous_found_nothing: bool = False
    # The embeddings of `question` and of the query, when the turn computed them already.
    question_vector: np.ndarray | None = None
    query_vector: np.ndarray | None = None


@dataclass
class Reply:
    """A reply being written: backends yield its text in pieces and fill in the rest."""

    source_ids: list[int] = field(default_factory=list)
    # False when the agent could not answer from what it knows.
    answered: bool = True
    # Set when the conversation should go to a person (a model called its `handoff` tool): why.
    handoff_reason: str | None = None
    # The language ("de", "fr", ...) of a message the built-in agent declined because it
    # reads English only: not a gap in the knowledge base.
    foreign_language: str | None = None


class Backend(Protocol):
    def stream(self, context: AgentContext, reply: Reply) -> Iterator[str]:
        """Yield the reply's text in pieces; set `reply.source_ids` and `reply.answered`."""

