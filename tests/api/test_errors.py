"""Every error is problem JSON: unknown routes, wrong methods, and the unexpected."""

import pytest

from aurion.extensions import db
from aurion.models import Tenant


def test_unknown_route_is_problem_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "not_found"


def test_wrong_method_is_problem_405_with_allow(client):
    response = client.delete("/api/v1/voice-widget/config")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_unexpected_exception_is_problem_500_without_trace(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/api/v1/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/v1/explode")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body



@pytest.mark.parametrize("value", ["\ud800", "\x00"], ids=["lone surrogate", "nul"])
def test_a_value_the_database_refuses_is_a_400_problem_not_a_500(make_app, value):
    """The safety net behind the edge's rules: were one missed, the client still gets a 4xx."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/api/v1/unguarded")
    def unguarded():
        return {"found": len(db.session.execute(db.select(Tenant.id).filter_by(name=value)).all())}

    response = app.test_client().get("/api/v1/unguarded")
    if value == "\x00" and app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert response.status_code == 200  # SQLite stores NUL; PostgreSQL refuses it
    else:
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
        assert response.get_json()["code"] == "unstorable_value"
