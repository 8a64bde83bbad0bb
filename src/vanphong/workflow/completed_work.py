"""The summary of completed work (CompletedWork): per holder and month received, how much was completed on time,
late, and in how many working days. Kept here only: every task that becomes done passes through record() in the
transaction that completes it, and rebuild() recounts an agency from its tasks (after a change of its calendar,
which changes the working days, and to fill the table from tasks loaded in bulk). The figures it serves are
exactly those counted from the tasks (workflow.statistics; tests/workflow/test_completed_work.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from vanphong.workflow import calendar
from vanphong.workflow.models import CompletedWork, Task


def _holder(task: Task) -> dict:
    return {"person_id": task.person_id} if task.person_id else {"unit_id": task.unit_id}


def record(tasks: Iterable[Task]) -> None:
    """Count tasks that have just become done (status DONE, closed_at set); work for information is not counted."""
    for task in tasks:
        if task.role not in Task.ACTING_ROLES or task.status != Task.Status.DONE:
            continue
        received, closed = timezone.localtime(task.created_at).date(), timezone.localtime(task.closed_at).date()
        late = closed > task.deadline
        days = calendar.working_days_between(task.agency_id, received, closed)
        row, _created = CompletedWork.objects.get_or_create(agency_id=task.agency_id, year=received.year, month=received.month,
                                                            **_holder(task))
        # An UPDATE of the row's counters, so that two completions at once both count.
        CompletedWork.objects.filter(pk=row.pk).update(on_time=F("on_time") + (0 if late else 1), late=F("late") + (1 if late else 0),
                                                       working_days=F("working_days") + days)


@transaction.atomic
def rebuild(agency_id: int) -> int:
    """Recount the agency's completed work from its tasks, in the database; returns the rows written."""
    from vanphong.workflow.statistics import WorkingDayOrdinal, _local_dates, _working_day_ordinals

    CompletedWork.objects.filter(agency_id=agency_id).delete()
    done = Task.objects.filter(agency_id=agency_id, role__in=Task.ACTING_ROLES, status=Task.Status.DONE)
    span = done.aggregate(first=Min("created_at"), latest=Max("closed_at"))
    if span["first"] is None:
        return 0
    zone = timezone.get_current_timezone()
    start = timezone.localtime(span["first"]).date()
    last = max(timezone.localdate(), timezone.localtime(span["latest"]).date())
    lookup = _working_day_ordinals(agency_id, start, last)
    local_date = _local_dates(zone, start, last)
    counted = done.annotate(received_on=local_date("created_at"), closed_on=local_date("closed_at")).annotate(
        received_year=ExtractYear("received_on"), received_month=ExtractMonth("received_on"))
    rows = counted.values_list("person_id", "unit_id", "received_year", "received_month").annotate(
        on_time=Count("created_at", filter=Q(closed_on__lte=F("deadline"))), late=Count("created_at", filter=Q(closed_on__gt=F("deadline"))),
        working_days=Sum(WorkingDayOrdinal("closed_on", start, lookup) - WorkingDayOrdinal("received_on", start, lookup))).order_by()
    summary = [CompletedWork(agency_id=agency_id, person_id=person_id, unit_id=unit_id, year=year, month=month, on_time=on_time,
                             late=late, working_days=working_days or 0)
               for person_id, unit_id, year, month, on_time, late, working_days in rows]
    CompletedWork.objects.bulk_create(summary, batch_size=2000)
    return len(summary)

