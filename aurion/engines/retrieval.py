"""Knowledge-base retrieval: rank support articles for a visitor's question.

Articles are split into passages when they are saved (``index_article``), and
each passage is embedded once with all-MiniLM-L6-v2 (see ``embedding``). At
query time ``rank`` embeds the question once, scores every passage by meaning
(cosine similarity) and by shared words (Okapi BM25, built on the fly over the
given passages), fuses both, and returns one hit per article with its best
passage as snippet.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from aurion.engines.embedding import EMBEDDING_DIM, embed

# A hit scoring below this is not relevant: the agent should say that the
# knowledge base does not cover the question. Set between the off-topic
# questions (max 0.16) and the paraphrased support questions (min 0.24) of
# tests/test_retrieval.py. It filters small talk and unrelated topics; an
# on-domain question the knowledge base does not answer ("do you offer phone
# support?") can still pass it, so the agent must read the snippet too.
RELEVANCE_THRESHOLD = 0.23

# Weight of the lexical (BM25) score in the fused score; the rest is the cosine
# similarity. Dense similarity carries paraphrases; the lexical part lifts exact
# error codes and product names, which the subword tokenizer blurs. Weighted
# score fusion beat Reciprocal Rank Fusion on the test paraphrases (22/25 vs
# 19/25 top-1) and, unlike RRF, keeps an absolute score to threshold. Above
# ~0.25 shared incidental words ("endpoints") start to outvote meaning.
LEXICAL_WEIGHT = 0.2

BM25_K1 = 1.2
BM25_B = 0.75

_MAX_PASSAGE_SENTENCES = 3
_MAX_PASSAGE_CHARS = 600  # keeps a passage well under the model's 256-token window
_MIN_PARAGRAPH_CHARS = 40  # shorter paragraphs (headings, "Steps:") join the next one

# fmt: off
_STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to", "in", "on", "at", "by",
    "for", "with", "from", "about", "into", "over", "as", "is", "are", "was", "were", "be",
    "been", "being", "am", "do", "does", "did", "doing", "have", "has", "had", "having", "can",
    "could", "will", "would", "shall", "should", "may", "might", "must", "i", "me", "my", "mine",
    "we", "us", "our", "you", "your", "yours", "he", "him", "his", "she", "her", "it", "its",
    "they", "them", "their", "this", "that", "these", "those", "there", "here", "what", "which",
    "who", "whom", "whose", "when", "where", "why", "how", "not", "no", "nor", "too", "very",
    "just", "also", "than", "up", "down", "out", "off", "again", "any", "all", "both", "each",
    "few", "more", "most", "other", "some", "such", "only", "own", "same", "s", "t", "don",
    "please", "hi", "hello", "thanks",
})
# fmt: on
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_FOLLOW_UP_OPENERS = ("and", "but", "also", "so", "then", "what about", "how about", "ok", "okay")
_ANAPHORA = frozenset(
    ["it", "its", "that", "this", "those", "these", "they", "them", "there", "one"]
)
_MAX_FOLLOW_UP_WORDS = 8


@dataclass(frozen=True)
class Passage:
    """One chunk of an article with its embedding (computed at save time)."""

    article_id: int
    title: str
    text: str
    vector: np.ndarray


@dataclass(frozen=True)
class Hit:
    """One ranked article: ``score`` in [0, 1], ``snippet`` is its best passage."""

    article_id: int
    title: str
    score: float
    snippet: str


def split_passages(title: str, body: str) -> list[str]:
    """Split an article body into passages of at most ~3 sentences.

    Paragraphs (blank-line separated) are kept together when short; long ones
    are cut into groups of sentences or lines. Tiny paragraphs such as headings
    are joined to the following one. An empty body yields the title alone, so
    every article stays findable.
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body or "") if p.strip()]
    passages: list[str] = []
    carry = ""
    for paragraph in paragraphs:
        paragraph = f"{carry} {paragraph}".strip() if carry else paragraph
        if len(paragraph) < _MIN_PARAGRAPH_CHARS:
            carry = paragraph
            continue
        carry = ""
        passages.extend(_chunk_paragraph(paragraph))
    if carry:
        if passages:
            passages[-1] = f"{passages[-1]} {carry}"
        else:
            passages.append(carry)
    if not passages and title.strip():
        passages.append(title.strip())
    return passages


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, a line without end punctuation counting as one."""
    return [sentence for line in text.splitlines() for sentence in _SENTENCE_END.split(line.strip()) if sentence]


def _chunk_paragraph(paragraph: str) -> list[str]:
    units = split_sentences(paragraph)
    chunks: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and (
            len(current) == _MAX_PASSAGE_SENTENCES
            or sum(len(u) + 1 for u in current) + len(unit) > _MAX_PASSAGE_CHARS
        ):
            chunks.append(" ".join(current))
            current = []
        current.append(unit)
    if current:
        chunks.append(" ".join(current))
    return chunks


def _embedding_text(title: str, text: str) -> str:
    # The title gives a passage its topic ("it takes 5 to 10 days" alone is
    # ambiguous), so it is embedded and searched with the passage.
    return f"{title}. {text}" if title else text


def index_article(article_id: int, title: str, body: str) -> list[Passage]:
    """Split an article and embed its passages; call when the article is saved."""
    texts = split_passages(title, body)
    vectors = embed([_embedding_text(title, t) for t in texts])
    return [Passage(article_id, title, t, v) for t, v in zip(texts, vectors)]


def tokenize(text: str) -> list[str]:
    """Lexical tokens: lowercase unicode words minus stopwords, lightly stemmed.

    Underscores and digits stay inside a token, so error codes ("E429",
    "ERR_TIMEOUT") and product names ("AurionSync") match only whole.
    """
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def _stem(word: str) -> str:
    # Only plain words are stemmed; codes with digits or underscores stay intact.
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


class PassageIndex:
    """Passages ready to rank: their vectors stacked, their words in an inverted index.

    Built once per knowledge-base revision so that a query costs one embedding, one
    matrix-vector product and a walk over the postings of the query's words, not a
    pass over every passage's text.
    """

    def __init__(self, passages: list[Passage]):
        self.passages = passages
        self.matrix = (
            np.stack([p.vector for p in passages]).astype(np.float32, copy=False)
            if passages
            else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        )
        if self.matrix.shape[1] != EMBEDDING_DIM:
            raise ValueError(f"passage vectors must have {EMBEDDING_DIM} dimensions")
        postings: dict[str, dict[int, int]] = {}
        lengths = []
        for index, passage in enumerate(passages):
            tokens = tokenize(_embedding_text(passage.title, passage.text))
            lengths.append(len(tokens))
            for term, count in Counter(tokens).items():
                postings.setdefault(term, {})[index] = count
        self._postings = {
            term: (np.fromiter(docs.keys(), dtype=np.int64), np.fromiter(docs.values(), dtype=np.float64))
            for term, docs in postings.items()
        }
        lengths_array = np.array(lengths, dtype=np.float64)
        average = max(lengths_array.mean(), 1.0) if passages else 1.0
        self._length_norm = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths_array / average)

    def bm25_coverage(self, query: str) -> np.ndarray:
        """BM25 of each passage divided by the query's summed IDF, clipped to [0, 1].

        Raw BM25 has no fixed scale; dividing by the IDF mass of the query terms
        turns it into "how much of the query's rare vocabulary this passage holds",
        which can be fused with a cosine and compared with a threshold. Query terms
        absent from every passage keep their (maximal) IDF in the denominator.
        """
        n_docs = len(self.passages)
        scores = np.zeros(n_docs, dtype=np.float64)
        terms = list(dict.fromkeys(tokenize(query)))
        if not terms or not n_docs:
            return scores.astype(np.float32)
        idf_total = 0.0
        for term in terms:
            docs, tf = self._postings.get(term, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            idf = math.log(1.0 + (n_docs - len(docs) + 0.5) / (len(docs) + 0.5))
            idf_total += idf
            scores[docs] += idf * tf * (BM25_K1 + 1.0) / (tf + self._length_norm[docs])
        return np.clip(scores / idf_total, 0.0, 1.0).astype(np.float32)

    def rank(
        self, query: str, limit: int = 5, *, lexical_weight: float = LEXICAL_WEIGHT, query_vector: np.ndarray | None = None
    ) -> list[Hit]:
        """Rank articles for ``query``; one hit per article, best first.

        Each passage gets ``(1 - w) * cosine + w * bm25`` with ``w = lexical_weight``
        (both on an absolute scale, see ``bm25_coverage``), clipped to [0, 1]. An
        article scores as its best passage, which also becomes the snippet. Compare
        ``Hit.score`` with ``RELEVANCE_THRESHOLD`` to decide whether anything fits.
        ``lexical_weight`` 0 or 1 gives the dense-only or BM25-only ranking, for
        evaluation; the threshold is calibrated for the default only. ``query_vector`` is
        ``query``'s embedding when the caller keeps it (a stored question's), which saves
        the model's forward pass.
        """
        if not query.strip() or not self.passages or limit <= 0:
            return []
        dense = self.matrix @ (embed([query])[0] if query_vector is None else query_vector)
        fused = np.clip((1.0 - lexical_weight) * dense + lexical_weight * self.bm25_coverage(query), 0.0, 1.0)
        best: dict[int, int] = {}  # article id -> index of its best passage
        for index in np.argsort(-fused, kind="stable"):
            best.setdefault(self.passages[index].article_id, int(index))
            if len(best) == limit:
                break
        return [
            Hit(self.passages[i].article_id, self.passages[i].title, float(fused[i]), self.passages[i].text)
            for i in best.values()
        ]


def rank(query: str, passages: list[Passage], limit: int = 5, *, lexical_weight: float = LEXICAL_WEIGHT) -> list[Hit]:
    """Rank articles for ``query`` over ``passages``; see ``PassageIndex.rank``."""
    return PassageIndex(passages).rank(query, limit, lexical_weight=lexical_weight)


def contextual_query(turns: list[str]) -> str:
    """Build the retrieval query from the visitor's recent messages (oldest first).

    The last message is used alone unless it reads as a follow-up: it opens with
    a connective ("and ...", "what about ..."), leans on a pronoun ("how long
    does that take?") while staying short, or has at most one content word. A
    follow-up is prefixed with the message before it, repeating back while those
    are follow-ups too (at most three messages in all). Concatenation was chosen
    over ranking each message separately and fusing: it costs one embedding per
    query, and the model reads the combined text as one topic.
    """
    messages = [t.strip() for t in turns if t and t.strip()]
    if not messages:
        return ""
    used = [messages[-1]]
    position = len(messages) - 1
    while position > 0 and len(used) < 3 and _is_follow_up(messages[position]):
        position -= 1
        used.insert(0, messages[position])
    return " ".join(used)


def _is_follow_up(message: str) -> bool:
    lowered = message.lower().strip()
    words = _WORD.findall(lowered)
    if not words:
        return True
    if any(lowered.startswith(opener + " ") or lowered == opener for opener in _FOLLOW_UP_OPENERS):
        return True
    if len(words) <= _MAX_FOLLOW_UP_WORDS and _ANAPHORA.intersection(words):
        return True
    return sum(1 for w in words if w not in _STOPWORDS) <= 1
