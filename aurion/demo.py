"""The demo page that `make run` points at: a plain web page with the widget embedded.

The page is meant to be opened as `http://localhost:PORT/demo` while its snippet loads
the widget from `http://127.0.0.1:PORT`, so the widget works across origins exactly as
on a customer's site, under a strict Content-Security-Policy. It exists only once
`setup-demo` has created the demo tenant.
"""

from flask import Blueprint, make_response, render_template, request

from aurion.services.demo import demo_widget, swap_loopback_name

bp = Blueprint("demo", __name__)


@bp.get("/demo")
def demo_page():
    """A sample site with the demo widget embedded, to chat with the agent at once."""
    server = swap_loopback_name(request.host_url.rstrip("/"))
    response = make_response(render_template("demo.html", widget_id=demo_widget().public_id, server=server))
    # As strict as a careful site: no inline script or style, only this page and Aurion.
    sockets = server.replace("http", "ws", 1)
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {server}; connect-src {server} {sockets}; img-src 'self' data: blob: {server}"
    )
    return response
