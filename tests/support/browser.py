"""Headless Chromium (Debian's, driven by Playwright), pages that keep what happened, and host sites.

Host pages are served from a tiny loopback server and opened as `http://localhost:<port>`
while the API (`live_server`) is `http://127.0.0.1:<port>`: two origins, as on a real
site. Never `playwright install`: the tests use /usr/bin/chromium.
"""

import json
import os
from pathlib import Path

from tests.support.loopback import LoopbackServer, QuietHandler

CHROMIUM = os.environ.get("AURION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A microphone that the page may use without asking (it hears a tone unless given a file).
FAKE_MICROPHONE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def launch_chromium(browser_type, *flags: str):
    """Debian's Chromium, headless, with the flags every test needs and then `flags`."""
    return browser_type.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_FLAGS, *flags])


class BrowserPage:
    """A Playwright page that keeps what the console said, response statuses and socket frames."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.responses: dict[str, int] = {}
        self.frames: list[dict] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("response", lambda response: self.responses.__setitem__(response.url.split("?")[0], response.status))
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def watch_api(self) -> dict[str, int]:
        """Record the status of every API response by path, as DevTools sees it.

        A refused cross-origin response is opaque to the page (no CORS headers, or
        blocked by ORB for a script), so its status is read from the raw response
        headers that DevTools reports (`responseReceivedExtraInfo`).
        """
        paths: dict[str, str] = {}
        codes: dict[str, int] = {}
        statuses: dict[str, int] = {}

        # DevTools may report a response's headers before or after its request: pair them either way.
        def pair(request_id):
            if request_id in paths and request_id in codes:
                statuses[paths[request_id]] = codes[request_id]

        def sent(event):
            url = event["request"]["url"].split("?")[0]
            if "/api/v1/" in url:
                paths[event["requestId"]] = url.split("/api/v1", 1)[1]
                pair(event["requestId"])

        def answered(event):
            codes[event["requestId"]] = event["statusCode"]
            pair(event["requestId"])

        devtools = self.page.context.new_cdp_session(self.page)
        devtools.on("Network.requestWillBeSent", sent)
        devtools.on("Network.responseReceivedExtraInfo", answered)
        devtools.send("Network.enable")
        return statuses

    def _frame(self, payload):
        if isinstance(payload, str):
            self.frames.append(json.loads(payload))

    def __getattr__(self, name):
        return getattr(self.page, name)


class HostSite(LoopbackServer):
    """Pages registered by path, served as given (with any headers, such as a CSP), on `origin`."""

    def __init__(self):
        self.pages: dict[str, tuple[str, dict]] = {}
        site = self

        class Handler(QuietHandler):
            def do_GET(self):
                html, headers = site.pages.get(self.path.split("?")[0], ("not found", {}))
                body = html.encode()
                self.send_response(200 if self.path.split("?")[0] in site.pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler)
        self.origin = f"http://localhost:{self.port}"

    def add(self, path: str, html: str, **headers: str) -> str:
        """Serve `html` at `path`; its URL on the host site's origin."""
        self.pages[path] = (html, headers)
        return self.origin + path


def snippet(server: str, widget_id: str, **data: str) -> str:
    """The embed snippet of the guide, with extra `data-*` attributes (data_email_token=...)."""
    attributes = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in data.items())
    return f'<script src="{server}/api/v1/voice-widget/embed/aurion.js" data-widget-id="{widget_id}"{attributes} async></script>'


# How long a widget test waits for what crosses the server (a session, a message, an answer).
SLOW_MS = 20000


def say(panel, text: str) -> None:
    """Type `text` into the open widget panel and send it; returns once the server has it."""
    from playwright.sync_api import expect  # only browser tests call this; they skip without Playwright

    box = panel.locator("textarea[name=message]")
    box.fill(text)
    box.press("Enter")
    expect(panel.locator(".msg.user").last).to_contain_text(text)
    expect(box).to_have_value("", timeout=SLOW_MS)  # the server has it


def widget_part(page, selector: str):
    """An element inside the widget's shadow root (Playwright's CSS pierces open shadow roots)."""
    return page.locator("aurion-widget").locator(selector)


def host_page(*body: str) -> str:
    """A plain page with a link to tab past, then `body`."""
    return "<!doctype html><html lang=en><head><meta name=viewport content=\"width=device-width, initial-scale=1\"><title>Shop</title></head><body><a href=#top>Shop home</a>" + "".join(body) + "</body></html>"


# axe-core, a devDependency of widget_src/ (`make widget` runs `npm ci`, which installs it).
AXE_CORE = Path(__file__).resolve().parents[2] / "widget_src" / "node_modules" / "axe-core" / "axe.min.js"


# The page's animations and its shadow roots' (the widget's): `document.getAnimations()` leaves those out.
_ANIMATIONS_ENDED = """() => {
  const roots = [document, ...[...document.querySelectorAll("*")].filter((e) => e.shadowRoot).map((e) => e.shadowRoot)];
  return Promise.all(roots.flatMap((root) => root.getAnimations()).map((animation) => animation.finished));
}"""


def axe_violations(page, *selectors: str) -> list[str]:
    """Run axe-core on the page (or only inside `selectors`), once its animations have ended
    (mid fade-in, text is partly transparent and axe finds too little contrast); each
    violation as "rule: the first offending element". axe-core is evaluated over DevTools,
    which every page's CSP allows."""
    page.evaluate(AXE_CORE.read_text())
    page.evaluate(_ANIMATIONS_ENDED)
    context = {"include": [[selector] for selector in selectors]} if selectors else None
    violations = page.evaluate("async (context) => (await axe.run(context || document)).violations", context)
    return [f"{v['id']}: {v['help']} ({v['nodes'][0]['html'] if v['nodes'] else ''})" for v in violations]


# An init script: the page's EventSources, kept where a test can see whether they are open.
RECORD_EVENT_SOURCES = """window.eventSources = [];
window.EventSource = class extends window.EventSource {
  constructor(...args) { super(...args); window.eventSources.push(this); }
};"""


def wait_for_live_stream(page) -> None:
    """Wait until a page loaded with `RECORD_EVENT_SOURCES` has its event stream open: the
    server subscribed it before answering, so a frame published from now on reaches it."""
    page.wait_for_function("() => window.eventSources.some((source) => source.readyState === EventSource.OPEN)")
