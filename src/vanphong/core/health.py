"""`vanphong check`: is this node configured and healthy? Database, storage, worker, clock."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

MIN_FREE_BYTES = 1024**3
WORKER_STALE_AFTER = timedelta(seconds=90)
MAX_CLOCK_SKEW_SECONDS = 5.0
# Checks of the apps' own (notifications: the e-mail outbox), each a callable returning a Check, run once the
# database answers. Apps append to it in their ready().
app_checks: list = []


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _masked(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def check_configuration() -> Check:
    problems = []
    if settings.DEBUG:
        problems.append("VANPHONG_DEBUG is on")
    if settings.TIME_ZONE != "Asia/Ho_Chi_Minh":
        problems.append(f"time zone is {settings.TIME_ZONE}")
    detail = f"data folder {settings.DATA_DIR}; database {_masked(settings.DATABASE_URL)}"
    return Check("configuration", not problems, "; ".join(problems) or detail)


def check_database() -> Check:
    conn = connections[DEFAULT_DB_ALIAS]
    try:
        started = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        elapsed = (time.perf_counter() - started) * 1000
        executor = MigrationExecutor(conn)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # any failure to reach the database is the finding
        return Check("database", False, f"{conn.vendor}: {exc}")
    if pending:
        return Check("database", False, f"{conn.vendor}: {len(pending)} migrations not applied (run `vanphong migrate`)")
    return Check("database", True, f"{conn.vendor}, answered in {elapsed:.1f} ms, migrations applied")


def check_storage() -> Check:
    root = Path(settings.VANPHONG_FILES_DIR)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".check-") as handle:
            handle.write(b"ok")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        return Check("storage", False, f"{root} is not writable: {exc}")
    free = shutil.disk_usage(root).free
    if free < MIN_FREE_BYTES:
        return Check("storage", False, f"{root}: only {free / 1024**2:.0f} MiB free")
    return Check("storage", True, f"{root} writable, {free / 1024**3:.1f} GiB free")


def check_worker() -> Check:
    from vanphong.core.models import WorkerHeartbeat

    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if latest is None:
        return Check("worker", False, "no background worker is running (start `vanphong worker` or `vanphong serve`)")
    age = timezone.now() - latest.last_seen
    if age > WORKER_STALE_AFTER:
        return Check("worker", False, f"last heartbeat {int(age.total_seconds())} s ago from {latest.hostname} (pid {latest.pid})")
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=timezone.now() - WORKER_STALE_AFTER).count()
    return Check("worker", True, f"{alive} worker(s) alive, last heartbeat {int(age.total_seconds())} s ago")


def check_ocr() -> Check:
    """Paper documents need Tesseract with its Vietnamese data (Debian: tesseract-ocr tesseract-ocr-vie)."""
    if shutil.which("tesseract") is None:
        return Check("ocr", False, "tesseract is not installed: scans cannot be read (apt-get install tesseract-ocr tesseract-ocr-vie)")
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("ocr", False, f"tesseract does not run: {exc}")
    languages = set(out.stdout.split())
    if "vie" not in languages:
        return Check("ocr", False, "Tesseract has no Vietnamese data (apt-get install tesseract-ocr-vie)")
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=10).stdout.split("\n", 1)[0]
    return Check("ocr", True, f"{version.strip()}, languages: {', '.join(sorted(languages - {'osd'}))}")


def _ntp_synchronised() -> str:
    try:
        out = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], capture_output=True, text=True, timeout=3)
        return {"yes": "NTP synchronised", "no": "NTP NOT synchronised"}.get(out.stdout.strip(), "NTP status unknown")
    except (OSError, subprocess.SubprocessError):
        return "NTP status unknown"


def check_clock() -> Check:
    local = timezone.localtime()
    detail = f"{local:%d/%m/%Y %H:%M:%S} {local.tzname()}; {_ntp_synchronised()}"
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT EXTRACT(EPOCH FROM clock_timestamp())")
            skew = float(cursor.fetchone()[0]) - time.time()
        detail += f"; database clock differs by {skew:+.2f} s"
        if abs(skew) > MAX_CLOCK_SKEW_SECONDS:
            return Check("clock", False, detail)
    return Check("clock", True, detail)


def run_all() -> list[Check]:
    checks = [check_configuration(), check_database()]
    if checks[-1].ok:
        checks += [check_storage(), check_worker(), check_ocr(), check_clock()] + [check() for check in app_checks]
    else:
        checks.append(check_storage())
    return checks
