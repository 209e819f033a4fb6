"""Transport headers on every response: HSTS behind HTTPS, and JSON that is neither sniffed nor cached.

- `Strict-Transport-Security` on every response when `SESSION_COOKIE_SECURE=1` (the
  setting that says the site is served over HTTPS): a browser that has seen the site
  once never tries plain http for it again.
- `X-Content-Type-Options: nosniff` and `Cache-Control: no-store` on JSON responses
  (the API's, problems included, and the monitoring endpoints'): they carry tokens
  and conversations that no shared cache should keep. A view that chose its own
  `Cache-Control` keeps it; the widget's script is not JSON and stays cacheable.
"""

from flask import Flask, Response, current_app

HSTS = "max-age=31536000; includeSubDomains"
NO_STORE = "no-store"


def _is_json(response: Response) -> bool:
    mimetype = response.mimetype or ""
    return mimetype == "application/json" or mimetype.endswith("+json")


def add_transport_headers(response: Response) -> Response:
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if _is_json(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", NO_STORE)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_transport_headers)
