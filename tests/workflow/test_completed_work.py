"""The summary of completed work (workflow.completed_work) stays exactly what counting the tasks gives, through every
change of the handling: assigned, a coordinator's part finished, more time granted, completed (on time and late),
passed down and returned, deadlines passing, and a change of today in the agency's calendar. The dashboard's figures
read from the summary equal those counted from every task (statistics.handling_statistics(recount=True))."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from vanphong.core.errors import ValidationError
from vanphong.workflow import calendar, completed_work, handling, services, statistics
from vanphong.workflow.models import CompletedWork, Task

pytestmark = pytest.mark.django_db


def _stored(agency):
    return sorted(CompletedWork.objects.filter(agency=agency).values_list("person_id", "unit_id", "year", "month", "on_time", "late",
                                                                         "working_days"), key=repr)


def _figures(stats):
    return stats.total, stats.units, stats.people, stats.months


def assert_exact(org, *, today=None):
    """The summary kept by the services equals the summary counted again from the tasks, and the figures read from it
    equal the figures counted from every task, for this year and this month."""
    kept = _stored(org.agency)
    completed_work.rebuild(org.agency.pk)
    assert kept == _stored(org.agency)
    day = today or timezone.localdate()
    for period in (statistics.make_period("year", year=day.year), statistics.make_period("month", year=day.year, month=day.month)):
        assert period.whole_months
        read = statistics.handling_statistics(org.leader, period=period, today=today)
        counted = statistics.handling_statistics(org.leader, period=period, today=today, recount=True)
        assert _figures(read) == _figures(counted)
    return statistics.handling_statistics(org.leader, period=statistics.make_period("year", year=day.year), today=today).total


def test_the_summary_follows_every_change_of_the_handling(org, admin_a):
    future = timezone.localdate() + dt.timedelta(days=40)
    d1 = org.register("Công văn số một")
    a1 = handling.assign(org.leader, d1, lead=org.specialist, coordinators=[org.board_specialist], informed=[org.head], deadline=future)
    tasks = {t.role: t for t in a1.tasks.all()}
    total = assert_exact(org)
    assert (total.received, total.completed, total.open) == (2, 0, 2)

    handling.add_note(org.board_specialist, tasks["coordinate"], text="Đã góp ý.", finished=True)
    total = assert_exact(org)
    assert (total.on_time, total.late, total.open) == (1, 0, 1)

    ask = handling.request_extension(org.specialist, tasks["lead"], deadline=future + dt.timedelta(days=10), reason="Chờ số liệu.")
    handling.decide_extension(org.leader, ask, grant=True)
    assert_exact(org)

    handling.acknowledge(org.head, tasks["inform"])  # information is not work: not counted
    handling.complete(org.specialist, tasks["lead"], result="Đã báo cáo.")
    total = assert_exact(org)
    assert (total.received, total.on_time, total.late, total.open) == (2, 2, 0, 0)

    d2 = org.register("Công văn số hai")
    a2 = handling.assign(org.leader, d2, lead=org.office, deadline=future)
    child = handling.pass_down(org.head, a2.tasks.get(), to=org.specialist)
    handling.return_task(org.specialist, child, reason="Không thuộc thẩm quyền.")
    total = assert_exact(org)
    assert (total.received, total.open) == (3, 1)  # the Office's task, open again; the returned one counts for nobody

    # Late: the Office's deadline has passed (written past the services, as time passing would) when it completes.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Task.objects.filter(assignment=a2).update(deadline=yesterday)
    assert_exact(org, today=future)  # overdue, by the figures of a later day
    handling.complete(org.head, Task.objects.get(assignment=a2, status=Task.Status.OPEN), result="Đã xử lý.")
    total = assert_exact(org)
    assert (total.on_time, total.late) == (2, 1)

    # Today becomes a day off (or a working day): the work completed today took a working day less (or more).
    today = timezone.localdate()
    kind = "off" if calendar.is_working_day(org.agency.pk, today) else "work"
    public_holiday = kind == "work" and any(h.day == today and h.kind == "holiday" for h in calendar.statutory_holidays(today.year))
    # The lead's work received a day earlier (history written past the services, so counted again), completed today.
    Task.objects.filter(assignment=a1, role=Task.Role.LEAD).update(created_at=F("created_at") - dt.timedelta(days=1))
    completed_work.rebuild(org.agency.pk)
    before = assert_exact(org).working_days
    change = {"day": today, "kind": kind, "name": "Nghỉ bù" if kind == "off" else "Làm bù"}
    if public_holiday:  # a public holiday cannot become a working day: refused, and the summary stays as it was
        with pytest.raises(ValidationError):
            services.add_calendar_day(admin_a, org.agency, **change)
        assert assert_exact(org).working_days == before
    else:
        services.add_calendar_day(admin_a, org.agency, **change)
        assert assert_exact(org).working_days == before + (-1 if kind == "off" else 1)


def test_the_dashboard_reads_the_summary_for_whole_months_only(org):
    d1 = org.register("Công văn số một")
    a1 = handling.assign(org.leader, d1, lead=org.specialist, deadline=timezone.localdate() + dt.timedelta(days=40))
    handling.complete(org.specialist, a1.tasks.get(), result="Đã báo cáo.")
    today = timezone.localdate()
    year = statistics.make_period("year", year=today.year)
    days = statistics.make_period("custom", start=today, end=today)
    assert statistics.handling_statistics(org.leader, period=year).total.on_time == 1
    CompletedWork.objects.all().delete()  # the summary is what the whole months read; a custom period counts the tasks
    assert statistics.handling_statistics(org.leader, period=year).total.on_time == 0
    assert statistics.handling_statistics(org.leader, period=days).total.on_time == 1
    assert statistics.handling_statistics(org.leader, period=year, doc_type="CV").total.on_time == 1
    completed_work.rebuild(org.agency.pk)
    assert statistics.handling_statistics(org.leader, period=year).total.on_time == 1
