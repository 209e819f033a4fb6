"""The GA-readiness checklist: what an admin still has to do before going live."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.error import URLError
from urllib.request import urlopen

from sqlalchemy import func

from aurion.extensions import db
from aurion.models import Article, Widget
from aurion.voice.engines import engines_status


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def _allowed_domains(widget: Widget, settings: Mapping) -> Check:
    if widget.allowed_domains:
        return Check("allowed_domains", True, f"The widget loads on {', '.join(widget.allowed_domains)}.")
    return Check(
        "allowed_domains",
        False,
        "No allowed domains: the widget loads nowhere. Add your site's domain under allowed_domains.",
    )


def _agent(widget: Widget, settings: Mapping) -> Check:
    articles = db.session.execute(db.select(func.count(Article.id)).filter_by(widget_id=widget.id)).scalar_one()
    if not articles:
        return Check(
            "agent",
            False,
            "The knowledge base is empty, so the agent can only offer a person. Add articles under "
            "/api/v1/voice-widget/articles or in the dashboard.",
        )
    if settings.get("AURION_LLM_BASE_URL") and settings.get("AURION_LLM_MODEL"):
        return Check("agent", True, f"The model {settings['AURION_LLM_MODEL']} answers from {articles} articles.")
    return Check("agent", True, f"The built-in knowledge-base agent answers from {articles} articles.")


def livekit_reachable(url: str, timeout: float = 2.0) -> bool:
    """Whether the LiveKit server at `url` (ws:// or wss://) answers HTTP at all."""
    http_url = url.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
    try:
        with urlopen(http_url, timeout=timeout):
            return True
    except URLError as exc:
        # An HTTP error status still proves a server is listening.
        return hasattr(exc, "code")
    except (OSError, ValueError):
        return False


def _voice_backend(widget: Widget, settings: Mapping) -> Check:
    if "voice" not in widget.modes:
        return Check("voice_backend", True, "Voice mode is off; no voice backend is needed.")
    url = settings.get("LIVEKIT_URL")
    if url and settings.get("LIVEKIT_API_KEY") and settings.get("LIVEKIT_API_SECRET"):
        if livekit_reachable(url):
            return Check("voice_backend", True, f"The LiveKit server at {url} answers.")
        return Check("voice_backend", False, f"The LiveKit server at {url} does not answer; check LIVEKIT_URL.")
    if url:
        return Check("voice_backend", False, "LIVEKIT_URL is set but LIVEKIT_API_KEY or LIVEKIT_API_SECRET is not.")
    ok, detail = engines_status(settings)
    return Check("voice_backend", ok, detail)


CHECKS: list[Callable[[Widget, Mapping], Check]] = [_allowed_domains, _agent, _voice_backend]


def ga_readiness(widget: Widget, settings: Mapping) -> dict:
    """`{"ready", "checks"}` for `widget` under the app's `settings`."""
    checks = [check(widget, settings) for check in CHECKS]
    return {"widget_id": widget.public_id, "ready": all(c.ok for c in checks), "checks": [c.to_dict() for c in checks]}
