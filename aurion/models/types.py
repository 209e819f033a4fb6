"""Column types that behave the same on SQLite and PostgreSQL."""

from datetime import datetime

from sqlalchemy import JSON, DateTime
from sqlalchemy.types import TypeDecorator

from aurion.timestamps import as_utc


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime, also on SQLite (which stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else as_utc(value)


class StringList(TypeDecorator):
    """A list of strings kept as JSON (scopes, domains, modes)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else list(value)

    def process_result_value(self, value, dialect):
        return [] if value is None else list(value)


class JSONList(TypeDecorator):
    """A list of JSON values (an agent message's sources)."""

    impl = JSON
    cache_ok = True

    def process_result_value(self, value, dialect):
        return [] if value is None else list(value)


def render_migration_type(type_: str, obj, autogen_context):
    """Write our column types into migrations as the plain types they store.

    Migrations then never import application code, which may change after them.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, (StringList, JSONList)):
        return "sa.JSON()"
    return False
