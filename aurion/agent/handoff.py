"""Recognising a visitor who wants a person instead of the agent, from what the message means.

One decision serves the live agent (chat and voice), "Try the agent" in the dashboard
and the search API: `visitor_wants_person`. It weighs four things:

- meaning: the message's sentence embedding (the MiniLM model the search uses) against
  exemplars of requests for a person and of questions *about* people, teams, hours,
  staff or human review, which only share the words;
- the knowledge base: a message it answers well is a question, so a hand-off then
  needs a clearer request;
- negation: "I don't want a bot" asks for a person, "I don't need a human, just..."
  does not;
- the conversation: "yes" or "please do" right after the agent offered a person.
"""

import re
import threading
from dataclasses import dataclass

import numpy as np

from aurion.engines.embedding import embed
from aurion.engines.retrieval import RELEVANCE_THRESHOLD, Hit
from aurion.models import Widget
from aurion.services.knowledge import RETRIEVED_ARTICLES, search_knowledge

# Written for the decision and never taken from the held-out set the tests measure it on
# (tests/support/handoff.py): no sentence appears in both.
ASKING_FOR_A_PERSON = (
    "I want to talk to a human",
    "Can I speak to a person?",
    "Let me speak with a real person",
    "Connect me to a human agent",
    "I need a real person to help me",
    "human please",
    "a person please",
    "live agent",
    "real person",
    "support agent please",
    "talk to an agent",
    "speak to a representative",
    "customer service representative",
    "Can I talk to someone?",
    "I want to speak to somebody",
    "Is there someone I can speak with?",
    "Is anyone available to chat?",
    "Is there a human I can talk to?",
    "Put me through to a person",
    "Transfer me to an agent",
    "Can you transfer this chat to your support team?",
    "Pass me to a human",
    "Hand this over to someone from support",
    "Escalate to a human",
    "I want to escalate this",
    "Let me talk to your manager",
    "I want to speak to a supervisor",
    "Get me the manager",
    "Can I talk to whoever is in charge?",
    "I'd like to talk to someone from customer service",
    "Please connect me with customer support",
    "Connect me with someone from your team",
    "I want to talk to support staff",
    "Can a member of staff help me?",
    "You are not helping me, I want a human",
    "This chatbot is useless, I need someone real",
    "Stop the bot, give me a person",
    "I'm tired of talking to a machine",
    "I don't want to chat with a robot",
    "Not a bot, a real human please",
    "I'd prefer a human over the assistant",
    "Can someone from your company call me back?",
    "Can a person contact me about this?",
    "I need an actual human being",
    "get me a real persn",
    "talk to a humn",
    "i want talk someone",
    "speak to agent",
    "um can I like talk to someone real please",
    "yeah so can you get a person on the phone",
    "I need human help now",
    "Can I chat with an employee?",
    "Who can I speak to about this?",
    "Let me talk to a colleague of yours",
    "I want to lodge a complaint with someone in charge",
    "operator please",
    "customer care agent",
    "Hello, is a real person there?",
    "anyone there? need help from a person",
    "just give me someone to talk to",
)
ABOUT_PEOPLE = (
    "What are your support opening hours?",
    "When does customer service open?",
    "Is your support team available at night?",
    "Are you open on Sundays?",
    "Which days is support closed?",
    "How fast does support answer?",
    "What are the hours of your call centre?",
    "Where is your support team located?",
    "How many people work in support?",
    "Is support available in my time zone?",
    "How do I invite people to my team?",
    "How do I add a new user to our account?",
    "Can I add more members to my plan?",
    "How many users does the team plan include?",
    "How do I remove someone from my team?",
    "How do I make a colleague an admin?",
    "What can a team member with the member role do?",
    "Can my colleagues share my login?",
    "How do I hand over the account to another person?",
    "Can I transfer my subscription to someone else?",
    "Who can access billing on my team?",
    "Can my bookkeeper download our invoices?",
    "How do I leave a workspace?",
    "What happens when an employee leaves the company?",
    "Can I restrict access for some people?",
    "How do I see who made a change?",
    "Can guests edit files?",
    "What email does an invited user get?",
    "Is content moderation done by humans?",
    "Who reviews reported posts?",
    "Does someone manually check refund requests?",
    "Are disputes reviewed by a person?",
    "Is identity verification manual or automatic?",
    "Does anyone read my feedback?",
    "Is this chat a real person or an AI?",
    "Are the answers here written by a human?",
    "Can your employees read my messages?",
    "Who do I write to about my personal data?",
    "Do you have an account manager for large customers?",
    "Is phone support part of the free plan?",
    "Is the support team notified about my ticket?",
    "How do I reset a team member's password?",
    "How do I contact your privacy officer?",
    "What is the email address of support?",
    "Do you have a phone number?",
    "Can my manager approve my expenses in the app?",
    "How do I message my team in the app?",
    "How do I mention a person in a comment?",
    "Can I assign a task to someone?",
    "How do I change the owner of a project?",
    "Does your support speak German?",
    "Are support hours different on holidays?",
    "Who made this product?",
    "How do I reset my password?",
    "How long do refunds take?",
    "When will my order arrive?",
    "How do I cancel my subscription?",
    "Can I get a refund on my annual plan?",
    "How do I turn on two-factor authentication?",
    "I can't log in to my account",
    "My payment failed, what should I do?",
    "How do I export my data?",
    "Do you ship to Canada?",
    "What does the error E429 mean?",
    "hello",
    "thanks, that helped",
)

