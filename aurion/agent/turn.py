"""One turn of the agent: read the conversation, retrieve, stream the reply, store it."""

import time
from collections.abc import Callable, Mapping
from typing import Protocol

from flask import current_app

from aurion.agent.backends import AgentContext, Backend, Reply, Turn
from aurion.agent.handoff import offered_a_person, visitor_wants_person
from aurion.agent.knowledge_agent import KnowledgeBaseAgent
from aurion.agent.llm import ChatCompletionsAgent
from aurion.engines import frames, metrics
from aurion.engines.broker import publish
from aurion.engines.embedding import embed_cached
from aurion.engines.retrieval import contextual_query
from aurion.extensions import db
from aurion.models import Conversation, Message
from aurion.services.conversations import is_notice, request_handoff, store_message
from aurion.services.knowledge import RETRIEVED_ARTICLES, answer_hits, article_sources, search_knowledge
from aurion.services.knowledge_gaps import record_unanswered
from aurion.services.public_ids import new_public_id

# The agent (and a model, if configured) sees this many earlier messages: enough for
# follow-ups; older ones rarely matter, and cost tokens.
CONTEXT_MESSAGES = 20
# The shortest time between two `delta` frames of an answer (see _Deltas).
DELTA_INTERVAL = 0.05
# While a model writes, the conversation's status is read again this often: a person who
# takes over stops the agent's answer within it (one query a second, not one a token).
TAKEOVER_CHECK_INTERVAL = 1.0


class HeldTurn(Protocol):
    """A worker's claim on a conversation's owed answer (`aurion.agent.dispatch.TurnClaim`)."""

    def held(self) -> bool:
        """Whether this worker still holds the turn."""

    def settle(self, conversation: Conversation) -> None:
        """Mark the owed answer given, in the session's next commit (the answer's)."""


def uses_model_endpoint(settings: Mapping) -> bool:
    """Whether a model endpoint answers (`AURION_LLM_BASE_URL` and `AURION_LLM_MODEL`), not the built-in agent."""
    return bool(settings.get("AURION_LLM_BASE_URL") and settings.get("AURION_LLM_MODEL"))


def choose_backend(settings: Mapping) -> Backend:
    """The model endpoint when one is configured, else the built-in knowledge-base agent."""
    if uses_model_endpoint(settings):
        return ChatCompletionsAgent(
            base_url=settings["AURION_LLM_BASE_URL"],
            api_key=settings.get("AURION_LLM_API_KEY", ""),
            model=settings["AURION_LLM_MODEL"],
            timeout=float(settings.get("AURION_LLM_TIMEOUT", 20)),
        )
    return KnowledgeBaseAgent()


def _recent_messages(conversation: Conversation) -> list[Message]:
    rows = db.session.execute(
        db.select(Message).filter_by(conversation_id=conversation.id).order_by(Message.id.desc()).limit(CONTEXT_MESSAGES)
    ).scalars()
    return list(reversed(list(rows)))


def _previous_reply_found_nothing(messages: list[Message]) -> bool:
    """Whether the agent's last answer before this turn drew on no article."""
    answers = [m for m in messages if m.sender == "agent" and not is_notice(m.content)]
    return bool(answers) and not answers[-1].sources


class _Deltas:
    """The answer's `delta` frames: a piece goes out at once unless one went out less than
    DELTA_INTERVAL ago; then it waits, with whatever follows, for the next piece due out,
    or the end. The built-in agent's words, all ready at once, take two frames instead of
    one per word (each frame is a broker round trip, from every worker answering); a
    model's tokens still stream about twenty frames a second."""

    def __init__(self, channel: str, message_id: str):
        self._channel = channel
        self._message_id = message_id
        self._waiting: list[str] = []
        self._sent_at = float("-inf")

    def add(self, piece: str) -> None:
        self._waiting.append(piece)
        if time.monotonic() - self._sent_at >= DELTA_INTERVAL:
            self.flush()

    def flush(self) -> None:
        if self._waiting:
            publish(self._channel, frames.delta(self._message_id, "".join(self._waiting)))
            self._waiting = []
            self._sent_at = time.monotonic()


