"""Instances of their own (own folder, SQLite database, processes), for the tests that run `vanphong` as real processes.

Migrating a new SQLite database takes tens of seconds on a loaded machine and a dozen tests need a fresh instance: the
database is migrated once per test session, by the real `vanphong migrate` in a process of its own, and each new
instance starts from a copy of it (their own `migrate` then finds nothing to do). A fresh migration of an empty folder is
still run by that session fixture, and by the tests of `vanphong init` and of vanphong.toml."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_FILE = "vanphong.sqlite3"


def instance_env(folder: Path, **extra: str) -> dict:
    """The environment of an instance whose data folder is `folder`: its own SQLite database, whatever the test run uses."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "VANPHONG_CONFIG")}
    return {**env, "VANPHONG_DATA_DIR": str(folder), **extra}


def migrate_new_database(folder: Path) -> Path:
    """`vanphong migrate` on an empty folder; the database it made."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "vanphong.cli", "migrate"], env=instance_env(folder), cwd=ROOT, check=True,
                   capture_output=True, timeout=900)
    return folder / DATABASE_FILE


def copy_database(source: Path, folder: Path) -> Path:
    """A new instance folder holding a copy of `source` (SQLite's backup: a consistent copy even in WAL mode)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / DATABASE_FILE
    assert not target.exists(), f"{target} exists: an instance is only made from the template when new"
    with contextlib.closing(sqlite3.connect(source)) as reading, contextlib.closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)
    return folder
