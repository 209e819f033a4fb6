"""Benchmark the retrieval core: model load, embedding and ranking speed, accuracy.

Run from the repository root: ``python bench/bench_retrieval.py``. Accuracy is
top-1 on the paraphrase set of tests/test_retrieval.py, for BM25 alone, dense
alone, the shipped weighted fusion, and Reciprocal Rank Fusion (k=60) as the
alternative that was not chosen.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aurion.engines import embedding
from aurion.engines.retrieval import (
    Passage,
    PassageIndex,
    _embedding_text,
    index_article,
    rank,
)
from tests.support.help_center import ARTICLES, PARAPHRASES

RRF_K = 60


def timed_ms(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return float(np.median(samples))


def rrf_top1(question: str, passages: list[Passage]) -> int:
    """Article ranked first by Reciprocal Rank Fusion of the dense and BM25 passage rankings."""
    dense = np.stack([p.vector for p in passages]) @ embedding.embed([question])[0]
    lexical = PassageIndex(passages).bm25_coverage(question)
    fused = np.zeros(len(passages))
    for scores in (dense, lexical):
        ranks = np.empty(len(passages))
        ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(passages) + 1)
        fused += 1.0 / (RRF_K + ranks)
    return passages[int(np.argmax(fused))].article_id


def main() -> None:
    start = time.perf_counter()
    embedding._get_model()
    print(f"model load:                  {(time.perf_counter() - start) * 1000:8.1f} ms")

    questions = [q for q, _ in PARAPHRASES]
    embedding.embed(questions[:1])  # warm-up
    print(
        f"query embedding:             {timed_ms(lambda: embedding.embed([questions[3]]), 30):8.1f} ms"
    )

    passages = [p for aid, (t, b) in ARTICLES.items() for p in index_article(aid, t, b)]
    texts = [_embedding_text(p.title, p.text) for p in passages]
    batch_ms = timed_ms(lambda: embedding.embed(texts), 5)
    print(f"passage embedding (batch):   {batch_ms / len(texts):8.1f} ms per passage")

    # 200 passages over ~85 distinct articles: the KB repeated under new ids.
    corpus = [
        Passage(p.article_id + 100 * copy, p.title, p.text, p.vector)
        for copy in range(7)
        for p in passages
    ][:200]
    print(
        f"rank() over {len(corpus)} passages:    "
        f"{timed_ms(lambda: rank(questions[5], corpus), 30):8.1f} ms"
    )

    def accuracy(**kwargs) -> float:
        correct = 0
        for question, expected in PARAPHRASES:
            hit = rank(question, passages, limit=1, **kwargs)[0]
            correct += hit.article_id == expected and hit.score > 0
        return correct / len(PARAPHRASES)

    rrf = sum(rrf_top1(q, passages) == a for q, a in PARAPHRASES) / len(PARAPHRASES)
    print(f"top-1 accuracy on {len(PARAPHRASES)} paraphrases:")
    print(f"  BM25 alone                 {accuracy(lexical_weight=1.0):.2f}")
    print(f"  dense alone                {accuracy(lexical_weight=0.0):.2f}")
    print(f"  weighted fusion (shipped)  {accuracy():.2f}")
    print(f"  RRF k={RRF_K} (not shipped)     {rrf:.2f}")


if __name__ == "__main__":
    main()
