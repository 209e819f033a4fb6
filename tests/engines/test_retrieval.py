"""Tests for the knowledge-base retrieval core (aurion.engines.embedding / retrieval),
on the help center of tests/support/help_center.py."""

import socket

import numpy as np
import pytest

from aurion.engines import embedding
from aurion.engines.embedding import EMBEDDING_DIM, decode_vector, embed, encode_vector
from aurion.engines.retrieval import (
    RELEVANCE_THRESHOLD,
    Passage,
    contextual_query,
    index_article,
    rank,
    split_passages,
)
from tests.support.help_center import ARTICLES, PARAPHRASES

OFF_TOPIC = [
    "what's the weather in Paris",
    "recommend a pizza recipe",
    "who won the football match yesterday",
    "tell me a joke",
    "how tall is the Eiffel tower",
    "what is the capital of Australia",
    "can you help me with my maths homework",
    "how long does it take to boil an egg",
]

# sentence-transformers 6.2.0 on torch 2.13.0+cpu, same weights (see the report).
REFERENCE_PASSWORD_HEAD = [0.0069031, -0.0630235, -0.0720440, -0.0324961, -0.0427093, 0.0704294]
REFERENCE_COSINES = {
    ("How do I reset my password?", "I forgot my login credentials"): 0.6776209,
    ("How do I reset my password?", "What are your opening hours?"): 0.0865894,
}


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    return [p for aid, (title, body) in ARTICLES.items() for p in index_article(aid, title, body)]


def top1_accuracy(passages: list[Passage], lexical_weight: float | None = None) -> float:
    """Share of PARAPHRASES whose expected article ranks first (with a non-zero score)."""
    kwargs = {} if lexical_weight is None else {"lexical_weight": lexical_weight}
    correct = 0
    for question, expected in PARAPHRASES:
        hits = rank(question, passages, limit=1, **kwargs)
        correct += bool(hits) and hits[0].article_id == expected and hits[0].score > 0
    return correct / len(PARAPHRASES)


# --- embedding -------------------------------------------------------------


def test_embed_shape_dtype_normalised_and_deterministic():
    texts = ["How do I reset my password?", "", "word " * 400]
    first = embed(texts)
    assert first.shape == (3, EMBEDDING_DIM)
    assert first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(first, embed(texts))
    # Batching and padding must not change a text's vector.
    np.testing.assert_allclose(embed(texts[:1])[0], first[0], atol=1e-6)
    assert embed([]).shape == (0, EMBEDDING_DIM)


def test_embed_matches_sentence_transformers_reference():
    vector = embed(["How do I reset my password?"])[0]
    np.testing.assert_allclose(vector[:6], REFERENCE_PASSWORD_HEAD, atol=1e-5)
    for (a, b), expected in REFERENCE_COSINES.items():
        va, vb = embed([a, b])
        assert float(va @ vb) == pytest.approx(expected, abs=1e-5)


def test_embedding_ranks_by_meaning():
    password, credentials, hours = embed(
        [
            "How do I reset my password?",
            "I forgot my login credentials",
            "What are your opening hours?",
        ]
    )
    assert password @ credentials > password @ hours + 0.4


def test_model_loads_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the embedding model tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(embedding, "_model", None)  # force a fresh load
    assert embed(["offline"]).shape == (1, EMBEDDING_DIM)


def test_embed_cached_gives_embed_s_vectors_computing_each_text_once(monkeypatch):
    texts = ["How long do refunds take?", "Reset my password", "Where is my order?", "Cancel my plan"]
    expected = dict(zip(texts, embed(texts)))
    embedding.forget_cached()
    computed = []
    model_embed = embedding._MiniLM.embed
    monkeypatch.setattr(embedding._MiniLM, "embed", lambda model, batch: computed.append(list(batch)) or model_embed(model, batch))

    def cached(batch):
        vectors = embedding.embed_cached(batch)
        assert np.allclose(vectors, [expected[text] for text in batch], atol=1e-5)

    cached([texts[0], texts[1], texts[0]])
    cached([texts[1], texts[2]])
    assert computed == [texts[:2], [texts[2]]]  # each text once, the new ones in one pass
    monkeypatch.setattr(embedding._cache, "_size", 2)  # the least recently used text goes first
    cached([texts[1], texts[3]])
    computed.clear()
    cached([texts[2], texts[1], texts[3]])
    assert computed == [[texts[2]]]
    embedding.forget_cached()


def test_encode_decode_roundtrip():
    vector = embed(["refund"])[0]
    blob = encode_vector(vector)
    assert isinstance(blob, bytes) and len(blob) == EMBEDDING_DIM * 4
    assert blob == vector.astype("<f4").tobytes()
    decoded = decode_vector(blob)
    assert decoded.dtype == np.float32
    np.testing.assert_array_equal(decoded, vector)
    decoded[0] = 0.0  # writable: not a view on the blob
    with pytest.raises(ValueError):
        decode_vector(blob[:-4])
    with pytest.raises(ValueError):
        encode_vector(np.zeros(10))


# --- passages --------------------------------------------------------------


