"""Benchmark the hand-off decision on the held-out set of tests/support/handoff.py.

Run from the repository root: ``python bench/bench_handoff.py``. Prints, for the
shipped decision and for the keyword regex it replaced, the share of requests for a
person recognised and the share of ordinary questions handed off, then the shipped
decision's confusion list with each reason. The knowledge base is the held-out set's
support desk, ranked exactly as a widget's search ranks it.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aurion.agent.handoff import decide_handoff
from aurion.engines.retrieval import PassageIndex, index_article
from aurion.services.knowledge import RETRIEVED_ARTICLES
from tests.support.handoff import ORDINARY_QUESTIONS, REQUESTS_FOR_A_PERSON, SUPPORT_DESK

# The keyword regex the decision replaced (aurion/agent/handoff.py before issue 12), for comparison.
KEYWORD_REGEX = re.compile(
    r"\b(human|real person|a person|someone real|live (agent|chat|person)|representative|operator|"
    r"support (staff|team)|customer service|talk to (someone|somebody|a person|support)|"
    r"speak (to|with) (someone|somebody|a person|support)|connect me)\b",
    re.IGNORECASE,
)


def main() -> None:
    index = PassageIndex(
        [passage for number, a in enumerate(SUPPORT_DESK, 1) for passage in index_article(number, a["title"], a["body"])]
    )
    decide_handoff("warm up")
    started = time.perf_counter()
    decisions = {}
    for phrase in [*REQUESTS_FOR_A_PERSON, *ORDINARY_QUESTIONS]:
        ranked = index.rank(phrase, RETRIEVED_ARTICLES)
        decisions[phrase] = decide_handoff(phrase, ranked[0].score if ranked else 0.0)
    per_phrase_ms = (time.perf_counter() - started) * 1000 / len(decisions)

    def rates(wants) -> tuple[float, float]:
        recognised = sum(wants(p) for p in REQUESTS_FOR_A_PERSON) / len(REQUESTS_FOR_A_PERSON)
        handed_off = sum(wants(p) for p in ORDINARY_QUESTIONS) / len(ORDINARY_QUESTIONS)
        return recognised, handed_off

    print(f"held-out set: {len(REQUESTS_FOR_A_PERSON)} requests for a person, {len(ORDINARY_QUESTIONS)} ordinary questions")
    print(f"{'decision':<16} {'requests recognised':>20} {'questions handed off':>21}")
    for name, wants in (
        ("by meaning", lambda p: decisions[p].wanted),
        ("keyword regex", lambda p: bool(KEYWORD_REGEX.search(p))),
    ):
        recognised, handed_off = rates(wants)
        print(f"{name:<16} {recognised:>20.1%} {handed_off:>21.1%}")
    print(f"retrieval + decision: {per_phrase_ms:.1f} ms per message")
    print("\nconfusions (by meaning):")
    for phrase in REQUESTS_FOR_A_PERSON:
        if not decisions[phrase].wanted:
            print(f"  missed request   {phrase!r}: {decisions[phrase].reason}")
    for phrase in ORDINARY_QUESTIONS:
        if decisions[phrase].wanted:
            print(f"  false hand-off   {phrase!r}: {decisions[phrase].reason}")


if __name__ == "__main__":
    main()
