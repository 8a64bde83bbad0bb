"""Gapless numbers from a register's counter.

take_number() must run inside the transaction that saves the numbered document: the counter row is
updated and read in one statement (which locks it on PostgreSQL, and takes SQLite's single write
lock), so concurrent callers queue, each gets the next number, and a rollback gives the number back."""

from django.db import connection, transaction

from vanphong.documents.models import Register


def take_number(register: Register) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number() must be called inside the transaction that saves the document")
    table = Register._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET next_number = next_number + 1 WHERE id = %s RETURNING next_number - 1", [register.pk])
        (number,) = cursor.fetchone()
    register.next_number = number + 1
    return number
