"""Audit chain cost: every change of state appends one record, so its price is paid everywhere.

Measures, in one fresh database (SQLite by default, PostgreSQL when DATABASE_URL is set):
  append_per_s           audit.record() calls, each in its own transaction, as services make them
  baseline_insert_per_s  the same rows inserted one transaction each without the chain (no head lock, no hash)
  concurrent_append_per_s  4 threads appending at once (the head row serialises them)
  verify_per_s           records checked per second by `vanphong audit verify`
Prints the median of --runs runs; the last line is one JSON object.

    python bench/audit.py --records 5000 --runs 3
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def setup(database_url):
    os.environ["VANPHONG_DATA_DIR"] = tempfile.mkdtemp(prefix="vanphong-bench-")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanphong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        # A database of its own, so the benchmark never touches real data.
        from django.db import connections

        name = "vanphong_bench"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone()
        connection.close()
        connection.settings_dict["NAME"] = "postgres"
        with connections["default"].cursor() as cursor:
            if exists:
                cursor.execute(f'DROP DATABASE "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        connection.settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)


def one_run(records):
    from django.db import connection, transaction

    from vanphong.core import audit
    from vanphong.core.models import AuditChainHead, AuditRecord

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditrecord")
        cursor.execute("DROP TABLE IF EXISTS bench_plain")
        cursor.execute("CREATE TABLE bench_plain (id INTEGER PRIMARY KEY, action VARCHAR(80), data TEXT, created_at VARCHAR(40))")
    AuditChainHead.objects.update(seq=0, hash=audit.GENESIS)

    data = {"username": "vanthu.bacninh", "changes": {"position": ["Chuyên viên", "Văn thư"]}}
    started = time.perf_counter()
    for _ in range(records):
        audit.record("bench.event", data=data)
    append = records / (time.perf_counter() - started)

    payload = json.dumps(data, ensure_ascii=False)
    started = time.perf_counter()
    for i in range(records):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_plain (id, action, data, created_at) VALUES (%s, %s, %s, %s)",
                           [i + 1, "bench.event", payload, "2026-11-25T10:00:00.000000+00:00"])
    baseline = records / (time.perf_counter() - started)

    per_thread = records // 4
    errors = []

    def worker():
        try:
            for _ in range(per_thread):
                audit.record("bench.concurrent", data=data)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    concurrent = per_thread * 4 / (time.perf_counter() - started)
    if errors:
        raise SystemExit(f"concurrent appends failed: {errors[0]!r}")

    total = AuditRecord.objects.count()
    started = time.perf_counter()
    result = audit.verify()
    verify = total / (time.perf_counter() - started)
    if not result.ok or result.checked != records + per_thread * 4:
        raise SystemExit(f"chain not intact after the run: {result}")
    return {"append_per_s": append, "baseline_insert_per_s": baseline, "concurrent_append_per_s": concurrent, "verify_per_s": verify}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup(os.environ.get("DATABASE_URL"))
    from django.db import connection

    runs = [one_run(args.records) for _ in range(args.runs)]
    medians = {key: round(statistics.median(r[key] for r in runs), 1) for key in runs[0]}
    medians["append_vs_baseline"] = round(medians["append_per_s"] / medians["baseline_insert_per_s"], 3)
    medians.update(database=connection.vendor, records=args.records, runs=args.runs)
    for r in runs:
        print("run:", {k: round(v, 1) for k, v in r.items()})
    print(json.dumps(medians))


if __name__ == "__main__":
    main()