def test_split_passages_paragraphs_sentences_and_headings():
    body = (
        "Steps:\n\n"
        "Open the billing page. Choose the invoice. Click refund. Confirm the amount. Wait.\n\n"
        "A paragraph that is long enough to stand on its own as a passage.\n\n"
        "Too short."
    )
    assert split_passages("T", body) == [
        "Steps: Open the billing page. Choose the invoice. Click refund.",
        "Confirm the amount. Wait.",
        "A paragraph that is long enough to stand on its own as a passage. Too short.",
    ]
    assert split_passages("Only a title", "") == ["Only a title"]
    assert split_passages("T", "Short.") == ["Short."]
    assert split_passages("T", "line one\nline two\nline three\nline four" + "!" * 40) == [
        "line one line two line three",
        "line four" + "!" * 40,
    ]


def test_index_article_embeds_each_passage():
    title, body = ARTICLES[2]
    indexed = index_article(2, title, body)
    assert [p.text for p in indexed] == split_passages(title, body)
    assert all(p.article_id == 2 and p.title == title for p in indexed)
    assert all(p.vector.shape == (EMBEDDING_DIM,) for p in indexed)


# --- ranking ---------------------------------------------------------------


def test_paraphrases_fused_beats_bm25(passages):
    fused = top1_accuracy(passages)
    bm25 = top1_accuracy(passages, lexical_weight=1.0)
    dense = top1_accuracy(passages, lexical_weight=0.0)
    print(f"top-1 accuracy: fused={fused:.2f} dense={dense:.2f} bm25={bm25:.2f}")
    assert fused >= 0.85
    assert fused > bm25


def test_rank_returns_one_hit_per_article_best_first(passages):
    hits = rank("I want my money back", passages, limit=4)
    assert len(hits) == 4
    assert len({h.article_id for h in hits}) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert hits[0].article_id == 2
    assert hits[0].snippet in {p.text for p in passages if p.article_id == 2}
    assert rank("   ", passages) == []
    assert rank("refund", []) == []


def test_snippet_is_the_best_passage(passages):
    hits = rank("how many days until the refunded money is back on my card?", passages, limit=1)
    assert hits[0].article_id == 2
    assert "business days" in hits[0].snippet


def test_rank_accepts_vectors_read_back_from_the_database(passages):
    stored = [
        Passage(p.article_id, p.title, p.text, decode_vector(encode_vector(p.vector)))
        for p in passages
    ]
    assert rank("E429", stored, limit=1) == rank("E429", passages, limit=1)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("E429", 6),
        ("getting E429 from the API", 6),
        ("ERR_TIMEOUT", 11),
        ("what does ERR_TIMEOUT mean", 11),
        ("AurionSync", 12),
        ("AurionSync keeps crashing", 12),
    ],
)
def test_exact_error_code_or_product_name_ranks_first(passages, query, expected):
    hits = rank(query, passages, limit=2)
    assert hits[0].article_id == expected
    assert hits[0].score >= RELEVANCE_THRESHOLD


def test_error_code_decides_between_lookalike_articles(passages):
    # Meaning alone barely separates two codes (on this set dense-only ranks
    # E7301 first for "E7310"); the lexical part must decide.
    lookalikes = index_article(
        101, "Error E7301", "E7301 means the uploaded file could not be read. Upload it again."
    ) + index_article(102, "Error E7310", "E7310 means the upload was rejected. Try another file.")
    knowledge_base = passages + lookalikes
    for code, expected in (("E7310", 102), ("E7301", 101)):
        assert rank(code, knowledge_base)[0].article_id == expected
        assert rank(f"I keep seeing {code}", knowledge_base)[0].article_id == expected


def test_off_topic_questions_score_below_threshold(passages):
    for question in OFF_TOPIC:
        hits = rank(question, passages)
        assert hits[0].score < RELEVANCE_THRESHOLD, (question, hits[0])


def test_support_questions_score_above_threshold(passages):
    for question, _ in PARAPHRASES:
        hits = rank(question, passages, limit=1)
        assert hits[0].score >= RELEVANCE_THRESHOLD, (question, hits[0])


# --- conversation context --------------------------------------------------


def test_contextual_query_follow_up_keeps_the_topic(passages):
    turns = ["How do I get a refund?", "and how long does that take?"]
    query = contextual_query(turns)
    assert query == "How do I get a refund? and how long does that take?"
    assert rank(query, passages, limit=1)[0].article_id == 2


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        ([], ""),
        (["How do I get a refund?"], "How do I get a refund?"),
        (
            ["How do I get a refund?", "What are your delivery times to Canada?"],
            "What are your delivery times to Canada?",
        ),
        (
            ["How do I cancel my plan?", "what about annual plans?"],
            "How do I cancel my plan? what about annual plans?",
        ),
        (["How do I turn on 2FA?", "why?"], "How do I turn on 2FA? why?"),
        (
            ["hello", "How do I get a refund?", "and for annual plans?", "how long does it take?"],
            "How do I get a refund? and for annual plans? how long does it take?",
        ),
    ],
)
def test_contextual_query_cases(turns, expected):
    assert contextual_query(turns) == expected