# How many of the nearest exemplars of each side are averaged: one near twin alone does
# not decide, and a short message ("operator") is judged by a few neighbours.
NEAREST = 3
# The request side must be closer than the question side by this much...
MARGIN = 0.04
# ...plus this much per point the knowledge base's best answer scores above its
# relevance threshold: a question the knowledge base answers well needs a clearer request.
ANSWERED_WEIGHT = 0.25

_AFFIRMATIVE = re.compile(
    r"^\s*(yes|yes please|yeah|yep|yup|sure|please do|please|ok(ay)?|ok please|go ahead|do it|"
    r"yes,? (please )?(connect|transfer) me|that would be great)\s*[.!]*\s*$",
    re.IGNORECASE,
)
_PERSON = r"(a |an |any |the |some )?(real |actual |live )?(human|person|people|one|body|agent|staff|operator|representative)"
_DECLINES_PERSON = re.compile(
    r"\b(don'?t|do not|doesn'?t|no|not)\s+(need|want|necessary)\b[^.,;!?]{0,24}?\b" + _PERSON
    + r"|\bno need (for|to (talk|speak|chat) (to|with))\s+" + _PERSON
    + r"|\bwithout (talking|speaking) to\b",
    re.IGNORECASE,
)
_REFUSES_BOT = re.compile(
    r"\b(don'?t|do not)\s+want\b[^.,;!?]{0,30}?\b(bot|robot|machine|ai|chatbot|assistant|automated)\b"
    r"|\bno (more )?(bots?|robots?|machines?|chatbots?)\b"
    r"|\bnot (a |an |the |this |your )?(bot|robot|machine|chatbot)\b",
    re.IGNORECASE,
)
_OFFER = re.compile(r"\b(person|human|someone from our team|colleague)\b", re.IGNORECASE)


@dataclass(frozen=True)
class HandoffDecision:
    """Whether the visitor wants a person, and why, in a few words a site owner can read."""

    wanted: bool
    reason: str


_exemplars: tuple[np.ndarray, np.ndarray] | None = None
_exemplars_lock = threading.Lock()


def _exemplar_vectors() -> tuple[np.ndarray, np.ndarray]:
    """The exemplars' embeddings, computed once per process. A worker's first turns arrive
    together: they wait for one computation (126 texts) instead of each making its own,
    which at a cold start under load held every first answer past 30 s."""
    global _exemplars
    with _exemplars_lock:  # around the embedding, never inside it (see cpu_pool)
        if _exemplars is None:
            vectors = embed([*ASKING_FOR_A_PERSON, *ABOUT_PEOPLE])
            _exemplars = vectors[: len(ASKING_FOR_A_PERSON)], vectors[len(ASKING_FOR_A_PERSON) :]
    return _exemplars


def warm_up() -> None:
    """Load the model and embed the exemplars now (a worker starting), not in its first visitors' turns."""
    _exemplar_vectors()


def _nearest(similarities: np.ndarray) -> float:
    return float(np.sort(similarities)[-NEAREST:].mean())


def offered_a_person(agent_text: str) -> bool:
    """Whether the agent's message offered to bring in a person (so a "yes" accepts it)."""
    return bool(_OFFER.search(agent_text))


def decide_handoff(
    message: str, answer_score: float = 0.0, agent_offered_person: bool = False, vector: np.ndarray | None = None
) -> HandoffDecision:
    """Whether `message` asks for a person.

    `answer_score` is the knowledge base's best retrieval score for the message (0 when
    there is none); `agent_offered_person` says the agent's last message offered one;
    `vector` is the message's embedding when the caller has it already.
    """
    text = message.strip()
    if not text:
        return HandoffDecision(False, "empty message")
    if _AFFIRMATIVE.match(text):
        if agent_offered_person:
            return HandoffDecision(True, "accepted the offer of a person")
        return HandoffDecision(False, "a yes, with no offer of a person to accept")
    if _DECLINES_PERSON.search(text):
        return HandoffDecision(False, "says it needs no person")
    if _REFUSES_BOT.search(text):
        return HandoffDecision(True, "does not want the automated assistant")
    requests, questions = _exemplar_vectors()
    if vector is None:
        vector = embed([text])[0]
    asking, about = requests @ vector, questions @ vector
    needed = MARGIN + ANSWERED_WEIGHT * max(0.0, answer_score - RELEVANCE_THRESHOLD)
    if _nearest(asking) - _nearest(about) > needed:
        return HandoffDecision(True, f"asks for a person (like \u201c{ASKING_FOR_A_PERSON[int(asking.argmax())]}\u201d)")
    if answer_score >= RELEVANCE_THRESHOLD:
        return HandoffDecision(False, "a question the knowledge base answers")
    return HandoffDecision(False, f"a question (like \u201c{ABOUT_PEOPLE[int(about.argmax())]}\u201d)")


def visitor_wants_person(
    widget: Widget,
    message: str,
    agent_offered_person: bool = False,
    ranked: list[Hit] | None = None,
    vector: np.ndarray | None = None,
) -> HandoffDecision:
    """The one hand-off decision of the live agent, "Try the agent" and the search API.

    `ranked` is the widget's retrieval for `message`, and `vector` its embedding, when the
    caller already has them.
    """
    if ranked is None:
        ranked = search_knowledge(widget, message, RETRIEVED_ARTICLES, query_vector=vector)
    return decide_handoff(message, ranked[0].score if ranked else 0.0, agent_offered_person, vector)
