"""Fixtures for the HTTP API."""

import pytest

from tests.support.redis_server import private_redis


@pytest.fixture
def headers(make_tenant):
    """The `X-API-Key` header of a new tenant's key (both voice-widget scopes)."""
    _, _, key = make_tenant()
    return {"X-API-Key": key}


@pytest.fixture(name="private_redis")
def private_redis_fixture():
    """A Redis of the test's own on a free port, killed afterwards: for tests that stop or restart it."""
    with private_redis() as server:
        yield server
