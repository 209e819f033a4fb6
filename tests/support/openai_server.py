"""A loopback server that speaks the OpenAI chat-completions streaming wire format.

It stands in for a hosted model, which cannot be reached from here: same URL path,
same server-sent-event chunks, same `[DONE]` terminator. It records each request.
"""

import json

from tests.support.loopback import LoopbackServer, QuietHandler


class OpenAICompatibleServer(LoopbackServer):
    """Answers every chat completion with `reply`, split into streamed chunks."""

    def __init__(self, reply: str = "Refunds take 5 to 10 business days.", fail_with: int | None = None):
        self.reply = reply
        self.fail_with = fail_with
        self.requests: list[dict] = []
        server = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if server.fail_with:
                    self.send_response(server.fail_with)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "upstream overloaded"}}')
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for index, word in enumerate(server.reply.split(" ")):
                    piece = word if index == 0 else " " + word
                    chunk = {
                        "id": "chatcmpl-loopback",
                        "object": "chat.completion.chunk",
                        "model": body.get("model"),
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                done = {"id": "chatcmpl-loopback", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())

        super().__init__(Handler)
