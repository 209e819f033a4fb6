"""A backend for any OpenAI-compatible chat-completions endpoint, streamed."""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from aurion.agent.backends import AgentContext, Reply
from aurion.agent.knowledge_agent import KnowledgeBaseAgent

log = logging.getLogger(__name__)

FALLBACK_PREFIX = "I can't reach my answer service right now, so here is what our help articles say.\n\n"
INTERRUPTED = " \u2026 Sorry, my answer was cut off. Ask again, or ask for a person."
_ROLES = {"user": "user", "agent": "assistant", "human": "assistant"}
# Offered with every request: the model hands the conversation to a person by calling it.
HANDOFF_TOOL = {
    "type": "function",
    "function": {
        "name": "handoff",
        "description": (
            "Hand the conversation to a person from the support team. Call it only when the visitor asks "
            "to talk to a person (a human, an agent, a manager, someone) or accepts your offer of one; "
            "never for questions about people, teams, staff or opening hours, which you answer."
        ),
        "parameters": {
            "type": "object",
            "properties": {"reason": {"type": "string", "description": "Why, in a few words."}},
            "required": ["reason"],
        },
    },
}


@dataclass
class ToolCall:
    """A function the model called, its arguments as the JSON text it streamed."""

    name: str = ""
    arguments: str = ""

    def argument(self, key: str) -> str | None:
        try:
            value = json.loads(self.arguments or "{}").get(key)
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, str) else None


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


def stream_chat_completion(
    base_url: str, api_key: str, model: str, messages: list[dict], timeout: float, tools: list[dict] | None = None
) -> Iterator[str | ToolCall]:
    """Yield the content pieces of a streamed chat completion (server-sent events), then its tool calls.

    A tool call streams as `delta.tool_calls` chunks (name first, arguments in pieces,
    keyed by `index`); each is yielded whole once the stream ends.
    """
    body = {"model": model, "messages": messages, "stream": True}
    if tools:
        body["tools"] = tools
    request = Request(
        base_url.rstrip("/") + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "text/event-stream", "Authorization": f"Bearer {api_key}"},
        method="POST",
    )
    calls: dict[int, ToolCall] = {}
    with urlopen(request, timeout=timeout) as response:
        for raw_line in response:
            line = raw_line.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            data = line[len("data:") :].strip()
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            for choice in chunk.get("choices", []):
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    yield delta["content"]
                for part in delta.get("tool_calls") or []:
                    call = calls.setdefault(part.get("index", 0), ToolCall())
                    function = part.get("function") or {}
                    call.name += function.get("name") or ""
                    call.arguments += function.get("arguments") or ""
    yield from calls.values()


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
            for piece in stream_chat_completion(
                self.base_url, self.api_key, self.model, chat_messages(context), self.timeout, [HANDOFF_TOOL]
            ):
                if isinstance(piece, ToolCall):
                    if piece.name == HANDOFF_TOOL["function"]["name"]:
                        reply.handoff_reason = piece.argument("reason") or "the model handed off"
                    continue
                started = True
                yield piece
        except (HTTPError, URLError, OSError, ValueError) as exc:
            # The endpoint's error text may echo the request; log only what kind of failure it was.
            log.warning("Model endpoint failed: %s", type(exc).__name__)
            if started:
                yield INTERRUPTED
                return
            if context.handoff.wanted:
                # Without the model, the built-in decision says who answers: here, a person.
                reply.handoff_reason = context.handoff.reason
                return
            yield FALLBACK_PREFIX
            yield from KnowledgeBaseAgent().stream(context, reply)
