"""The GA-readiness checklist: what an admin still has to do before going live."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import func

from aurion.extensions import db
from aurion.models import Article, Widget


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


ReadinessCheck = Callable[[Widget, Mapping], Check]
CHECKS: list[ReadinessCheck] = [_allowed_domains, _agent]


def add_check(app: Flask, check: ReadinessCheck) -> None:
    """Have `app`'s report include `check`: the parts above the services (voice) add their own."""
    app.extensions.setdefault("aurion_readiness_checks", []).append(check)


def ga_readiness(widget: Widget, settings: Mapping) -> dict:
    """`{"ready", "checks"}` for `widget` under the app's `settings`."""
    added = current_app.extensions.get("aurion_readiness_checks", [])
    checks = [check(widget, settings) for check in [*CHECKS, *added]]
    return {"widget_id": widget.public_id, "ready": all(c.ok for c in checks), "checks": [c.to_dict() for c in checks]}
