"""Knowledge gaps: the questions the agent could not answer, grouped by meaning for the
site owner, who closes a gap by writing the article that answers it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from aurion.engines.embedding import decode_vector, embed, encode_vector
from aurion.extensions import db
from aurion.models import Conversation, UnansweredQuestion, Widget
from aurion.services.knowledge import RETRIEVED_ARTICLES, answer_hits, search_knowledge
from aurion.timestamps import utcnow

# The dashboard lists the questions of this last stretch: older gaps are likely closed.
GAPS_WINDOW = timedelta(days=30)
SHOWN_GROUPS = 10
# Two questions whose embeddings are at least this similar ask the same thing. Rewordings
# score 0.72 to 0.88 ("Do you ship to Canada?" / "Can you deliver to Canada?"), neighbouring
# topics about 0.5 ("Do you ship to Canada?" / "How much is shipping?"). Loose paraphrases
# ("Can I call you?" / "Do you have a phone number?", 0.49) stay apart: better two groups
# than one that mixes questions.
SAME_QUESTION_SIMILARITY = 0.6


@dataclass(frozen=True)
class QuestionGroup:
    """Unanswered questions that ask the same thing: `question` is the one that says it best."""

    question: str
    count: int
    last_asked: datetime


def record_unanswered(conversation: Conversation, question: str) -> None:
    """Keep `question`, which the agent could not answer, among its widget's knowledge gaps."""
    db.session.add(
        UnansweredQuestion(
            widget_id=conversation.widget_id,
            conversation_id=conversation.id,
            question=question,
            vector=encode_vector(embed([question])[0]),
        )
    )
    db.session.commit()


def group_by_meaning(vectors: np.ndarray, threshold: float = SAME_QUESTION_SIMILARITY) -> list[list[int]]:
    """Greedy threshold clustering of unit vectors: each joins the group whose centroid it
    is most similar to, if at least `threshold`, else starts a group. Returns each group's
    row indices, the row closest to its centroid first (the earlier row of equals)."""
    members: list[list[int]] = []
    sums: list[np.ndarray] = []
    for row, vector in enumerate(vectors):
        if sums:
            centroids = np.stack(sums)
            similarity = centroids @ vector / np.linalg.norm(centroids, axis=1)
            best = int(np.argmax(similarity))
            if similarity[best] >= threshold:
                members[best].append(row)
                sums[best] = sums[best] + vector
                continue
        members.append([row])
        sums.append(vector.astype(np.float32, copy=True))
    # Rounded, so that ties (any two-question group) go to the earlier row.
    return [sorted(rows, key=lambda r: -round(float(vectors[r] @ total), 4)) for rows, total in zip(members, sums)]


def knowledge_gaps(widget: Widget, limit: int = SHOWN_GROUPS, since: datetime | None = None) -> list[QuestionGroup]:
    """The widget's most frequent unanswered questions asked `since` (by default, in the last 30
    days), grouped by meaning, most asked (then most recent) first; each group is named by its
    most typical question, of equals the most recent. A group the knowledge base answers by now
    is left out."""
    rows = db.session.execute(
        db.select(UnansweredQuestion.question, UnansweredQuestion.vector, UnansweredQuestion.asked_at)
        .filter(UnansweredQuestion.widget_id == widget.id, UnansweredQuestion.asked_at >= (since or utcnow() - GAPS_WINDOW))
        .order_by(UnansweredQuestion.asked_at.desc(), UnansweredQuestion.id.desc())
    ).all()
    if not rows:
        return []
    vectors = np.stack([decode_vector(row.vector) for row in rows])
    # Each group with the row of its question, whose stored embedding ranks the articles for it.
    groups = [
        (QuestionGroup(rows[members[0]].question, len(members), max(rows[r].asked_at for r in members)), members[0])
        for members in group_by_meaning(vectors)
    ]
    groups.sort(key=lambda pair: (-pair[0].count, -pair[0].last_asked.timestamp()))
    open_groups = (
        group
        for group, row in groups
        if not answer_hits(search_knowledge(widget, group.question, RETRIEVED_ARTICLES, query_vector=vectors[row]))
    )
    return [group for _, group in zip(range(limit), open_groups)]
