"""Database connections: PostgreSQL never JIT-compiles the application's queries."""

from django.db import connection

from vanphong.settings import _database


def test_postgresql_connections_turn_jit_off_and_keep_their_own_options():
    assert _database("postgres://vanphong@127.0.0.1:5432/vanphong")["OPTIONS"]["options"] == "-c jit=off"
    kept = _database("postgres://vanphong@127.0.0.1:5432/vanphong?options=-c%20statement_timeout%3D5000")
    assert kept["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"
    assert "options" not in _database("sqlite:////tmp/x.sqlite3")["OPTIONS"]


def test_the_running_database_does_not_jit(db):
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # SQLite has no JIT; the PostgreSQL run checks the server's setting
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