def answer_visitor(
    conversation_id: int,
    on_piece: Callable[[str], None] | None = None,
    turn: HeldTurn | None = None,
) -> Message | None:
    """Answer the visitor's latest message, streaming `typing` and `delta` frames, then the stored `message`.

    Does nothing unless the agent owns the conversation. Hands off to a person when
    the visitor asks for one, or when the agent could not answer twice in a row.
    `on_piece` also gets each piece of the answer as it is generated (the voice
    pipeline speaks sentences before the answer is complete).

    With `turn` (a claimed turn, `aurion.agent.dispatch`) the answer is owed: the
    visitor's latest message is answered even when the agent's answer to an earlier
    one was stored after it, and storing the answer settles the debt in the same
    commit. Once the turn is no longer held, another worker answers instead and this
    one stops without storing anything. Without it (a voice call answering its own
    turn) only a conversation whose last message is the visitor's is answered.
    """
    still_held = turn.held if turn is not None else (lambda: True)
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or conversation.status != "agent":
        return None
    messages = _recent_messages(conversation)
    asked = [m for m in messages if m.sender == "user"]
    if not asked or (turn is None and messages[-1].sender != "user"):
        return None
    # The agent's answer to an earlier question may have been stored after this one:
    # read the conversation as if it came first, the question last.
    question = asked[-1]
    messages = [m for m in messages if m is not question] + [question]
    previous = messages[-2] if len(messages) > 1 else None
    offered_person = previous is not None and previous.sender == "agent" and offered_a_person(previous.content)

    widget = conversation.widget
    visitor_turns = [m.content for m in messages if m.sender == "user"]
    query = contextual_query(visitor_turns)
    # Each text once per turn, both in one pass (one when the query is the question):
    # retrieval, the hand-off decision and the answer's sentences all use these.
    question_vector, query_vector = embed_cached([question.content, query or question.content])
    ranked = search_knowledge(widget, query, RETRIEVED_ARTICLES, query_vector=query_vector)
    # The hand-off is judged on the message itself: a follow-up's query carries the question before it.
    handoff = visitor_wants_person(
        widget, question.content, offered_person, ranked if query == question.content else None, vector=question_vector
    )
    backend = choose_backend(current_app.config)
    # A model decides the hand-off itself (its `handoff` tool), falling back to this decision.
    if handoff.wanted and not isinstance(backend, ChatCompletionsAgent):
        request_handoff(conversation, question.mode)
        return None
    context = AgentContext(
        product_name=widget.tenant.name,
        turns=[Turn(m.sender, m.content) for m in messages],
        question=question.content,
        hits=answer_hits(ranked),
        handoff=handoff,
        query=query,
        previous_found_nothing=_previous_reply_found_nothing(messages),
        question_vector=question_vector,
        query_vector=query_vector,
    )
    if not still_held():  # retrieval outlasted the lease: another worker answers
        return None
    # The visitor may have asked for a person while the answer was being prepared: then
    # nothing is streamed, or the widget would show an answer that never lands (below the
    # hand-off's notice) and stays half-written.
    db.session.refresh(conversation, ["status"])
    if conversation.status != "agent":
        return None
    message_id = new_public_id("msg_")
    channel = conversation.public_id
    publish(channel, frames.typing("agent", True))
    reply = Reply()
    pieces = []
    deltas = _Deltas(channel, message_id)
    checked_at = time.monotonic()
    for piece in backend.stream(context, reply):
        if not still_held():
            break
        if time.monotonic() - checked_at >= TAKEOVER_CHECK_INTERVAL:
            checked_at = time.monotonic()
            db.session.refresh(conversation, ["status"])
            if conversation.status != "agent":
                break
        pieces.append(piece)
        deltas.add(piece)
        if on_piece is not None:
            on_piece(piece)
    deltas.flush()
    # The conversation may have been taken over while the agent was writing: then what
    # the widget shows of the answer is dropped, since it will never be stored.
    db.session.refresh(conversation)
    publish(channel, frames.typing("agent", False))
    if conversation.status != "agent" or not still_held():
        if pieces:
            publish(channel, frames.delta_dropped(message_id))
        return None
    if reply.handoff_reason is not None and not pieces:
        request_handoff(conversation, question.mode)
        return None
    if turn is not None:
        turn.settle(conversation)
    message = store_message(
        conversation,
        "agent",
        "".join(pieces).strip(),
        question.mode,
        public_id=message_id,
        sources=article_sources(widget, reply.source_ids),
    )
    if not reply.answered and not reply.foreign_language:
        # A gap in the knowledge base, which the dashboard shows its owner.
        record_unanswered(conversation, question.content)
    # The model handed off after writing (say, "let me get a colleague"), or the agent could
    # not answer two questions in a row and gives up: a person takes over.
    if reply.handoff_reason is not None or (not reply.answered and _previous_reply_found_nothing(messages)):
        request_handoff(conversation, question.mode)
    return message


def answer_visitor_safely(
    conversation_id: int,
    on_piece: Callable[[str], None] | None = None,
    turn: HeldTurn | None = None,
) -> Message | None:
    """`answer_visitor`, telling the visitor (instead of going silent) when it fails."""
    started = time.perf_counter()
    try:
        message = answer_visitor(conversation_id, on_piece, turn)
        metrics.agent_turn_seconds.labels("answered" if message is not None else "skipped").observe(time.perf_counter() - started)
        return message
    except Exception:
        metrics.agent_turn_seconds.labels("failed").observe(time.perf_counter() - started)
        current_app.logger.exception("The agent failed to answer conversation %s", conversation_id)
        db.session.rollback()
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is not None:
            publish(conversation.public_id, frames.typing("agent", False))
            publish(conversation.public_id, frames.error("agent_failed", "The assistant could not answer; ask for a person."))
