"""Every error is problem JSON: unknown routes, wrong methods, and the unexpected."""


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
