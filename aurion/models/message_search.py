"""Full-text search over messages with the database's own engine.

SQLite: an FTS5 table over `messages.content` (external content, so the text is not
stored twice), kept in step by triggers. PostgreSQL: a GIN index on the `simple`
text-search vector of the content (no stemming: visitors write in any language).
Migration 0010 creates the same objects; these hooks make `create_all` (tests) match it.
Alembic's autogenerate does not understand either, so `include_in_autogenerate` hides them.
"""

from sqlalchemy import DDL, Index, event, func, literal_column

from aurion.models.conversations import Message

FTS_TABLE = "messages_fts"
# The PostgreSQL configuration both the index and every query must name, or the index is not used.
TEXT_SEARCH_CONFIG = "simple"
SEARCH_INDEX = "ix_messages_content_search"

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(content, content='messages', content_rowid='id')",
    f"""CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF content ON messages BEGIN
  INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content);
END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def search_vector(column):
    """The text-search vector of `column`, exactly as the PostgreSQL index computes it."""
    return func.to_tsvector(literal_column(f"'{TEXT_SEARCH_CONFIG}'"), column)


Index(SEARCH_INDEX, search_vector(Message.content), postgresql_using="gin").ddl_if(dialect="postgresql")
for _statement in SQLITE_CREATE:
    event.listen(Message.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_DROP:
    event.listen(Message.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's `include_object`: leave the search objects (and FTS5's shadow tables) alone."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == SEARCH_INDEX)
