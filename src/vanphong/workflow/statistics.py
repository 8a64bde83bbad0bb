"""The figures of the handling of incoming documents for a leader's units: one selector that the dashboard,
its API and the periodic report (DOCX and XLSX) all read, so that they can never disagree.

What is counted. A piece of work is a lead (chủ trì) or coordinating (phối hợp) task, of a person or of a
unit; documents given for information are not work to be done. Work passed down is counted once, for whoever
holds it now (the task passed down is not counted, the one below it is), and work returned is counted for
nobody (it is no longer theirs); nor is work withdrawn (open when its sender recalled or replaced the document:
neither done nor late, and nobody's any more; the document's page and its holders' "done" list show it withdrawn). So each piece of work is counted in exactly one row, and the columns add up:
received = completed on time + completed late + open and overdue + open within the deadline.

- received: work that reached its holder within the period (the task was created then);
- completed on time / late: completed on or before its deadline, or after it (the deadline as it stands,
  more time granted included);
- overdue: still open a working day after its deadline ended (as in "My work": handling_selectors.overdue_before);
- average handling time: working days (workflow.calendar, the agency's own calendar) from the day the work was
  received to the day it was completed, over the work completed; received and completed the same day is 0.

Whose work it is. A person's work counts for the unit they belong to now; a unit's work for that unit. Each
unit's row holds its own work only: a sub-unit has its own row, and the total adds them all.

Who sees it. A leader sees the units they lead: a leader in a unit sees that unit and the units below it; a
leader of the agency itself (in no unit) sees all its units. The head of a unit (UnitHead, named by the agency's
administrator) sees that unit and the units below it, whatever their role. The figures are counts, so they include
confidential documents; no list here names a document (the lists of unit work check each document against
the reader's right to read it, documents.selectors)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, DateField, F, Func, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.text import fold
from vanphong.org.models import Person, Role, Unit
from vanphong.workflow import calendar
from vanphong.workflow.handling_selectors import overdue_before
from vanphong.workflow.models import CompletedWork, Task, UnitHead

# The longest custom period: five years of figures.
MAX_PERIOD_DAYS = 5 * 366
COUNTED_STATUSES = (Task.Status.OPEN, Task.Status.DONE)

PERIOD_KINDS = (("year", gettext_lazy("Year")), ("quarter", gettext_lazy("Quarter")), ("month", gettext_lazy("Month")),
                ("custom", gettext_lazy("From… to…")))
QUARTER_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV"}


# ---- who sees which units -----------------------------------------------------------------------------------


def _active(reader) -> bool:
    return bool(reader and reader.is_authenticated and reader.is_active)


def _is_leader(reader) -> bool:
    return _active(reader) and reader.has_role(Role.Code.LEADER)


def _headed_unit_ids(reader) -> list[int]:
    """Units the agency's administrator named the reader head of (UnitHead), once per request."""
    if not _active(reader):
        return []
    cached = getattr(reader, "_headed_unit_ids", None)
    if cached is None:
        cached = list(UnitHead.objects.filter(person_id=reader.pk, unit__agency_id=reader.agency_id).values_list("unit_id", flat=True))
        reader._headed_unit_ids = cached
    return cached


def oversees_units(reader) -> bool:
    """Leaders see the work of the units they lead, and heads of units (named by the agency's administrator for
    the approval chains) that of the units they head."""
    return _is_leader(reader) or bool(_headed_unit_ids(reader))


def require_overseer(reader) -> None:
    if not oversees_units(reader):
        raise PermissionDenied(_("Only leaders see the work of their units."))


def overseen_units(reader) -> list[Unit]:
    """The units whose work the reader sees, in tree order (parents before children, siblings by order), each
    with `depth` relative to the top of the reader's tree."""
    if not oversees_units(reader):
        return []
    cached = getattr(reader, "_overseen_units", None)  # the page and its selector ask once each per request
    if cached is not None:
        return [*cached]
    units = Unit.objects.filter(agency_id=reader.agency_id).only("id", "name", "short_name", "parent_id", "path", "sort_order", "is_active")
    if not sees_whole_agency(reader):
        tops = _headed_unit_ids(reader) + ([reader.unit_id] if _is_leader(reader) else [])
        below = Q(pk__in=tops)
        for top in Unit.objects.filter(pk__in=tops).only("id", "path"):
            below |= Q(path__startswith=f"{top.path}{top.pk}/")
        units = units.filter(below)
    units = list(units)
    ids = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    ordered: list[Unit] = []

    def walk(parent_id, depth):
        for unit in sorted(children.get(parent_id, []), key=lambda u: (u.sort_order, fold(u.name))):
            unit.depth = depth
            ordered.append(unit)
            walk(unit.pk, depth + 1)

    walk(None, 0)
    reader._overseen_units = ordered
    return [*ordered]


