"""What a visitor would get for a question, shown by "Try the agent" in the dashboard."""

from dataclasses import dataclass

from aurion.agent.backends import AgentContext, Reply, Turn
from aurion.agent.handoff import HandoffDecision, visitor_wants_person
from aurion.agent.knowledge_agent import KnowledgeBaseAgent
from aurion.engines.embedding import embed_cached
from aurion.engines.retrieval import Hit
from aurion.models import Widget
from aurion.services.knowledge import RETRIEVED_ARTICLES, answer_hits, search_knowledge


@dataclass(frozen=True)
class Preview:
    """The built-in agent's response to a first message: a hand-off, or an answer from articles."""

    handoff: HandoffDecision
    # The answer's text, None when the conversation would go to a person.
    answer: str | None
    # False when the agent would say it doesn't know.
    answered: bool
    # The articles ranked for the question, and those the answer quotes.
    ranked: list[Hit]
    used: list[int]


def try_the_agent(widget: Widget, question: str, ranked_articles: int) -> Preview:
    """What the live agent does with `question` as a visitor's first message, with the `ranked_articles` best articles."""
    vector = embed_cached([question])[0]  # once, for retrieval, the hand-off and the answer
    ranked = search_knowledge(widget, question, max(ranked_articles, RETRIEVED_ARTICLES), query_vector=vector)
    handoff = visitor_wants_person(widget, question, ranked=ranked, vector=vector)
    if handoff.wanted:
        return Preview(handoff, None, False, ranked[:ranked_articles], [])
    context = AgentContext(
        product_name=widget.tenant.name,
        turns=[Turn("user", question)],
        question=question,
        hits=answer_hits(ranked),
        handoff=handoff,
        question_vector=vector,
        query_vector=vector,
    )
    reply = Reply()
    answer = "".join(KnowledgeBaseAgent().stream(context, reply)).strip()
    return Preview(handoff, answer, reply.answered, ranked[:ranked_articles], reply.source_ids)
