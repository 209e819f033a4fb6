"""What an operator's tools poll: `/healthz`, `/readyz`, `/metrics`; and each request counted and logged.

- `GET /healthz`: the process answers (200 `{"status": "ok"}`); touches nothing else.
- `GET /readyz`: the database, each configured Redis and the widget's bundle, as
  `{"ready", "checks": [{"name", "ok", "detail"}]}`; 503 when any fails. The details
  only for those who may read the metrics; others get each check's name and result.
- `GET /metrics`: Prometheus' text format. Not public: with `AURION_METRICS_TOKEN`
  set, only `Authorization: Bearer <token>` reads it (403 otherwise); without it, only
  a direct connection from loopback does, not one a proxy forwarded (404 otherwise).

They live outside `/api/v1` (operators', not integrators', endpoints) and are not in
the OpenAPI document.
"""

import hmac
import ipaddress
import logging
import time

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from aurion.engines import metrics
from aurion.engines.health import readiness_checks
from aurion.problems import Problem

bp = Blueprint("monitoring", __name__)

access_log = logging.getLogger("aurion.access")
_STARTED = "aurion.request_started"
# A proxy that forwarded the request says so in one of these.
_FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


@bp.get("/healthz")
def healthz():
    """The process is alive and serving."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Whether this host can serve visitors now; 503 (so a load balancer skips it) when not.

    Each check's detail (addresses, paths, driver errors) only for whoever may read the metrics."""
    checks = readiness_checks(current_app)
    ready = all(check.ok for check in checks)
    operator = _operator_refusal() is None
    listed = [check.to_dict() if operator else {"name": check.name, "ok": check.ok} for check in checks]
    response = jsonify({"ready": ready, "checks": listed})
    response.status_code = 200 if ready else 503
    return response


def _operator_refusal() -> Problem | None:
    """Why this request may not read the operator's figures, or None when it may."""
    token = current_app.config["AURION_METRICS_TOKEN"]
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if hmac.compare_digest(offered.encode(), token.encode()):
            return None
        return Problem(403, "forbidden", "Send the metrics token as Authorization: Bearer <AURION_METRICS_TOKEN>.")
    forwarded = any(name in request.headers for name in _FORWARDING_HEADERS)
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if forwarded or not loopback:
        # As if it did not exist: without a token the metrics are for the host itself.
        return Problem(404, "not_found", f"Nothing is at {request.path}.")
    return None


@bp.get("/metrics")
def scrape():
    """Every metric, summed over the server's worker processes."""
    refusal = _operator_refusal()
    if refusal is not None:
        raise refusal
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


def _start_clock() -> None:
    request.environ[_STARTED] = time.perf_counter()


def _is_websocket() -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def _count_and_log(response: Response) -> Response:
    """One count, one latency and one access line per request (a socket's once it closes)."""
    seconds = time.perf_counter() - request.environ.get(_STARTED, time.perf_counter())
    route = request.url_rule.rule if request.url_rule is not None else metrics.UNMATCHED_ROUTE
    # A socket's request lasts as long as the socket; its time says nothing about latency.
    status = 101 if _is_websocket() and response.status_code == 200 else response.status_code
    metrics.requests.labels(route, request.method, str(status)).inc()
    if status != 101:
        metrics.request_seconds.labels(route, request.method).observe(seconds)
    if status == 429:
        metrics.limit_refusals.labels(route).inc()
    duration_ms = round(seconds * 1000, 1)
    fields = {
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration_ms": duration_ms,
        "remote_addr": request.remote_addr,
    }
    access_log.info(
        '%s "%s %s" %s %sms', request.remote_addr, request.method, request.path, status, duration_ms, extra={"http": fields}
    )
    return response


def init_app(app: Flask) -> None:
    """Serve the endpoints, and time, count and log every request."""
    app.register_blueprint(bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)
    app.after_request(_count_and_log)