def sees_whole_agency(reader) -> bool:
    """A leader of the agency itself, in no unit."""
    return _is_leader(reader) and not reader.unit_id


def subtree(units: list[Unit], top: Unit) -> list[Unit]:
    """`top` and the units below it, from a list in tree order."""
    below = f"{top.path}{top.pk}/"
    return [u for u in units if u.pk == top.pk or u.path.startswith(below)]


# ---- the period --------------------------------------------------------------------------------------------------


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # included

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Year %(year)s") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("Quarter %(quarter)s of %(year)s") % {"quarter": QUARTER_NAMES[(self.start.month - 1) // 3 + 1],
                                                           "year": self.start.year}
        if self.kind == "month":
            return _("Month %(month)s of %(year)s") % {"month": self.start.month, "year": self.start.year}
        return _("From %(start)s to %(end)s") % {"start": _d(self.start), "end": _d(self.end)}

    @property
    def dates(self) -> str:
        return _("From %(start)s to %(end)s") % {"start": _d(self.start), "end": _d(self.end)}

    @property
    def whole_months(self) -> bool:
        """From the first day of a month to the last day of a month."""
        return self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1

    def months(self) -> list[tuple[int, int]]:
        found, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as a half-open range of aware datetimes in the agency's time zone."""
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        return start, dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def make_period(kind: str = "year", *, year: int | None = None, quarter: int | None = None, month: int | None = None,
                start: dt.date | None = None, end: dt.date | None = None, today: dt.date | None = None) -> Period:
    """A period from what a reader chose; by default this year. Bad choices raise ValidationError by field."""
    today = today or timezone.localdate()
    kind = kind or "year"
    if kind == "custom":
        if start is None or end is None:
            raise ValidationError({"start" if start is None else "end": _("Give both the first and the last day.")})
        if end < start:
            raise ValidationError({"end": _("The last day is before the first.")})
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ValidationError({"end": _("Choose a period of at most five years.")})
        period = Period("custom", start, end)
    else:
        year = year or today.year
        if kind == "year":
            period = Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31))
        elif kind == "quarter":
            quarter = quarter or (today.month - 1) // 3 + 1
            if not 1 <= quarter <= 4:
                raise ValidationError({"quarter": _("Choose a quarter from I to IV.")})
            first = dt.date(year, 3 * quarter - 2, 1)
            period = Period("quarter", first, _month_end(dt.date(year, 3 * quarter, 1)))
        elif kind == "month":
            month = month or today.month
            if not 1 <= month <= 12:
                raise ValidationError({"month": _("Choose a month from 1 to 12.")})
            period = Period("month", dt.date(year, month, 1), _month_end(dt.date(year, month, 1)))
        else:
            raise ValidationError({"period": _("Choose a year, a quarter, a month or your own dates.")})
    for day in (period.start, period.end):
        try:
            calendar.check_year(day.year)
        except ValidationError as exc:
            raise ValidationError({"year" if kind != "custom" else "start": exc.messages}) from None
    return period


def _month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


