"""The handling workflow at scale: a leader's dashboard and a person's to-do list over N assignments, from 32
concurrent clients over HTTP against the real server (`vanphong serve`, gunicorn), in a fresh database of its own
(SQLite by default, PostgreSQL when DATABASE_URL is set).

  dashboard_p95_ms   /workflow/units/ (this year's figures, charts and tables by unit, person and month) of a
                     random leader of a room (trưởng phòng: a unit of some 40 people), the leader's own session
  todo_list_p95_ms   /workflow/work/ (the "To do" tab with the navigation's counts) of a random person
  baseline_p95_ms    the sign-in page under the same load: the server's floor (no database work beyond the session)

Seeded, with COPY on PostgreSQL: one agency, 25 departments of 4 rooms, 5,000 people (a leader in every room and
department, three agency leaders), N incoming documents each assigned once over the last two years (a lead, a
coordinator for 30%, someone informed for 20%), most completed (some late), the recent ones open (some overdue).
The dashboard's figures of the agency leaders, over the whole agency, are measured apart (agency_dashboard_p95_ms),
without a target. Sessions are made as a complete sign-in makes them (the bench types no second factor). Timed
parts run --runs times; figures are medians. The last line is one JSON object.

    python bench/workflow.py --assignments 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/workflow.py --assignments 1000000
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time

import _shared as shared

TARGETS = {"dashboard_p95_ms": 150, "todo_list_p95_ms": 150}
PG_BENCH_DB = "vanphong_bench_workflow"
PEOPLE, DEPARTMENTS, ROOMS_PER_DEPARTMENT = 5000, 25, 4
DEPARTMENT_NAMES = ["Văn phòng", "Ban Tổ chức", "Ban Tuyên giáo", "Ban Dân vận", "Ban Nội chính", "Ủy ban Kiểm tra", "Ban Kinh tế",
                    "Sở Tài chính", "Sở Nội vụ", "Sở Kế hoạch và Đầu tư", "Sở Xây dựng", "Sở Y tế", "Sở Giáo dục và Đào tạo",
                    "Sở Tư pháp", "Sở Công Thương", "Sở Giao thông vận tải", "Sở Tài nguyên và Môi trường", "Sở Nông nghiệp",
                    "Sở Lao động", "Sở Văn hóa", "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông", "Thanh tra tỉnh",
                    "Ban Quản lý dự án", "Trung tâm Hành chính công"]
ROOM_NAMES = ["Phòng Tổng hợp", "Phòng Nghiệp vụ", "Phòng Hành chính", "Phòng Kế hoạch"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Quốc", "Thanh", "Ngọc", "Xuân", "Hồng", "Công"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga",
         "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn", "Vân", "Yến"]
SUBJECTS = ["V/v báo cáo kết quả thực hiện", "V/v triển khai kế hoạch", "V/v góp ý dự thảo", "V/v đề nghị cung cấp thông tin",
            "V/v tăng cường công tác", "V/v rà soát, tổng hợp số liệu", "Kế hoạch tổ chức hội nghị", "Quyết định phê duyệt dự toán"]
TYPES = ["CV"] * 6 + ["QĐ", "KH", "TB", "BC", "GM"]


def _name(rng) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def seed_people(rng):
    """The agency, its 125 units and 5,000 people; returns (agency, units, people as (id, unit_id), room leaders,
    agency leaders)."""
    from django.contrib.auth.hashers import make_password

    from vanphong.org.models import Agency, Person, Role, Unit

    Role.objects.bulk_create([Role(code=code) for code in Role.Code.values], ignore_conflicts=True)
    agency = Agency.objects.create(code="000.00.00.T27", name="Tỉnh ủy Bắc Ninh", short_name="TU Bắc Ninh", notation_code="TU",
                                   notation_scheme="party")
    departments, rooms = [], []
    for d, name in enumerate(DEPARTMENT_NAMES[:DEPARTMENTS]):
        department = Unit.objects.create(agency=agency, name=name, sort_order=d, path="/", depth=0)
        departments.append(department)
        for r, room_name in enumerate(ROOM_NAMES[:ROOMS_PER_DEPARTMENT]):
            rooms.append(Unit.objects.create(agency=agency, parent=department, name=room_name, sort_order=r,
                                             path=f"/{department.pk}/", depth=1))
    password = make_password("Bench-VanPhong-2026")  # the same hash for all: nobody signs in with it
    people = []
    for n in range(PEOPLE):
        unit = None if n < 3 else departments[(n - 3) % len(departments)] if n < 3 + len(departments) else rooms[n % len(rooms)]
        person = Person(username=f"nguoi{n:05d}", full_name=_name(rng), agency=agency, unit=unit, password=password,
                        position="Chuyên viên", clearance=0)
        person.set_derived_fields()
        people.append(person)
    Person.objects.bulk_create(people, batch_size=1000)
    people = list(Person.objects.filter(agency=agency).order_by("pk"))
    leaders = people[:3 + len(departments)]
    room_leaders, seen = [], set()
    for person in people[3 + len(departments):]:
        if person.unit_id not in seen:
            seen.add(person.unit_id)
            room_leaders.append(person)
    leader_role = Role.objects.get(code=Role.Code.LEADER)
    Person.roles.through.objects.bulk_create([Person.roles.through(person_id=p.pk, role_id=leader_role.pk) for p in leaders + room_leaders])
    staff = [(p.pk, p.unit_id) for p in people[3 + len(departments):]]
    return agency, rooms, staff, room_leaders, leaders[:3]


def seed_work(agency, rooms, staff, leaders, n_assignments, rng):
    """N incoming documents, each assigned once; their tasks. Returns the number of tasks."""
    from django.db import connection
    from django.utils import timezone

    from vanphong.workflow import calendar

    now = timezone.now()
    today = timezone.localdate()
    first = today - dt.timedelta(days=730)
    cal = calendar.agency_calendar(agency.pk)
    zone = timezone.get_current_timezone()
    clerk = staff[0][0]
    leader_ids = [p.pk for p in leaders]
    room_ids = [r.pk for r in rooms]
    documents, assignments, tasks = [], [], []
    task_id = 0
    for n in range(1, n_assignments + 1):
        received = first + dt.timedelta(days=int(730 * (n / n_assignments)))  # in date order, as a register grows
        while not cal.is_working_day(received):
            received += dt.timedelta(days=1)
        received = min(received, today)
        created = dt.datetime.combine(received, dt.time(rng.randint(7, 16), rng.randint(0, 59)), tzinfo=zone)
        created = min(created, now - dt.timedelta(minutes=1))
        deadline = cal.add_working_days(received, rng.choice([3, 5, 5, 7, 10, 10, 15]))
        age = (today - received).days
        done = rng.random() < (0.97 if age > 60 else 0.75 if age > 15 else 0.3)
        if done:
            late = rng.random() < 0.12
            close_day = (cal.add_working_days(deadline, rng.randint(1, 8)) if late
                         else cal.add_working_days(received, rng.randint(0, max(0, cal.working_days_between(received, deadline)))))
            close_day = min(close_day, today)
            closed = max(created + dt.timedelta(minutes=5), dt.datetime.combine(close_day, dt.time(rng.randint(8, 17)), tzinfo=zone))
            closed = min(closed, now)
        else:
            closed = None
        doc_type = rng.choice(TYPES)
        documents.append((n, agency.pk, "in", "registered", doc_type, str(rng.randint(1, 3000)), f"{doc_type}-UBND" if doc_type != "CV" else
                          "UBND-VP", f"{rng.choice(SUBJECTS)} số {n}", 0, 0, "", created, clerk, created, created, "UBND tỉnh Nghệ An"))
        status = "completed" if done else "open"
        assigner = rng.choice(leader_ids)
        assignments.append((n, agency.pk, n, 1, assigner, "", deadline, status, created, closed, "Đã xử lý" if done else "",
                            assigner if done else None, False))
        person_id, unit_id = rng.choice(staff)
        if rng.random() < 0.2:
            person_id, unit_id = None, rng.choice(room_ids)
        else:
            unit_id = None
        parts = [("lead", person_id, unit_id)]
        if rng.random() < 0.3:
            parts.append(("coordinate", rng.choice(staff)[0], None))
        if rng.random() < 0.2:
            parts.append(("inform", rng.choice(staff)[0], None))
        for role, holder, unit in parts:
            task_id += 1
            task_status = ("done" if done else "open")
            task_closed = closed if done else None
            tasks.append((task_id, agency.pk, n, n, role, holder, unit, None, None, assigner, deadline, task_status, created, task_closed))
    from vanphong.documents.models import Document
    from vanphong.workflow import completed_work
    from vanphong.workflow.models import Assignment, Task

    shared.load_model(Document, ["id", "agency_id", "direction", "status", "doc_type", "code_number", "code_notation", "subject",
                                            "urgency", "confidentiality", "notes", "arrival_date", "created_by_id", "created_at",
                                            "updated_at", "issuing_agency_name"], documents)
    shared.load_model(Assignment, ["id", "agency_id", "document_id", "round", "assigned_by_id", "instructions", "deadline",
                                             "status", "created_at", "closed_at", "result", "completed_by_id", "awaiting_reassignment"],
                     assignments)
    shared.load_model(Task, ["id", "agency_id", "assignment_id", "document_id", "role", "person_id", "unit_id", "parent_id",
                                       "root_id", "given_by_id", "deadline", "status", "created_at", "closed_at"], tasks)
    shared.reset_sequences("documents_document", "workflow_assignment", "workflow_task")
    # Loaded past the services, as an import would be: the summary of completed work is counted from the tasks.
    completed_work.rebuild(agency.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE documents_document")
            cursor.execute("VACUUM ANALYZE workflow_task")
            cursor.execute("VACUUM ANALYZE workflow_assignment")
            cursor.execute("VACUUM ANALYZE workflow_completedwork")
    else:
        shared.analyze()
    return len(tasks)


def sessions_for(people) -> list[dict]:
    """Signed-in, complete sessions (second factor passed), as accounts.services makes them at sign-in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from vanphong.accounts.services import SESSION_SECOND_FACTOR_OK

    cookies = []
    for person in people:
        session = SessionStore()
        session.update({SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: person.get_session_auth_hash(), SESSION_SECOND_FACTOR_OK: True,
                        "last_activity": int(time.time())})
        session.create()
        cookies.append({settings.SESSION_COOKIE_NAME: session.session_key, "vanphong_language": "vi"})
    return cookies


