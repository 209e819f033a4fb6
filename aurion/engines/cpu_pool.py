"""CPU-bound work (query embeddings, speech recognition and synthesis) on real threads.

Under gunicorn's gevent worker every thread of the app is a green thread sharing one OS
thread: an embedding computed there stops every socket of the worker until it is done.
`run_cpu` hands such work to gevent's native thread pool, real OS threads as many as
the process may use cores, and waits for it cooperatively, so the worker's loop keeps
serving sockets meanwhile (numpy's BLAS, the tokenizer, pocketsphinx and espeak-ng
release the GIL while they compute). Without gevent (the dev server, the CLI, tests in
process) it is a plain call.

What runs there must be plain computation: no gevent locks, sockets or database
sessions (take locks around the call, not inside it).
"""

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_pool = None
_pool_pid: int | None = None


def cpu_count() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _under_gevent() -> bool:
    if "gevent" not in sys.modules:
        return False
    from gevent import monkey

    return monkey.is_module_patched("threading")


def _native_pool():
    """This process's pool, made on first use (in each gunicorn worker after the fork)."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        from gevent.threadpool import ThreadPool

        _pool, _pool_pid = ThreadPool(maxsize=cpu_count()), os.getpid()
    return _pool


def run_cpu(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, on a real thread when running under gevent; its result or its exception."""
    if not _under_gevent():
        return fn(*args, **kwargs)
    import gevent

    pool = _native_pool()
    if pool.hub is not gevent.get_hub():  # called from another OS thread's loop: no pool of its own
        return fn(*args, **kwargs)
    return pool.apply(fn, args, kwargs)
