"""A process's background loop: one thread that does a round of work inside the app's
context, then sleeps until its period ends or it is woken. Webhook delivery and the
agent's sweep for owed turns each run one per process; outgoing email
too (`aurion.engines.job_queue`)."""

import logging
import threading

from flask import Flask

from aurion.extensions import db

log = logging.getLogger(__name__)


class BackgroundLoop:
    """Runs `round()` every `config[period_setting]` seconds, once started, while
    `config[enabled_setting]` is on. A round that fails is logged and the loop goes on:
    a database hiccup must not end it."""

    def __init__(self, app: Flask, name: str, enabled_setting: str, period_setting: str):
        self._app = app
        self._name = name
        self._enabled_setting = enabled_setting
        self._period_setting = period_setting
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def round(self) -> None:
        raise NotImplementedError

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        """Start the loop once, when its setting is on; later calls do nothing."""
        if not self._app.config[self._enabled_setting]:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def wake(self) -> None:
        """Do a round now rather than at the end of the period."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the current round (tests, graceful shutdown)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self._app.app_context():
                try:
                    self.round()
                except Exception:
                    log.exception("%s failed; retrying at the next round", self._name)
                    db.session.rollback()
                finally:
                    db.session.remove()
            self._wake.wait(self._app.config[self._period_setting])