def bench_http(room_leaders, agency_leaders, people, runs, clients, seconds, rng):
    from django.db import connection

    from vanphong.org.models import Person

    sample = rng.sample(people, min(400, len(people)))
    dashboard_people = sessions_for(Person.objects.filter(pk__in=[p.pk for p in room_leaders]))
    todo_people = sessions_for(Person.objects.filter(pk__in=[pk for pk, _unit in sample]))
    agency_people = sessions_for(Person.objects.filter(pk__in=[p.pk for p in agency_leaders]))
    connection.close()
    proc, port = shared.start_server()
    base = f"http://127.0.0.1:{port}"
    pages = {"dashboard": ([("/workflow/units/", c) for c in dashboard_people], 'class="figures"'),
             "todo": ([("/workflow/work/", c) for c in todo_people], 'class="work"'),
             "baseline": (["/accounts/login/"], 'name="csrfmiddlewaretoken"')}
    agency = [("/workflow/units/", c) for c in agency_people]
    try:
        for items, marker in pages.values():  # warm-up: connections, calendars, templates
            shared.load(base, items, clients=clients, seconds=5, marker=marker, warm_up=True)
        results = {"dashboard": [], "todo": [], "baseline": [], "agency": []}
        for _ in range(runs):
            for name, (items, marker) in pages.items():
                results[name].append(shared.load(base, items, clients=clients, seconds=seconds, marker=marker))
            try:  # no target, and slow at scale: measured apart, and a failure does not void the other figures
                results["agency"].append(shared.load(base, agency, clients=min(clients, 8), seconds=seconds, marker='class="figures"'))
            except SystemExit as failure:
                print(f"agency leaders' dashboard: {failure}", flush=True)
        return results
    finally:
        shared.stop_server(proc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000, help="assignments to seed (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the timed parts (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients (default: %(default)s)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each page's run under load (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    shared.setup(os.environ.get("DATABASE_URL"), PG_BENCH_DB)
    from django.db import connection

    vendor = connection.vendor
    rng = random.Random(2026)
    try:
        started = time.perf_counter()
        agency, rooms, staff, room_leaders, agency_leaders = seed_people(rng)
        tasks = seed_work(agency, rooms, staff, room_leaders + agency_leaders, args.assignments, rng)
        print(f"seeded {args.assignments:,} assignments ({tasks:,} tasks) for {PEOPLE:,} people in {time.perf_counter() - started:.0f} s",
              flush=True)
        results = bench_http(room_leaders, agency_leaders, staff, args.runs, args.clients, args.seconds, rng)
        figures = {"database": vendor, "assignments": args.assignments, "tasks": tasks, "people": PEOPLE, "clients": args.clients,
                   "runs": args.runs}
        for name, key in (("dashboard", "dashboard"), ("todo_list", "todo"), ("baseline", "baseline"), ("agency_dashboard", "agency")):
            if not results[key]:
                continue
            figures[f"{name}_p50_ms"] = round(statistics.median(r.p50_ms for r in results[key]), 1)
            figures[f"{name}_p95_ms"] = round(statistics.median(r.p95_ms for r in results[key]), 1)
            figures[f"{name}_per_s"] = round(statistics.median(r.per_s for r in results[key]), 1)
        for name in ("dashboard", "todo_list"):
            print(f"{name}: p50 {figures[f'{name}_p50_ms']} ms, p95 {figures[f'{name}_p95_ms']} ms (target ≤ {TARGETS[f'{name}_p95_ms']} ms), "
                  f"{figures[f'{name}_per_s']} pages/s; {figures[f'{name}_p95_ms'] / figures['baseline_p95_ms']:.1f}× the baseline p95")
        print(f"baseline (sign-in page): p50 {figures['baseline_p50_ms']} ms, p95 {figures['baseline_p95_ms']} ms, "
              f"{figures['baseline_per_s']} pages/s")
        if "agency_dashboard_p95_ms" in figures:
            print(f"agency leaders' dashboard (whole agency, {min(args.clients, 8)} clients, no target): p50 "
                  f"{figures['agency_dashboard_p50_ms']} ms, p95 {figures['agency_dashboard_p95_ms']} ms")
        print(json.dumps(figures))
    finally:
        if not args.keep:
            shared.drop_database()


if __name__ == "__main__":
    main()
