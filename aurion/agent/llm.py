"""A backend for any OpenAI-compatible chat-completions endpoint, streamed."""

import json
import logging
from collections.abc import Iterator
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from aurion.agent.backends import AgentContext, Reply
from aurion.agent.knowledge_agent import KnowledgeBaseAgent

log = logging.getLogger(__name__)

FALLBACK_PREFIX = "I can't reach my answer service right now, so here is what our help articles say.\n\n"
INTERRUPTED = " \u2026 Sorry, my answer was cut off. Ask again, or ask for a person."
_ROLES = {"user": "user", "agent": "assistant", "human": "assistant"}


def system_prompt(context: AgentContext) -> str:
    """Instructions that ground the model in the retrieved passages."""
    if context.hits:
        passages = "\n\n".join(f"[{hit.article_id}] {hit.title}\n{hit.snippet}" for hit in context.hits)
    else:
        passages = "(no relevant articles were found)"
    return (
        f"You are the support agent of {context.product_name}, answering a website visitor.\n"
        "Answer only from the knowledge-base passages below and the conversation. If they do not "
        "contain the answer, say honestly that you don't know and offer to connect the visitor with "
        "a person. Be brief and friendly; plain text, no markdown tables.\n\n"
        f"Knowledge-base passages:\n{passages}"
    )


def chat_messages(context: AgentContext) -> list[dict]:
    """The request's `messages`: instructions, then the conversation, oldest first."""
    messages = [{"role": "system", "content": system_prompt(context)}]
    for turn in context.turns:
        content = turn.content if turn.sender != "human" else f"(a colleague from the support team wrote) {turn.content}"
        messages.append({"role": _ROLES[turn.sender], "content": content})
    return messages


def stream_chat_completion(base_url: str, api_key: str, model: str, messages: list[dict], timeout: float) -> Iterator[str]:
    """Yield the content pieces of a streamed chat completion (server-sent events)."""
    request = Request(
        base_url.rstrip("/") + "/chat/completions",
        data=json.dumps({"model": model, "messages": messages, "stream": True}).encode(),
        headers={"Content-Type": "application/json", "Accept": "text/event-stream", "Authorization": f"Bearer {api_key}"},
        method="POST",
    )
    with urlopen(request, timeout=timeout) as response:
        for raw_line in response:
            line = raw_line.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            data = line[len("data:") :].strip()
            if data == "[DONE]":
                return
            chunk = json.loads(data)
            for choice in chunk.get("choices", []):
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece


class ChatCompletionsAgent:
    """Streams a model's answer, grounded in the same retrieval as the built-in agent.

    If the endpoint fails before saying anything, the visitor gets the built-in
    agent's answer with a short explanation; if it fails midway, the reply says so.
    """

    def __init__(self, base_url: str, api_key: str, model: str, timeout: float):
        self.base_url = base_url
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    def stream(self, context: AgentContext, reply: Reply) -> Iterator[str]:
        reply.source_ids = [hit.article_id for hit in context.hits]
        reply.answered = bool(context.hits)
        started = False
        try:
            for piece in stream_chat_completion(self.base_url, self.api_key, self.model, chat_messages(context), self.timeout):
                started = True
                yield piece
        except (HTTPError, URLError, OSError, ValueError) as exc:
            # The endpoint's error text may echo the request; log only what kind of failure it was.
            log.warning("Model endpoint failed: %s", type(exc).__name__)
            if started:
                yield INTERRUPTED
                return
            yield FALLBACK_PREFIX
            yield from KnowledgeBaseAgent().stream(context, reply)
