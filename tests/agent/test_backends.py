"""The agent's backends: the built-in knowledge-base agent and an OpenAI-compatible model."""

import pytest

from aurion.agent.backends import AgentContext, Reply, Turn
from aurion.agent.handoff import HandoffDecision
from aurion.agent.knowledge_agent import NOT_FOUND, KnowledgeBaseAgent
from aurion.agent.llm import FALLBACK_PREFIX, ChatCompletionsAgent
from aurion.engines.retrieval import Hit
from tests.support.openai_server import OpenAICompatibleServer

REFUND_HIT = Hit(7, "Refund policy", 0.61, "Refunds take 5 to 10 business days to arrive.")


def context(hits, question="How long do refunds take?", handoff=HandoffDecision(False, "a question")):
    turns = [Turn("user", "Hi, I want a refund"), Turn("agent", "Sure."), Turn("human", "I'm Sam."), Turn("user", question)]
    return AgentContext(product_name="Acme", turns=turns, question=question, hits=hits, handoff=handoff)


def run(backend, ctx):
    reply = Reply()
    text = "".join(backend.stream(ctx, reply))
    return text, reply


def test_knowledge_agent_answers_and_names_its_source_in_sources():
    text, reply = run(KnowledgeBaseAgent(), context([REFUND_HIT]))
    assert text == "Refunds take 5 to 10 business days to arrive."
    assert reply.source_ids == [7] and reply.answered


def test_knowledge_agent_admits_what_it_does_not_know():
    text, reply = run(KnowledgeBaseAgent(), context([]))
    assert text == NOT_FOUND
    assert "person" in text
    assert not reply.answered and reply.source_ids == []


def test_model_backend_streams_grounded_answer():
    with OpenAICompatibleServer("Refunds arrive in 5 to 10 business days.") as model:
        backend = ChatCompletionsAgent(model.base_url, "sk-test", "gpt-test", timeout=5)
        reply = Reply()
        pieces = list(backend.stream(context([REFUND_HIT]), reply))
    assert len(pieces) > 3
    assert "".join(pieces) == "Refunds arrive in 5 to 10 business days."
    assert reply.source_ids == [7]
    request = model.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["body"]
    assert body["stream"] is True and body["model"] == "gpt-test"
    assert "Refunds take 5 to 10 business days" in body["messages"][0]["content"]
    assert [m["role"] for m in body["messages"][1:]] == ["user", "assistant", "assistant", "user"]
    assert body["messages"][-1]["content"] == "How long do refunds take?"


def test_model_backend_falls_back_when_the_endpoint_fails():
    with OpenAICompatibleServer(fail_with=503) as model:
        text, reply = run(ChatCompletionsAgent(model.base_url, "sk", "m", timeout=5), context([REFUND_HIT]))
    assert text.startswith(FALLBACK_PREFIX)
    assert "5 to 10 business days" in text


def test_model_backend_falls_back_when_nothing_listens():
    text, _ = run(ChatCompletionsAgent("http://127.0.0.1:9/v1", "sk", "m", timeout=2), context([]))
    assert text.startswith(FALLBACK_PREFIX) and NOT_FOUND in text


def test_model_hands_off_through_its_tool_call():
    with OpenAICompatibleServer("", tool_call=("handoff", {"reason": "visitor asked for a manager"})) as model:
        text, reply = run(ChatCompletionsAgent(model.base_url, "sk", "m", timeout=5), context([REFUND_HIT], "manager now"))
    assert text == "" and reply.handoff_reason == "visitor asked for a manager"
    tools = model.requests[0]["body"]["tools"]
    assert [tool["function"]["name"] for tool in tools] == ["handoff"]
    assert tools[0]["function"]["parameters"]["required"] == ["reason"]


def test_model_may_write_before_it_hands_off():
    with OpenAICompatibleServer("Let me get a colleague.", tool_call=("handoff", {"reason": "wants a person"})) as model:
        text, reply = run(ChatCompletionsAgent(model.base_url, "sk", "m", timeout=5), context([]))
    assert text == "Let me get a colleague." and reply.handoff_reason == "wants a person"


def test_model_answering_does_not_hand_off():
    with OpenAICompatibleServer("Our support team works 8 am to 6 pm.") as model:
        _, reply = run(ChatCompletionsAgent(model.base_url, "sk", "m", timeout=5), context([REFUND_HIT]))
    assert reply.handoff_reason is None


@pytest.mark.parametrize("server", [{"fail_with": 503}, {"delay": 2.0}], ids=["fails", "times out"])
def test_without_the_model_the_built_in_decision_hands_off(server):
    wanted = HandoffDecision(True, "asks for a person")
    with OpenAICompatibleServer(**server) as model:
        text, reply = run(ChatCompletionsAgent(model.base_url, "sk", "m", timeout=0.5), context([REFUND_HIT], handoff=wanted))
    assert text == "" and reply.handoff_reason == "asks for a person"
