"""The work of a leader's units, as lists: to do, overdue, done, for one unit or person if chosen, by period and
document type. The same units as the figures (workflow.statistics); unlike them, a list names documents, so each
row is checked against the reader's right to read its document."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanphong.core.errors import NotFound, ValidationError
from vanphong.org.models import Person, Unit
from vanphong.workflow import statistics
from vanphong.workflow.handling_selectors import list_rows, overdue_before, readable_by
from vanphong.workflow.models import Task

UNIT_LISTS = ("todo", "overdue", "done")


def people_of_units(units: list[Unit]) -> QuerySet[Person]:
    return Person.objects.filter(unit_id__in=[u.pk for u in units]).select_related("unit").order_by("sort_name", "pk")


def unit_work_list(reader, name: str, *, unit: Unit | None = None, person: Person | None = None, start: dt.date | None = None,
                   end: dt.date | None = None, doc_type: str = "", today: dt.date | None = None) -> QuerySet[Task]:
    """"todo": open lead and coordinating work, earliest deadline first; "overdue": those past their deadline;
    "done": work completed, latest first. `unit` narrows to that unit and those below it; `person` to their own
    work; `start`/`end` to work received in those days."""
    statistics.require_overseer(reader)
    if name not in UNIT_LISTS:
        raise NotFound()
    units, whole_agency = statistics.units_in_scope(reader, unit)
    if person is not None:
        if not whole_agency and person.unit_id not in {u.pk for u in units}:
            raise ValidationError({"person": _person_outside()})
        if person.agency_id != reader.agency_id:
            raise ValidationError({"person": _person_outside()})
        tasks = Task.objects.filter(agency_id=reader.agency_id, role__in=Task.ACTING_ROLES, person_id=person.pk)
    else:
        tasks = statistics.scoped_tasks(reader, units, whole_agency)
    tasks = tasks.filter(readable_by(reader))
    if start or end:
        bounds = statistics.Period("custom", start or dt.date(2000, 1, 1), end or dt.date(2100, 12, 31)).bounds()
        tasks = tasks.filter(created_at__gte=bounds[0], created_at__lt=bounds[1])
    if doc_type:
        tasks = tasks.filter(document__doc_type=doc_type)
    if name == "done":
        return list_rows(tasks.filter(status=Task.Status.DONE)).order_by("-closed_at", "-id")
    tasks = tasks.filter(status=Task.Status.OPEN)
    if name == "overdue":
        tasks = tasks.filter(deadline__lt=overdue_before(reader.agency_id, today))
    return list_rows(tasks).order_by("deadline", "id")


def _person_outside() -> str:
    return _("Choose a person of the units you lead.")
