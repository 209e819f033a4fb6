"""Fixtures for the HTTP API."""

import os

import pytest

from tests.support.redis_server import private_redis

REDIS_URL = os.environ.get("AURION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def headers(make_tenant):
    """The `X-API-Key` header of a new tenant's key (both voice-widget scopes)."""
    _, _, key = make_tenant()
    return {"X-API-Key": key}


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis; tests that need it skip, saying why, when it does not answer."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({exc})")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture(name="private_redis")
def private_redis_fixture():
    """A Redis of the test's own on a free port, killed afterwards: for tests that stop or restart it."""
    with private_redis() as server:
        yield server
