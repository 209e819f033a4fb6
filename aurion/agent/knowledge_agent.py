"""The built-in agent: answers from the best knowledge-base passages, no network needed."""

import re
from collections.abc import Iterator

from aurion.agent.backends import AgentContext, Reply

NOT_FOUND = (
    "I'm sorry, I don't know the answer to that: it isn't covered in our help articles, "
    "and I'd rather not guess. Would you like me to connect you with a person?"
)
HANDOFF_OFFER = "If that doesn't answer your question, just ask and I'll connect you with a person."
# A second article is mentioned only when it is nearly as relevant as the first.
SECOND_SOURCE_RATIO = 0.9
_PIECE = re.compile(r"\S+\s*")


def compose_answer(context: AgentContext, reply: Reply) -> str:
    """The reply text for `context`, recording which articles it drew on."""
    if not context.hits:
        reply.answered = False
        return NOT_FOUND
    best = context.hits[0]
    parts = [f"From our article \u201c{best.title}\u201d:\n\n{best.snippet}"]
    reply.source_ids = [best.article_id]
    for other in context.hits[1:2]:
        if other.score >= best.score * SECOND_SOURCE_RATIO and other.article_id != best.article_id:
            parts.append(f"Also relevant, \u201c{other.title}\u201d:\n\n{other.snippet}")
            reply.source_ids.append(other.article_id)
    parts.append(HANDOFF_OFFER)
    return "\n\n".join(parts)


class KnowledgeBaseAgent:
    """Quotes the passages that answer the question, names them, and admits what it doesn't know."""

    def stream(self, context: AgentContext, reply: Reply) -> Iterator[str]:
        # Word by word, so chat and voice get the same incremental delivery as a model's.
        yield from _PIECE.findall(compose_answer(context, reply))
