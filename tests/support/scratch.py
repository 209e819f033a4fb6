"""Throwaway stores on the shared test servers: a PostgreSQL database, a Redis key prefix; removed afterwards."""

import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa


@contextmanager
def scratch_database(server_url: str, name_prefix: str):
    """A new, empty database on the PostgreSQL server of `server_url` (skips when it does not answer); yields its URL."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        connection = admin.connect()
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {sa.engine.make_url(server_url)} is not reachable: {str(exc).splitlines()[0]}")
    name = f"{name_prefix}_{uuid.uuid4().hex[:10]}"
    connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.close()
        admin.dispose()


@contextmanager
def scratch_key_prefix(redis_url: str, name_prefix: str):
    """A key prefix of this run alone on the Redis at `redis_url`; its keys are deleted afterwards."""
    import redis

    prefix = f"{name_prefix}-{uuid.uuid4().hex[:10]}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(redis_url)
        try:
            for key in client.scan_iter(match=f"*{prefix}*"):
                client.delete(key)
        finally:
            client.close()
