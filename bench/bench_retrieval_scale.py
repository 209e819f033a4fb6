"""Retrieval at scale: 10,000 articles, ranking quality (top-1, MRR) and query time.

Run from the repository root: ``python bench/bench_retrieval_scale.py [N]``.

The corpus is the 12 real articles of tests/test_retrieval.py plus N - 12
distractor articles written from templates over many products, features and
tasks (support-article prose, so the distractors compete on meaning as well as
on words). The 25 paraphrased questions of the test set are then ranked against
the whole corpus through ``PassageIndex``, the same index the agent uses. Every
distractor is embedded for real, which takes a few minutes on two cores.
"""

import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aurion.engines.retrieval import PassageIndex, index_article  # noqa: E402
from tests.support.help_center import ARTICLES, PARAPHRASES  # noqa: E402

PRODUCTS = ["Ledgerly", "Shipfast", "NoteNest", "PixelForge", "CrewDesk", "TrackPoint", "Bloomcart", "Voxly", "DataDock", "Meetly"]
FEATURES = [
    "dashboards", "custom fields", "the mobile app", "calendar sync", "CSV import", "webhooks", "audit logs",
    "single sign-on", "dark mode", "templates", "tags", "saved filters", "the browser extension", "offline mode",
    "shared inboxes", "time tracking", "approvals", "recurring tasks", "barcode scanning", "gift cards",
    "loyalty points", "inventory alerts", "print layouts", "email digests", "keyboard shortcuts", "guest access",
]
TASKS = [
    ("Setting up {feature} in {product}", "Open {product} and go to Settings > {Feature}. Switch it on for your workspace, choose who may use it and save. Changes apply to everyone within a minute."),
    ("Troubleshooting {feature} in {product}", "If {feature} stops working in {product}, sign out and back in, then check that your plan includes it. Clearing the app cache fixes most display problems."),
    ("Who can use {feature} in {product}", "{Feature} is available to admins and editors on the Team and Business plans of {product}. Viewers see the results but cannot change the settings."),
    ("Limits of {feature} in {product}", "{product} allows up to {number} items in {feature} per workspace. Larger workspaces can ask for a higher limit from their account page."),
    ("Exporting {feature} data from {product}", "You can export everything in {feature} from {product} as a spreadsheet. The export runs in the background and appears under Downloads."),
    ("What's new in {feature} for {product}", "This release of {product} makes {feature} faster and adds sorting by date. Existing settings are kept and nothing needs to be migrated."),
]


def distractors(count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    articles = []
    for index in range(count):
        title, body = TASKS[index % len(TASKS)]
        values = {
            "product": rng.choice(PRODUCTS),
            "feature": rng.choice(FEATURES),
            "number": rng.choice([50, 100, 250, 1000, 5000]),
        }
        values["Feature"] = values["feature"][0].upper() + values["feature"][1:]
        articles.append((title.format(**values), body.format(**values)))
    return articles


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    corpus = list(ARTICLES.items()) + list(enumerate(distractors(total - len(ARTICLES)), start=1000))
    start = time.perf_counter()
    passages = []
    for position, (article_id, (title, body)) in enumerate(corpus, start=1):
        passages.extend(index_article(article_id, title, body))
        if position % 1000 == 0:
            print(f"  embedded {position} articles ({time.perf_counter() - start:.0f} s)", flush=True)
    embed_seconds = time.perf_counter() - start
    start = time.perf_counter()
    index = PassageIndex(passages)
    build_ms = (time.perf_counter() - start) * 1000

    reciprocal_ranks, latencies = [], []
    for question, expected in PARAPHRASES:
        start = time.perf_counter()
        hits = index.rank(question, limit=10)
        latencies.append((time.perf_counter() - start) * 1000)
        ranked = [hit.article_id for hit in hits]
        reciprocal_ranks.append(1 / (ranked.index(expected) + 1) if expected in ranked else 0.0)
    top1 = sum(rr == 1.0 for rr in reciprocal_ranks) / len(reciprocal_ranks)

    print(f"articles:                 {len(corpus)}")
    print(f"passages:                 {len(passages)}")
    print(f"embedding at save time:   {embed_seconds:.1f} s total, {embed_seconds / len(corpus) * 1000:.1f} ms per article")
    print(f"index build:              {build_ms:.0f} ms ({index.matrix.nbytes / 1e6:.1f} MB of vectors)")
    print(f"query time p50 / p99:     {np.percentile(latencies, 50):.1f} / {np.percentile(latencies, 99):.1f} ms")
    print(f"top-1 on {len(PARAPHRASES)} paraphrases:  {top1:.2f}")
    print(f"MRR@10:                   {np.mean(reciprocal_ranks):.3f}")


if __name__ == "__main__":
    main()
