"""gunicorn settings: gevent workers serve HTTP and WebSockets alike.

The wheel ships this file as the top-level module `aurion_gunicorn`
(`gunicorn -c python:aurion_gunicorn 'aurion:create_app()'`); a checkout's
gunicorn.conf.py reads it. It stays outside the `aurion` package on purpose: importing
that in gunicorn's master, before the gevent worker patches the standard library, would
create unpatched locks that block a whole worker.
"""

import multiprocessing
import os
import shutil
import signal
import tempfile

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
worker_class = "gevent"
# The in-process broker reaches only the sockets of its own worker: without a Redis
# broker (AURION_BROKER_URL), one worker, or a socket misses what another worker sends.
_default_workers = min(4, multiprocessing.cpu_count() * 2) if os.environ.get("AURION_BROKER_URL") else 1
workers = int(os.environ.get("WEB_CONCURRENCY", _default_workers))
# Each open widget holds a socket; gevent's default of 1,000 per worker is too few.
worker_connections = int(os.environ.get("AURION_WORKER_CONNECTIONS", "5000"))
timeout = 30
graceful_timeout = 20
# The app writes one access line per request itself, with its request id, in the
# configured format (aurion.api.monitoring); gunicorn's own would repeat it without one.
accesslog = None
control_socket_disable = True

# Prometheus' multiprocess mode: every worker writes its metrics into one folder that
# /metrics adds up. Set before any worker imports prometheus_client; a folder of our
# own unless the operator names one (emptied at each start either way).
_metrics_folder_is_ours = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics_folder_is_ours:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="aurion-metrics-")


def on_starting(server):
    """Start from zero: values left by an earlier run would be added to this one's."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """A dead worker's open sockets no longer count (its counters still do)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_folder_is_ours:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def post_worker_init(worker):
    """Each worker delivers webhooks and sends email from the shared queues, and answers
    agent turns still owed, from the start, not only once it has served a request: a
    restarted server sends what was queued, and answers what was asked, before it stopped."""
    worker.wsgi.extensions["aurion_webhooks"].start()
    worker.wsgi.extensions["aurion_email"].start()
    worker.wsgi.extensions["aurion_agent_sweep"].start()
    _end_streams_when_stopping(worker)


def _end_streams_when_stopping(worker):
    """On SIGTERM (a restart, a deploy) the worker ends its open sockets and dashboard streams
    at once: they never end by themselves, so gunicorn would otherwise wait its whole
    graceful_timeout for them, and the browsers would reconnect only after it killed them."""
    import gevent

    stop = worker.handle_exit

    def handle_exit(sig, frame):
        stop(sig, frame)
        # Out of the signal handler: dropping takes the broker's lock.
        gevent.spawn(worker.wsgi.extensions["aurion_broker"].end_streams)

    signal.signal(signal.SIGTERM, handle_exit)
