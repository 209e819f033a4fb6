"""Request ids and log lines: every line names the request it came from, in text or JSON.

A request keeps the `X-Request-ID` its client (or the proxy in front) sent when it is
sane (1-128 letters, digits and `._:-`), else gets a fresh one; the response carries
it back. Every log record made while a request is served, by any logger, gets it as
`request_id` ("-" outside a request); the access line of each request is written by
`aurion.api.monitoring`. `AURION_LOG_FORMAT=json` writes one JSON object per line.
"""

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, has_request_context, request

HEADER = "X-Request-ID"
NO_REQUEST = "-"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_ENVIRON_KEY = "aurion.request_id"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
FORMATS = ("text", "json")


def request_id() -> str:
    """The id of the request being served: the client's when sane, else a new one."""
    if not has_request_context():
        return NO_REQUEST
    environ = request.environ
    if _ENVIRON_KEY not in environ:
        offered = environ.get("HTTP_X_REQUEST_ID", "")
        environ[_ENVIRON_KEY] = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex
    return environ[_ENVIRON_KEY]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message, and the request's fields on access lines."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "http", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _stamp_request_ids() -> None:
    """Give every log record, of any logger, the current request's id (once per process)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_ids", False):
        return

    def make_record(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = request_id()
        return record

    make_record.stamps_request_ids = True
    logging.setLogRecordFactory(make_record)


def configure_logging(log_format: str) -> None:
    """One handler on the `aurion` logger (the app's and every module's), text or JSON; idempotent."""
    _stamp_request_ids()
    logger = logging.getLogger("aurion")
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def _stamp_response(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    return response


def init_app(app: Flask) -> None:
    """Log in the configured format, and return each request's id with its response."""
    if app.config["AURION_LOG_FORMAT"] not in FORMATS:
        raise RuntimeError(f"AURION_LOG_FORMAT={app.config['AURION_LOG_FORMAT']!r} is not one of {', '.join(FORMATS)}")
    configure_logging(app.config["AURION_LOG_FORMAT"])
    app.after_request(_stamp_response)
