"""The full-text index of documents, in each database's own engine, over Document.search_text
(metadata and attachment text, already folded: lower case, no diacritics, "đ" → "d").

SQLite: an FTS5 table with external content (documents_document, rowid = id), so the text is
stored once; three triggers keep it in step with every INSERT, UPDATE and DELETE, including the
queryset .update() that services._refresh_search_text() uses. Prefix indexes on 2 and 3 characters
make the "last word is a prefix" queries of the search box cheap.

PostgreSQL: a stored generated tsvector column with a GIN index. PostgreSQL recomputes it on every
write (no trigger, and .update() keeps it current), and ranking reads the stored vector instead of
parsing the text of every candidate again, which an expression index would make it do.

Both engines see the same words: ASCII punctuation becomes a space before PostgreSQL parses the
text (its parser would otherwise keep "qd/tw", "12/2024/nd-cp" or "1.5" as single tokens), as
SQLite's unicode61 tokenizer does. PostgreSQL indexes the first 300,000 characters: a tsvector
holds at most 1 MB of distinct words, and a longer text would make the write fail.

The DDL lives here only; vanphong.documents.search.ensure_search_index() runs these same
functions to repair an index that a later table rebuild (SQLite's ALTER TABLE emulation drops the
table's triggers) has detached.
"""

from django.db import migrations

FTS_TABLE = "documents_document_fts"
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
PG_MAX_CHARS = 300_000

SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_text, content='documents_document', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
)
SQLITE_TRIGGERS = {
    "documents_document_fts_ai": (
        f"CREATE TRIGGER IF NOT EXISTS documents_document_fts_ai AFTER INSERT ON documents_document BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
    "documents_document_fts_ad": (
        f"CREATE TRIGGER IF NOT EXISTS documents_document_fts_ad AFTER DELETE ON documents_document BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END"
    ),
    "documents_document_fts_au": (
        f"CREATE TRIGGER IF NOT EXISTS documents_document_fts_au AFTER UPDATE OF id, search_text ON documents_document "
        f"WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
}


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


PG_COLUMN = (
    "ALTER TABLE documents_document ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ("
    f"to_tsvector('simple'::regconfig, translate(left(search_text, {PG_MAX_CHARS}), {_pg_literal(PUNCTUATION)}, "
    f"{_pg_literal(' ' * len(PUNCTUATION))}))) STORED"
)
PG_INDEX = "CREATE INDEX IF NOT EXISTS documents_document_search_vector_gin ON documents_document USING gin (search_vector)"


def install(connection) -> bool:
    """Create what is missing; True if anything was. On SQLite, refill the index in that case."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE 'documents_document_fts%'")
            present = {row[0] for row in cursor.fetchall()}
            missing = [name for name in (FTS_TABLE, *SQLITE_TRIGGERS) if name not in present]
            if missing:
                cursor.execute(SQLITE_TABLE)
                for sql in SQLITE_TRIGGERS.values():
                    cursor.execute(sql)
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
            return bool(missing)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_attribute WHERE attrelid = 'documents_document'::regclass "
                           "AND attname = 'search_vector' AND NOT attisdropped")
            has_column = cursor.fetchone()[0] == 1
            cursor.execute("SELECT to_regclass('documents_document_search_vector_gin') IS NOT NULL")
            has_index = cursor.fetchone()[0]
            cursor.execute(PG_COLUMN)
            cursor.execute(PG_INDEX)
            return not (has_column and has_index)
    return False


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS documents_document_search_vector_gin")
            cursor.execute("ALTER TABLE documents_document DROP COLUMN IF EXISTS search_vector")


def forwards(apps, schema_editor):
    install(schema_editor.connection)


def backwards(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
