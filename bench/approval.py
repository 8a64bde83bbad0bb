"""Approval of outgoing drafts at scale: what every page pays for "Awaiting my approval" (its count in the navigation)
and what the tab costs, over N drafts in approval, in a fresh database of its own (SQLite by default, PostgreSQL when
DATABASE_URL is set). Measured in the process, through the selectors the pages call.

  awaiting_count_p95_ms   approval_selectors.awaiting_count of a random person (the navigation's count: steps held by
                          the person or by their unit, in drafts they may read)
  awaiting_page_p95_ms    the first 50 rows of the "Awaiting my approval" tab of a random person
  baseline_p95_ms         SELECT 1 over the same connection: the floor of any query
  orm_baseline_p95_ms     a count of one row by primary key through the ORM: the floor of any selector

Seeded, with COPY on PostgreSQL: one agency, 2,000 people in 100 units (a head in each), N outgoing drafts, each with
its chain of three steps (the drafter's head, the Office unit, a leader) at a random point: a fifth approved, the rest
pending at one of the steps. Timed parts run --runs times; the last line is one JSON object.

    python bench/approval.py --drafts 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/approval.py --drafts 500000
"""

import argparse
import datetime as dt
import json
import os
import random
import time

import _shared as shared

PG_BENCH_DB = "vanphong_bench_approval"
PEOPLE, UNITS, LEADERS = 2000, 100, 5


def seed(drafts: int, rng: random.Random):
    from django.utils import timezone

    from vanphong.documents.models import Document
    from vanphong.org.models import Agency, Person, Role, Unit
    from vanphong.workflow.models import Approval, ApprovalStep

    Role.objects.bulk_create([Role(code=code) for code in Role.Code.values], ignore_conflicts=True)
    agency = Agency.objects.create(code="000.00.00.T99", name="Tỉnh ủy Thử nghiệm", short_name="TU Thử nghiệm", notation_code="TU")
    office = Unit.objects.create(agency=agency, name="Văn phòng", short_name="VP", path="/", depth=0)
    units = [office] + [Unit.objects.create(agency=agency, name=f"Phòng {n}", short_name=f"P{n}", parent=office, path=f"/{office.pk}/",
                                            depth=1) for n in range(1, UNITS)]
    people = []
    for n in range(PEOPLE):
        person = Person(username=f"nguoi{n}", full_name=f"Nguyễn Văn Người {n}", agency=agency, unit=units[n % UNITS], password="!")
        person.set_derived_fields()
        people.append(person)
    Person.objects.bulk_create(people, batch_size=1000)
    people = list(Person.objects.filter(agency=agency).order_by("pk"))
    leaders = people[:LEADERS]
    for leader in leaders:
        leader.roles.add(Role.Code.LEADER)
    heads = {unit.pk: people[LEADERS + i] for i, unit in enumerate(units)}
    now = timezone.now()
    documents, approvals, steps = [], [], []
    step_id = 0
    for n in range(1, drafts + 1):
        drafter = rng.choice(people[LEADERS + UNITS:])
        created = now - dt.timedelta(minutes=rng.randint(0, 500_000))
        documents.append((n, agency.pk, "out", "draft", "CV", f"Dự thảo công văn số {n}", drafter.pk, created, created, 0, 0, ""))
        done = rng.random() < 0.2
        current = 3 if done else rng.randint(1, 3)
        approvals.append((n, agency.pk, n, drafter.pk, "approved" if done else "in_progress", current, created))
        holders = [(heads[drafter.unit_id].pk, None), (None, office.pk), (rng.choice(leaders).pk, None)]
        for position, (person_id, unit_id) in enumerate(holders, 1):
            step_id += 1
            status = "approved" if done or position < current else "pending" if position == current else "waiting"
            steps.append((step_id, n, position, ["unit_head", "office", "signing_leader"][position - 1], person_id, unit_id, False, status))
    shared.load_model(Document, ["id", "agency_id", "direction", "status", "doc_type", "subject", "created_by_id", "created_at",
                                 "updated_at", "urgency", "confidentiality", "search_text"], documents)
    shared.load_model(Approval, ["id", "agency_id", "document_id", "drafter_id", "status", "current_position", "submitted_at"], approvals)
    shared.load_model(ApprovalStep, ["id", "approval_id", "position", "role", "person_id", "unit_id", "drafter_may_approve", "status"], steps)
    shared.reset_sequences("documents_document", "workflow_approval", "workflow_approvalstep")
    shared.analyze()
    return people


def timed(call, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    shared.setup(os.environ.get("DATABASE_URL"), PG_BENCH_DB)
    from django.db import connection

    from vanphong.workflow import approval_selectors as selectors

    try:
        started = time.perf_counter()
        people = seed(args.drafts, rng)
        seeded_s = time.perf_counter() - started
        readers = [rng.choice(people) for _ in range(args.runs)]
        office_member = next(p for p in people if p.unit_id == people[0].unit_id and p.pk != people[0].pk)
        it = iter(readers)
        count_ms = timed(lambda: selectors.awaiting_count(next(it)), args.runs)
        it = iter(readers)
        page_ms = timed(lambda: list(selectors.awaiting_my_approval(next(it))[:50]), args.runs)
        office_ms = timed(lambda: selectors.awaiting_count(office_member), args.runs)

        def select_one():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()

        base_ms = timed(select_one, args.runs)
        from vanphong.org.models import Person

        it = iter(readers)
        orm_ms = timed(lambda: Person.objects.filter(pk=next(it).pk).count(), args.runs)
        p95 = {name: round(shared.percentile(values, 0.95), 2) for name, values in (
            ("awaiting_count_p95_ms", count_ms), ("awaiting_page_p95_ms", page_ms), ("office_count_p95_ms", office_ms),
            ("baseline_p95_ms", base_ms), ("orm_baseline_p95_ms", orm_ms))}
        result = {"database": connection.vendor, "drafts": args.drafts, "steps": args.drafts * 3, "seeded_s": round(seeded_s, 1), **p95,
                  "office_pending": selectors.awaiting_count(office_member),
                  "count_vs_orm_baseline": round(p95["awaiting_count_p95_ms"] / max(p95["orm_baseline_p95_ms"], 0.001), 1)}
        print(json.dumps(result))
    finally:
        shared.drop_database()


if __name__ == "__main__":
    main()
