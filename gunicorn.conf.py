"""gunicorn settings: gevent workers serve HTTP and WebSockets alike."""

import multiprocessing
import os

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
accesslog = "-"
control_socket_disable = True


def post_worker_init(worker):
    """Each worker delivers webhooks and sends email from the shared queues from the start, not
    only once it has served a request: a restarted server sends what was queued before it stopped."""
    worker.wsgi.extensions["aurion_webhooks"].start()
    worker.wsgi.extensions["aurion_email"].start()