# ---- the figures ---------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open_in_time: int = 0
    working_days: int = 0  # summed over the work completed

    @property
    def completed(self) -> int:
        return self.on_time + self.late

    @property
    def open(self) -> int:
        return self.overdue + self.open_in_time

    @property
    def average_days(self) -> Decimal | None:
        """Average handling time in working days, to one decimal (None when nothing was completed)."""
        if not self.completed:
            return None
        return (Decimal(self.working_days) / Decimal(self.completed)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def on_time_percent(self) -> Decimal | None:
        """Completed on time, as a share of the work completed, in whole percent."""
        if not self.completed:
            return None
        return (Decimal(100 * self.on_time) / Decimal(self.completed)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    def add(self, other: Figures) -> None:
        # Spelled out rather than a loop over the names: called for every row of every figure on the dashboard.
        self.received += other.received
        self.on_time += other.on_time
        self.late += other.late
        self.overdue += other.overdue
        self.open_in_time += other.open_in_time
        self.working_days += other.working_days

    def as_dict(self) -> dict:
        return {"received": self.received, "completed_on_time": self.on_time, "completed_late": self.late, "overdue": self.overdue,
                "open_within_deadline": self.open_in_time, "average_working_days": self.average_days,
                "on_time_percent": self.on_time_percent}


# The columns of every table, in order: (key in Figures.as_dict, header). The page, the DOCX and the XLSX use them.
COLUMNS = (
    ("received", gettext_lazy("Received")),
    ("completed_on_time", gettext_lazy("Completed on time")),
    ("completed_late", gettext_lazy("Completed late")),
    ("overdue", gettext_lazy("Open, overdue")),
    ("open_within_deadline", gettext_lazy("Open, within deadline")),
    ("average_working_days", gettext_lazy("Average handling time (working days)")),
    ("on_time_percent", gettext_lazy("On time (%)")),
)


@dataclass
class UnitRow:
    unit_id: int | None
    name: str
    depth: int
    figures: Figures = field(default_factory=Figures)


@dataclass
class PersonRow:
    person_id: int | None  # None: work held by a unit as a whole
    name: str
    unit_id: int | None
    unit_name: str
    figures: Figures = field(default_factory=Figures)
    sort_key: tuple = ()


@dataclass
class MonthRow:
    year: int
    month: int
    figures: Figures = field(default_factory=Figures)

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


@dataclass
class Statistics:
    agency: object
    period: Period
    today: dt.date
    units: list[UnitRow]
    people: list[PersonRow]
    months: list[MonthRow]
    total: Figures
    unit: Unit | None = None  # the unit chosen, if the reader narrowed the view to one of theirs
    doc_type: str = ""


def units_in_scope(reader, unit: Unit | None) -> tuple[list[Unit], bool]:
    """The units counted, and whether they are the whole agency (people in no unit included)."""
    units = overseen_units(reader)
    if unit is None:
        return units, sees_whole_agency(reader)
    chosen = next((u for u in units if u.pk == unit.pk), None)
    if chosen is None:
        raise ValidationError({"unit": _("Choose one of the units you lead.")})
    return subtree(units, chosen), False


def scoped_tasks(reader, units: list[Unit], whole_agency: bool, *, person_ids: Iterable[int] | None = None) -> QuerySet[Task]:
    """The acting tasks of the units (their own, and their people's). Not filtered by document: callers that
    list documents must add the reader's right to read them."""
    tasks = Task.objects.filter(agency_id=reader.agency_id, role__in=Task.ACTING_ROLES)
    if whole_agency:
        return tasks
    unit_ids = [u.pk for u in units]
    if person_ids is None:
        person_ids = Person.objects.filter(unit_id__in=unit_ids).values_list("pk", flat=True)
    return tasks.filter(Q(unit_id__in=unit_ids) | Q(person_id__in=list(person_ids)))


def _counted_parts(reader, unit_ids: set[int], whole_agency: bool, person_ids: Iterable[int]) -> list[QuerySet[Task]]:
    """The work counted for the figures, as one query per kind of holder (a task is held by a person or by a unit,
    never both, so the parts add up): each filters on exactly the condition of its covering index
    (Task.Meta.indexes, task_counted_by_*) and names only the columns that index holds, so that PostgreSQL answers
    from the index alone, where "unit in … or person in …" made it visit a table row per task."""
    counted = Task.objects.filter(role__in=Task.ACTING_ROLES, status__in=COUNTED_STATUSES)
    if whole_agency:
        return [counted.filter(agency_id=reader.agency_id)]
    person_ids = list(person_ids)
    return [counted.filter(unit_id__in=sorted(unit_ids))] + ([counted.filter(person_id__in=person_ids)] if person_ids else [])


def _working_day_ordinals(agency_id: int, first: dt.date, last: dt.date) -> list[int]:
    """For each day from `first` to `last`, how many working days of the agency's calendar come after `first` up to
    that day: the handling time of work received on day a and completed on day b is lookup[b] - lookup[a]."""
    agency_calendar = calendar.agency_calendar(agency_id)
    found, count, day = [], 0, first
    while day <= last:
        if day != first and agency_calendar.is_working_day(day):
            count += 1
        found.append(count)
        day += dt.timedelta(days=1)
    return found


class WorkingDayOrdinal(Func):
    """lookup[date - first] in SQL: the agency's calendar (_working_day_ordinals) travels with the query as one
    parameter (an integer array on PostgreSQL, fixed-width digits on SQLite), so that the working days of every
    piece of work are summed by the database, without a row per task coming back."""

    output_field = IntegerField()
    WIDTH = 6

    def __init__(self, expression, first: dt.date, lookup: list[int]):
        self.first, self.lookup = first, lookup
        super().__init__(expression)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((%s::int[])[({sql} - %s::date) + 1])", [self.lookup, *params, self.first]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        table = "".join(f"{n:0{self.WIDTH}d}" for n in self.lookup)
        return (f"CAST(substr(%s, CAST(julianday({sql}) - julianday(%s) AS INTEGER) * {self.WIDTH} + 1, {self.WIDTH}) AS INTEGER)",
                [table, *params, self.first.isoformat()])


@functools.lru_cache(maxsize=64)
def _fixed_offset(zone_key: str, first: dt.date, last: dt.date) -> int | None:
    """The zone's offset from UTC in seconds if it stays the same from `first` to `last` (Vietnam's has been +7 hours
    since 1975), else None. Checked day by day, so no change of offset can fall between two checks."""
    zone = zoneinfo.ZoneInfo(zone_key)
    offsets = {dt.datetime.combine(first + dt.timedelta(days=n), dt.time(12), tzinfo=zone).utcoffset()
               for n in range((last - first).days + 1)}
    return int(offsets.pop().total_seconds()) if len(offsets) == 1 else None


class LocalDate(Func):
    """The date in the agency's time zone of a timestamp, by a fixed offset from UTC: per row, PostgreSQL's
    AT TIME ZONE with a named zone cost several times what the rest of the figures did. Used only where
    _fixed_offset holds over every date concerned; TruncDate(tzinfo=…) otherwise."""

    output_field = DateField()

    def __init__(self, expression, offset_seconds: int):
        self.offset_seconds = offset_seconds
        super().__init__(expression)

    def as_postgresql(self, compiler, connection, **extra):
        # Django's PostgreSQL connections run in UTC (USE_TZ), so the cast to date takes the UTC date of the shifted time.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + %s * INTERVAL '1 second')::date", [*params, self.offset_seconds]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, %s)", [*params, f"{self.offset_seconds:+d} seconds"]



def _local_dates(zone, first: dt.date, last: dt.date) -> Callable[[str], Func]:
    """How to take the local date of a timestamp column for figures over `first`..`last` (a day's margin each side)."""
    offset = None
    if hasattr(zone, "key") and connection.vendor in ("postgresql", "sqlite"):  # the databases LocalDate is written for
        offset = _fixed_offset(str(zone), first - dt.timedelta(days=1), last + dt.timedelta(days=1))
    if offset is None:
        return lambda column: TruncDate(column, tzinfo=zone)
    return lambda column: LocalDate(column, offset)


def handling_statistics(reader, *, period: Period, unit: Unit | None = None, doc_type: str = "",
                        today: dt.date | None = None, recount: bool = False) -> Statistics:
    """The figures of the reader's units (or of `unit`, one of them, and those below it) for work received in
    `period`, as they stand `today`. For whole months of every document type, the work completed is read from its
    summary (CompletedWork); otherwise, or with `recount`, every task is counted (the same figures, slower)."""
    require_overseer(reader)
    today = today or timezone.localdate()
    units, whole_agency = units_in_scope(reader, unit)
    unit_ids = {u.pk for u in units}
    people = list(Person.objects.filter(agency_id=reader.agency_id, **({} if whole_agency else {"unit_id__in": unit_ids}))
                  .only("id", "full_name", "sort_name", "unit_id"))
    person_unit = {p.pk: p.unit_id for p in people}
    start, end = period.bounds()
    cutoff = overdue_before(reader.agency_id, today)
    lookup = _working_day_ordinals(reader.agency_id, period.start, max(today, period.end))
    local_date = _local_dates(timezone.get_current_timezone(), period.start, max(today, period.end))
    done, still_open = Q(status=Task.Status.DONE), Q(status=Task.Status.OPEN)
    # Counting created_at (never null), not the id: the id is not in the covering indexes, and naming it would send
    # every row to the table.
    figures = {
        "received": Count("created_at"),
        "on_time": Count("created_at", filter=done & Q(closed_on__lte=F("deadline"))),
        "late": Count("created_at", filter=done & Q(closed_on__gt=F("deadline"))),
        "overdue": Count("created_at", filter=still_open & Q(deadline__lt=cutoff)),
        "open_in_time": Count("created_at", filter=still_open & Q(deadline__gte=cutoff)),
        "working_days": Sum(WorkingDayOrdinal("closed_on", period.start, lookup) - WorkingDayOrdinal("received_on", period.start, lookup),
                            filter=done),
    }
    by_unit: dict[int | None, Figures] = {}
    by_holder: dict[tuple[str, int], Figures] = {}
    by_month: dict[tuple[int, int], Figures] = {}
    total = Figures()

    def count(person_id, task_unit_id, one: Figures) -> None:
        unit_key = task_unit_id if task_unit_id else person_unit.get(person_id)
        holder = ("person", person_id) if person_id else ("unit", task_unit_id)
        by_unit.setdefault(unit_key, Figures()).add(one)
        by_holder.setdefault(holder, Figures()).add(one)
        total.add(one)

    if not recount and not doc_type and period.whole_months:
        # The work completed from its summary (CompletedWork, a row per holder and month), the open work from its tasks.
        for person_id, task_unit_id, year, month, one in _summary_rows(reader, unit_ids, whole_agency, person_unit.keys(), period,
                                                                       start, end, cutoff):
            count(person_id, task_unit_id, one)
            by_month.setdefault((year, month), Figures()).add(one)
    else:
        for part in _counted_parts(reader, unit_ids, whole_agency, person_unit.keys()):
            tasks = part.filter(created_at__gte=start, created_at__lt=end)
            if doc_type:
                tasks = tasks.filter(document__doc_type=doc_type)
            counted = tasks.annotate(received_on=local_date("created_at"), closed_on=local_date("closed_at")).annotate(
                received_month=ExtractMonth("received_on"), received_year=ExtractYear("received_on"))
            for person_id, task_unit_id, *values in counted.values_list("person_id", "unit_id").annotate(**figures).order_by():
                count(person_id, task_unit_id, Figures(*(v or 0 for v in values)))
            for year, month, *values in counted.values_list("received_year", "received_month").annotate(**figures).order_by():
                by_month.setdefault((year, month), Figures()).add(Figures(*(v or 0 for v in values)))

    unit_rows = [UnitRow(u.pk, u.name, u.depth, by_unit.get(u.pk, Figures())) for u in units]
    if whole_agency and None in by_unit:
        unit_rows.append(UnitRow(None, _("Not in a unit"), 0, by_unit[None]))
    names = {u.pk: u.name for u in units}
    order = {u.pk: n for n, u in enumerate(units)}
    person_rows = []
    for p in people:
        figures = by_holder.get(("person", p.pk))
        if figures is not None:
            person_rows.append(PersonRow(p.pk, p.full_name, p.unit_id, names.get(p.unit_id, ""), figures,
                                         (order.get(p.unit_id, len(order)), 0, p.sort_name)))
    for (kind, key), figures in by_holder.items():
        if kind == "unit":
            person_rows.append(PersonRow(None, _("%(unit)s (the unit as a whole)") % {"unit": names.get(key, "")}, key, names.get(key, ""),
                                         figures, (order.get(key, len(order)), 1, "")))
    person_rows.sort(key=lambda r: r.sort_key)
    month_rows = [MonthRow(y, m, by_month.get((y, m), Figures())) for y, m in period.months()]
    return Statistics(reader.agency, period, today, unit_rows, person_rows, month_rows, total, unit=unit, doc_type=doc_type)


def _summary_rows(reader, unit_ids: set[int], whole_agency: bool, person_ids: Iterable[int], period: Period, start: dt.datetime,
                  end: dt.datetime, cutoff: dt.date) -> Iterable[tuple[int | None, int | None, int, int, Figures]]:
    """(person, unit, year, month, figures) of the work received in `period` (whole months): the completed part from
    CompletedWork, the open part counted from the open tasks (few, and "overdue" changes with the day)."""
    person_ids = list(person_ids)
    months = Q(year__gt=period.start.year) | Q(year=period.start.year, month__gte=period.start.month)
    months &= Q(year__lt=period.end.year) | Q(year=period.end.year, month__lte=period.end.month)
    summary = CompletedWork.objects.filter(months, agency_id=reader.agency_id)
    if not whole_agency:
        summary = summary.filter(Q(unit_id__in=sorted(unit_ids)) | Q(person_id__in=person_ids))
    for person_id, unit_id, year, month, on_time, late, working_days in summary.values_list(
            "person_id", "unit_id", "year", "month", "on_time", "late", "working_days"):
        yield person_id, unit_id, year, month, Figures(on_time + late, on_time, late, 0, 0, working_days)
    local_date = _local_dates(timezone.get_current_timezone(), period.start, period.end)
    for part in _counted_parts(reader, unit_ids, whole_agency, person_ids):
        still_open = part.filter(status=Task.Status.OPEN, created_at__gte=start, created_at__lt=end).annotate(
            received_on=local_date("created_at")).annotate(received_month=ExtractMonth("received_on"),
                                                          received_year=ExtractYear("received_on"))
        for person_id, unit_id, year, month, overdue, in_time in still_open.values_list(
                "person_id", "unit_id", "received_year", "received_month").annotate(
                overdue=Count("created_at", filter=Q(deadline__lt=cutoff)), in_time=Count("created_at", filter=Q(deadline__gte=cutoff))).order_by():
            yield person_id, unit_id, year, month, Figures(overdue + in_time, 0, 0, overdue, in_time, 0)
