"""The built-in agent: answers with the sentences of the best knowledge-base passage, no network needed."""

import re
from collections.abc import Iterator

from aurion.agent.backends import AgentContext, Reply
from aurion.agent.language import foreign_language, language_notice
from aurion.engines.embedding import embed_cached
from aurion.engines.retrieval import RELEVANCE_THRESHOLD, split_sentences

NOT_FOUND = (
    "I'm sorry, I don't know the answer to that: it isn't covered in our help articles, "
    "and I'd rather not guess. Would you like me to connect you with a person?"
)
# Said only when the answer may be wrong or the visitor seems stuck: an offer on
# every message reads as boilerplate and is ignored.
PERSON_OFFER = "If that doesn't answer your question, just ask and I'll connect you with a person."
# An answer whose best passage scores less than this above the relevance threshold
# may be wrong: on tests/support/help_center.py every wrong first hit scored below
# it, and only the hardest paraphrases that found the right article did.
LOW_CONFIDENCE_MARGIN = 0.15
MAX_ANSWER_SENTENCES = 3
# A sentence joins the best one when its similarity to the question is at most this
# much lower: "How fast is express delivery?" keeps the express sentence (0.81) and drops
# the one on standard delivery (0.58); "How long until I get my money back?" keeps both
# "request a refund within 30 days" (0.64) and "take 5 to 10 business days" (0.56). On 18
# questions about two- and three-sentence passages the answering sentence was always
# kept, with 1.2 sentences on average.
SENTENCE_MARGIN = 0.1
# The visitor rephrasing the question the agent just answered: it did not help. Two
# questions on one topic ("How do I get a refund?", "How long do refunds take?") stay
# below it; a rewording of the same question does not.
ASKED_AGAIN_SIMILARITY = 0.75
# A sentence opening with these leans on the one before it, which is then kept too.
_LEANS_BACK = re.compile(r"^(it|its|this|that|these|those|they|then|there)\b", re.IGNORECASE)
_PIECE = re.compile(r"\S+\s*")


def answer_sentences(passage: str, question_vector, query_vector, already_said: str = "") -> list[str]:
    """The one to three sentences of `passage` that answer the question, in passage order.

    Sentences are ranked by their mean similarity to the question and to the retrieval
    query (the question read with the one before it, for a follow-up: "and how long is it
    valid?" alone matches any duration). A follow-up asks for more than the last answer
    said, so sentences in `already_said` are passed over while others remain.
    """
    sentences = split_sentences(passage)
    fresh = [sentence for sentence in sentences if sentence not in already_said]
    if fresh:
        sentences = fresh
    if len(sentences) <= 1:
        return sentences
    # Embedded alone, not with the article's title as passages are: the title, shared by
    # all, pulls their similarities together (0.62 and 0.53 with it for the money-back
    # question of SENTENCE_MARGIN, 0.64 and 0.56 without).
    # Cached: the passages an agent quotes are few, and their sentences come up again and again.
    vectors = embed_cached(sentences)
    similarity = (vectors @ question_vector + vectors @ query_vector) / 2
    ranked = sorted(range(len(sentences)), key=lambda i: -similarity[i])
    chosen = [i for i in ranked[:MAX_ANSWER_SENTENCES] if similarity[i] >= similarity[ranked[0]] - SENTENCE_MARGIN]
    for i in list(chosen):
        if i > 0 and i - 1 not in chosen and _LEANS_BACK.match(sentences[i]) and len(chosen) < MAX_ANSWER_SENTENCES:
            chosen.append(i - 1)
    return [sentences[i] for i in sorted(chosen)]


def _asked_again(context: AgentContext, question_vector, answer: str) -> bool:
    """Whether the visitor, just answered, asks the same again: in nearly the same
    words, or so that the agent would repeat its last answer."""
    if len(context.turns) < 3 or context.turns[-2].sender != "agent":
        return False
    if context.turns[-2].content.startswith(answer):
        return True
    asked = [turn.content for turn in context.turns if turn.sender == "user"]
    # The previous question was this process's question a turn ago, most likely: cached.
    return len(asked) > 1 and float(embed_cached([asked[-2]])[0] @ question_vector) >= ASKED_AGAIN_SIMILARITY


def compose_answer(context: AgentContext, reply: Reply) -> str:
    """The reply text for `context`, recording which article it drew on."""
    # The embeddings read English only: a question in another language would get a wrong article.
    reply.foreign_language = foreign_language(context.question)
    if reply.foreign_language:
        reply.answered = False
        return language_notice(reply.foreign_language)
    if not context.hits:
        reply.answered = False
        return NOT_FOUND
    best = context.hits[0]
    reply.source_ids = [best.article_id]
    question_vector, query_vector = context.question_vector, context.query_vector
    if question_vector is None or query_vector is None:
        question_vector, query_vector = embed_cached([context.question, context.query or context.question])
    follow_up = bool(context.query) and context.query != context.question
    last_answer = next((turn.content for turn in reversed(context.turns) if turn.sender == "agent"), "")
    answer = " ".join(answer_sentences(best.snippet, question_vector, query_vector, last_answer if follow_up else ""))
    unsure = best.score < RELEVANCE_THRESHOLD + LOW_CONFIDENCE_MARGIN
    if unsure or context.previous_found_nothing or _asked_again(context, question_vector, answer):
        answer += "\n\n" + PERSON_OFFER
    return answer


class KnowledgeBaseAgent:
    """Answers with the sentences that answer the question (the widget names the article),
    and admits what it doesn't know."""

    def stream(self, context: AgentContext, reply: Reply) -> Iterator[str]:
        # Word by word, so chat and voice get the same incremental delivery as a model's.
        yield from _PIECE.findall(compose_answer(context, reply))
