"""The CA operator's list of certificates and the shell's expiry banner, with many certificates.

Seeds N certificates (default 100,000; officials, seals and node certificates, some revoked, some
expiring) in a fresh database of its own, then times the pages in-process with Django's test
client. Figures are milliseconds per page (median of R runs) and, as the DESIGN asks, ratios against
a baseline measured in the same run: the home page of a person who holds no certificate.

    .venv/bin/python bench/ca_pages.py [--certificates 100000] [--runs 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/ca_pages.py

On PostgreSQL it works in a database named vp_bench_ca_pages, dropped and made anew."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
BENCH_DB = "vp_bench_ca_pages"


def setup(database_url: str | None) -> None:
    os.environ["VANPHONG_DATA_DIR"] = tempfile.mkdtemp(prefix="vanphong-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanphong.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
        connection.close()
        connection.settings_dict["NAME"] = BENCH_DB
    call_command("migrate", verbosity=0)


def seed(count: int):
    from django.conf import settings
    from django.utils import timezone

    from tests.factories import make_agency, make_person
    from vanphong.org.models import Role
    from vanphong.pki import services
    from vanphong.pki.models import Certificate, serial_text

    # Two hundred people: Argon2's deliberate slowness would be most of the seeding.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    Role.objects.bulk_create([Role(code=code) for code in Role.Code.values], ignore_conflicts=True)
    agency = make_agency("000.00.00.T27", "Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", notation_code="TU", notation_scheme="party")
    operator = make_person(agency, "chungthu", "Đặng Văn Chứng Thư", roles=["ca_operator"])
    official = make_person(agency, "lanhdao", "Nguyễn Thị Ánh Tuyết", roles=["leader"])
    nobody = make_person(agency, "vanthu", "Nguyễn Thị Văn Thư", roles=["clerk"])
    people = [make_person(agency, f"cb{i}", f"Cán Bộ Số {i}", roles=["specialist"]) for i in range(200)]
    _root, issuing = services.init_ca(None, name="VănPhòng Bench", algorithm="p256")
    pem = services.issue_with_held_key(None, profile="official", holder_person=official).certificate_pem
    now = timezone.now()
    rows, profiles = [], ["official", "agency-seal", "tls-server", "tls-client"]
    for i in range(count):
        profile = profiles[i % 4]
        revoked = i % 10 == 0
        rows.append(Certificate(
            ca=issuing, serial=serial_text(10**30 + i), profile=profile, subject=f"CN=Chứng thư {i},C=VN", common_name=f"Chứng thư {i}",
            holder_person=people[i % len(people)] if profile == "official" else None,
            holder_agency=agency if profile == "agency-seal" else None,
            not_before=now - dt.timedelta(days=i % 700), not_after=now + dt.timedelta(days=(i * 7) % 1000 - 100),
            certificate_pem=pem, status="revoked" if revoked else "valid", revoked_at=now if revoked else None,
            revocation_reason="superseded" if revoked else "", created_at=now - dt.timedelta(seconds=i),
        ))
    Certificate.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE pki_certificate")
    return operator, official, nobody


def client_of(person):
    from django.test import Client

    from tests.conftest import signed_in

    return signed_in(Client(HTTP_HOST="localhost"), person)


def timed(client, url, runs) -> float:
    client.get(url)  # warm
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup(os.environ.get("DATABASE_URL"))
    from django.db import connection

    started = time.perf_counter()
    operator, official, nobody = seed(args.certificates)
    print(f"{connection.vendor}: {args.certificates:,} certificates seeded in {time.perf_counter() - started:.1f} s")
    from vanphong.pki.models import Certificate

    serial = Certificate.objects.filter(profile="tls-client").values_list("serial", flat=True)[123]
    base_client, op, holder = client_of(nobody), client_of(operator), client_of(official)
    baseline = timed(base_client, "/", args.runs)
    print(f"baseline: home page of a person without certificates  {baseline:7.1f} ms  ({queries(base_client, '/')} queries)")
    cases = [
        ("home page of an official (with the banner's query)", holder, "/"),
        ("My certificates", holder, "/pki/mine/"),
        ("certificates, first page", op, "/pki/manage/certificates/"),
        ("certificates, page 20", op, "/pki/manage/certificates/?page=20"),
        ("certificates, officials, revoked", op, "/pki/manage/certificates/?profile=official&status=revoked"),
        ("certificates expiring within 30 days", op, "/pki/manage/certificates/?expiring=30"),
        ("certificates, search by serial", op, f"/pki/manage/certificates/?q={serial}"),
        ("certificates, search by subject words", op, "/pki/manage/certificates/?q=Chứng+thư+99999"),
        ("CA audit log", op, "/pki/manage/operations/"),
    ]
    for label, client, url in cases:
        ms = timed(client, url, args.runs)
        print(f"{label:55} {ms:7.1f} ms  x{ms / baseline:5.2f}  ({queries(client, url)} queries)")


if __name__ == "__main__":
    main()
