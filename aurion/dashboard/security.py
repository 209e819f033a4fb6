"""Security headers for the dashboard's pages (and every HTML page the app renders).

The dashboard has no inline scripts or styles, so the policy allows only our own
files; `frame-ancestors 'none'` keeps other sites from framing it (clickjacking). A
page that must be framed by the dashboard itself (the widget preview) sets its own
headers, which are kept.
"""

from flask import Response, request

PREFIX = "/dashboard"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Dashboard pages show secrets (new API keys, the identity secret): never cache them.
NO_STORE = "no-store"

PREVIEW_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
    "X-Frame-Options": "SAMEORIGIN",
}


def add_security_headers(response: Response) -> Response:
    """Add the headers to dashboard responses and HTML pages, keeping any a view set itself."""
    in_dashboard = request.path == PREFIX or request.path.startswith(PREFIX + "/")
    if in_dashboard or response.mimetype == "text/html":
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
    if in_dashboard and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = NO_STORE
    return response
