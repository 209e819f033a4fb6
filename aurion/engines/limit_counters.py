"""The limiter's counters in Redis, which answer their own response headers.

Flask-Limiter puts `X-RateLimit-Limit`, `-Remaining` and `-Reset` on every limited
response, and reads them back from the storage just after counting the request: a GET
and a TTL of the counter it has just incremented, two more Redis round trips per request
(about 3 ms of a worker's time on two cores: bench/README.md). Here the increment
returns the count and the time to live together, in one script, and the reads that
follow in the same request (the same greenlet, or thread) are answered from them.

Importing this module makes it the storage of `redis://`, `rediss://` and
`redis+unix://` limiter URIs: `limits` registers a storage class for the schemes it
names, its documented way to add one.
"""

import threading
import time

from limits.storage import RedisStorage

# limits' own increment script (resources/redis/lua_scripts/incr_expire.lua), returning the TTL too.
_INCREMENT = """
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""
# A count is read back within the request that made it, milliseconds later; one older
# than this belongs to an earlier request on the same greenlet (a kept-alive connection).
_FRESH_SECONDS = 1.0


class RedisCounters(RedisStorage):
    """limits' Redis storage, but a counter just incremented is read back without Redis."""

    STORAGE_SCHEME = ["redis", "rediss", "redis+unix"]

    def initialize_storage(self, uri: str) -> None:
        super().initialize_storage(uri)
        self._increment = self.get_connection().register_script(_INCREMENT)
        self._local = threading.local()

    def _just_counted(self) -> dict[str, tuple[int, float, float]]:
        """This greenlet's counts of the last second: key -> (count, expiry, when counted)."""
        if not hasattr(self._local, "counts"):
            self._local.counts = {}
        return self._local.counts

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        count, ttl = self._increment([self.prefixed_key(key)], [expiry, amount])
        now = time.monotonic()
        counts = self._just_counted()
        for stale in [k for k, (_, _, at) in counts.items() if now - at > _FRESH_SECONDS]:
            del counts[stale]
        counts[key] = (int(count), time.time() + max(int(ttl), 0), now)
        return int(count)

    def _counted(self, key: str) -> tuple[int, float, float] | None:
        counted = self._just_counted().get(key)
        return counted if counted is not None and time.monotonic() - counted[2] <= _FRESH_SECONDS else None

    def get(self, key: str) -> int:
        counted = self._counted(key)
        return counted[0] if counted else super().get(key)

    def get_expiry(self, key: str) -> float:
        counted = self._counted(key)
        if counted is None:
            return super().get_expiry(key)
        # A window's stats are read once, the count then the expiry: this read is the last.
        del self._just_counted()[key]
        return counted[1]
