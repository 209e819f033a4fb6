"""The wire vocabulary: every JSON frame the server sends to a widget, built in one place.

The chat socket, the voice socket, the LiveKit data channel and the dashboard's
event stream all carry these objects; each has a `type`:

- `message`: a stored message (the same shape as in the API's history);
- `typing`: someone (`sender`) started or stopped writing (`active`); a person of the
  team comes with their `author` card (name, initials, colour, avatar);
- `delta`: a piece of the agent's answer as it is generated (`id` of the message to be);
  with `dropped: true` (and no content) that answer will never land, because a person
  took the conversation over or another worker answers instead: the widget removes it;
- `handoff`: the conversation's new `status` (a person was asked for, took over, or left),
  with `away: true` when a person was asked for outside business hours;
- `error`: something failed, with a stable `code` and a `detail` a person reads;
- `pong`: the answer to the client's `ping`;
- `ack`: the client's `message` frame (`client_id`) was stored as message `id`;
- `voice`: an event of a voice call (`event` says which, see `aurion.voice.pipeline`);
- `note`: a teammate's internal note, on the team-only channel: the dashboard's
  stream carries it, a widget never does.
"""


def message(fields: dict) -> dict:
    """A stored message; `fields` is its API shape (id, content, sender, ...)."""
    return {"type": "message", **fields}


def typing(sender: str, active: bool, author: dict | None = None) -> dict:
    return {"type": "typing", "sender": sender, "active": active, **({"author": author} if author else {})}


def note(fields: dict) -> dict:
    """An internal note; `fields` is its dashboard shape (id, content, author, created_at)."""
    return {"type": "note", **fields}


def delta(message_id: str, content: str) -> dict:
    return {"type": "delta", "id": message_id, "content": content}


def delta_dropped(message_id: str) -> dict:
    """The answer streamed under `message_id` stopped unfinished and will not be stored."""
    return {"type": "delta", "id": message_id, "content": "", "dropped": True}


def handoff(status: str, away: bool = False) -> dict:
    """The conversation's new status; `away` when a person was asked for outside business hours."""
    return {"type": "handoff", "status": status, **({"away": True} if away else {})}


def error(code: str, detail: str) -> dict:
    return {"type": "error", "code": code, "detail": detail}


def pong() -> dict:
    return {"type": "pong"}


def ack(client_id: str, message_id: str) -> dict:
    return {"type": "ack", "client_id": client_id, "id": message_id}


def voice(event: str, **fields) -> dict:
    """A voice call's event: `state`, `transcript`, `not_understood` or `barge_in`."""
    return {"type": "voice", "event": event, **fields}
