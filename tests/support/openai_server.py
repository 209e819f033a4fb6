"""A loopback server that speaks the OpenAI chat-completions streaming wire format.

It stands in for a hosted model, which cannot be reached from here: same URL path,
same server-sent-event chunks, same `[DONE]` terminator, tool calls streamed as
`delta.tool_calls` pieces ending with `finish_reason: "tool_calls"`. It records each request.
"""

import json
import time

from tests.support.loopback import LoopbackServer, QuietHandler


class OpenAICompatibleServer(LoopbackServer):
    """Answers every chat completion with `reply`, split into streamed chunks.

    With `tool_call` (a function name and its arguments) the model then calls that
    function, as OpenAI streams it; `delay` seconds pass before the response starts, and
    `word_gap` seconds between two words (a model writing as it goes).
    """

    def __init__(
        self,
        reply: str = "Refunds take 5 to 10 business days.",
        fail_with: int | None = None,
        tool_call: tuple[str, dict] | None = None,
        delay: float = 0.0,
        word_gap: float = 0.0,
    ):
        self.reply = reply
        self.fail_with = fail_with
        self.tool_call = tool_call
        self.delay = delay
        self.word_gap = word_gap
        self.requests: list[dict] = []
        server = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body, "client_port": self.client_address[1]}
                )
                time.sleep(server.delay)
                if server.fail_with:
                    self.send_response(server.fail_with)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "upstream overloaded"}}')
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = server.reply.split(" ") if server.reply else []
                for index, word in enumerate(words):
                    if index:
                        time.sleep(server.word_gap)
                    self.send_chunk(body, {"content": word if index == 0 else " " + word})
                finish_reason = "stop"
                if server.tool_call:
                    name, arguments = server.tool_call
                    text = json.dumps(arguments)
                    head = {"index": 0, "id": "call_loopback", "type": "function", "function": {"name": name, "arguments": ""}}
                    self.send_chunk(body, {"role": "assistant", "content": None, "tool_calls": [head]})
                    for start in range(0, len(text), 8):
                        self.send_chunk(body, {"tool_calls": [{"index": 0, "function": {"arguments": text[start : start + 8]}}]})
                    finish_reason = "tool_calls"
                self.send_chunk(body, {}, finish_reason)
                self.wfile.write(b"data: [DONE]\n\n")

            def send_chunk(self, body: dict, delta: dict, finish_reason: str | None = None):
                chunk = {
                    "id": "chatcmpl-loopback",
                    "object": "chat.completion.chunk",
                    "model": body.get("model"),
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

        super().__init__(Handler)
